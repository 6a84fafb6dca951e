"""What a risky word in a text is doing there: negated, told as past, reported, a joke, or about someone else.

The crisis lexicon and the model read words; members write sentences. This module splits a text
into clauses (at sentence ends, commas, "but" / "pero") and sets aside the clauses whose risk
words are not about the texter now, so that the lexicon and the model read only the rest:

- ``negated``: "not suicidal, just tired", "no me voy a hacer nada", "haven't cut in a year";
- ``past``: the past told as past, with nothing in the clause bringing it to now ("2 years
  clean", "I attempted at 16", "hace 5 años"; "again", "tonight", "now" keep the clause);
- ``report``: news, school and stories ("my paper on suicide prevention", "did you see the
  news"); when a text names one, its clauses without a first-person word are set aside too;
- ``routine``: everyday medication talk ("took my meds, going to bed", "se me acabaron las
  pastillas"), unless the text says how much or why ("all", "on purpose", "a propósito");
- ``joke``: a method idiom next to laughter ("kill me now lol", "if I hear that song again
  I'm gonna jump off a bridge haha"); the assessment still gives these at least concern.

It also finds other people in danger now ("my friend took a bunch of pills and won't wake
up", "mi hermana se está cortando"), which is a crisis for the person texting.

Patterns are written against ``crisis_detect.normalise`` output (lowercase, no accents, no
apostrophes or punctuation), in English and Spanish; both are always applied because members
mix them. They are deliberately narrow: a clause is set aside only on a specific construction,
since a clause wrongly set aside is a crisis the lexicon no longer sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.crisis_detect import normalise

__all__ = ["Context", "read_context"]

# Clause ends: sentence punctuation, commas, and the contrast words that turn a sentence around.
_SPLIT = re.compile(
    r"[.!?;:\n]+|,|\s[-–—]+\s|\b(?:but|pero|though|aunque)\b|\b(?:and now|y ahora|now that)\b", re.IGNORECASE
)
_LAUGH_RAW = re.compile("[\U0001f602\U0001f923\U0001f480\U0001f606\U0001f605]")


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts))


_SELF_HARM_EN = (
    r"(?:kill(?:ing)?|hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?) (?:my ?self|me)|suicid\w*|self ?harm\w*|sh|"
    r"end(?:ing)? (?:it|it all|my life|things)|die|dying|do(?:ing)? (?:anything|something)(?: stupid)?(?: to my ?self)?"
)
_NEGATED = _rx(
    # English
    r"\bnot (?:feeling |really |even |at all )?(?:suicidal|in (?:danger|crisis))",
    rf"\b(?:im|i am|iam|i m) not (?:\w+ ){{0,2}}(?:suicidal|going to|gonna|gon|planning to|thinking (?:about|of))"
    rf" (?:{_SELF_HARM_EN})",
    rf"\bnot (?:going to|gonna|planning to|planning on) (?:{_SELF_HARM_EN})",
    rf"\bnot (?:thinking|thinkin) (?:about|of|bout) (?:{_SELF_HARM_EN}|suicide|killing|hurting|ending)",
    r"\b(?:no|zero|0|without) (?:suicidal |self harm |dark |bad )?(?:thoughts|urges?|plans?|intentions?|ideation)"
    r"(?: (?:of|about|to|for)| this| today|$)",
    r"\bno (?:self ?harm|sh|cutting|suicidal thoughts)\b",
    r"\bnever (?:had|have|been|felt|was) (?:\w+ ){0,2}(?:suicidal|thoughts of|urges to)",
    r"\bnot (?:going to|gonna|trying to) (?:hurt|kill|harm) (?:anyone|anybody|nobody|him|her|them)\b",
    rf"\b(?:dont|do not|didnt|never|wont|will not) (?:want|wanna|plan|intend|need) (?:to )?(?:{_SELF_HARM_EN})",
    r"\b(?:would|will|could|d) never (?:\w+ ){0,2}(?:kill|hurt|harm) (?:my ?self|me)",
    r"\b(?:havent|have not|hasnt|has not|didnt|did not) (?:cut|self harmed|hurt my ?self|harmed my ?self|"
    r"thought (?:about|of) (?:suicide|killing my ?self|dying))",
    # Spanish
    r"\bno (?:me )?(?:quiero|pienso|voy a|planeo|tengo pensado|quisiera) (?:matarme|morir\w*|suicidarme|"
    r"quitarme la vida|hacerme (?:dano|nada)|hacer (?:nada|ninguna tonteria)|lastimarme|cortarme)",
    r"\bno es que (?:me )?quier\w+ (?:morir|matar)",
    r"\bno me quiero (?:matar|morir|suicidar)",
    r"\bno me voy a (?:matar|hacer (?:nada|dano)|lastimar|cortar|suicidar)",
    r"\bno voy a hacer (?:nada|ninguna tonteria)",
    r"\bno estoy (?:pensando en|planeando) (?:suicid\w+|matarme|morir\w*|el suicidio|hacerme dano|quitarme la vida)",
    r"\b(?:no|nunca|jamas) (?:me )?(?:mataria|suicidaria|haria dano|lastimaria)",
    r"\bno tengo (?:pensamientos|ideas|ganas|planes) "
    r"(?:de (?:suicid\w+|matarme|morir\w*|hacerme dano|cortarme)|suicidas)",
    r"\bno (?:es una crisis|estoy en (?:peligro|crisis))",
    r"\bya no me (?:corto|lastimo|hago dano)\b",
)

_PAST = _rx(
    # English
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|several|many|some) "
    r"(?:years?|yrs?|months?) ago\b",
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|several|many) (?:years?|yrs?|months?|weeks?|"
    r"days?) (?:clean|sober|free|without|off)\b",
    r"\b(?:clean|sober|free) (?:for|since)\b",
    r"\bwhen i was (?:\d+|young|little|younger|a (?:kid|child|teen\w*)|in (?:high school|college|school)|using|"
    r"drinking|\w+ years old)",
    r"\b(?:attempted|tried|overdosed|od d|was|started|did|cut)\b.*\bat (?:age )?(?:1\d|[2-9]\d)\b",
    r"\bin (?:19|20)\d\d\b",
    r"\bused to\b",
    r"\bback (?:then|in the day)\b|\bback when (?:i|we) (?:was|were|used)\b",
    r"\blast (?:year|summer|winter|spring|fall)\b",
    r"\b(?:survived|survivor)\b",
    r"\b(?:since|after) (?:my|the|his|her) (?:attempt|overdose|od)\b",
    r"\bthose days are (?:over|behind)",
    # Spanish
    r"\bhace (?:\d+|un|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|unos|unas|varios|muchos|mucho) ?"
    r"(?:anos?|meses|mes|tiempo)\b",
    r"\b(?:\d+|un|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez) (?:anos?|meses|mes|semanas?|dias?) "
    r"(?:limpi[oa]s?|sobri[oa]s?|sin)\b",
    r"\bllevo (?:\d+|un|una|dos|tres|cuatro|cinco|seis|mucho|varios) ?(?:anos?|meses|mes|semanas?|dias?|tiempo)? "
    r"(?:sin|limpi|sobri)",
    r"\bcuando (?:tenia|era|estaba|vivia)\b",
    r"\b(?:intente|me corte|me cortaba|tome|tuve|fue|estuve)\b.*\ba los \d{1,2}\b",
    r"\ben (?:19|20)\d\d\b",
    r"\bel ano pasado\b",
    r"\bantes (?:me|yo|cuando|solia)\b",
    r"\bsolia\b",
    r"\bsobrevivi\b",
    r"\bme (?:pegaba|golpeaba|cortaba|lastimaba|maltrataba|hacia dano)\b",
)
# Anything bringing a past clause to now keeps it read.
_NOW = _rx(
    r"\b(?:again|tonight|today|right now|rn|now|currently|still|lately|these days|this (?:week|time|morning|"
    r"afternoon|evening|weekend)|anymore|feel like (?:that|it|doing))\b",
    r"\b(?:otra vez|de nuevo|hoy|esta noche|ahorita|ahora|todavia|aun|ultimamente|esta semana)\b",
)

# A short clause dating the one before it ("..., that was 4 years ago", "..., eso fue hace años").
_BACK_REFERENCE = re.compile(r"(?:that|this|it|which|eso|esto|fue|that s|thats|its)\b(?: \w+){0,6}$")
# A clause confirming that the clause before it is over ("i used to want to die. not anymore").
_OVER = re.compile(r"(?:not anymore|no more|not now|never again|not these days|ya no|ya no mas|nunca mas)$")
# A clause that takes a set-aside clause back to now ("haven't cut in 3 months, but I want to tonight").
_RESUMES = re.compile(
    r"\b(?:want|wanna|gonna|going|need|about) to(?: (?:tonight|again|now|today|so bad|rn))*$|\bagain\b|"
    r"\b(?:otra vez|de nuevo)\b|\b(?:quiero|voy a) hacerlo\b"
)

_REPORT = _rx(
    # English
    r"\b(?:suicide|self ?harm|overdose|opioid|drug|gun|mental health|addiction) (?:prevention|awareness|hotline|"
    r"lifeline|crisis|epidemic|rates?|statistics|research|walk|training|unit|assembly|class|month|survivors?|"
    r"management)\b",
    r"\b(?:paper|essay|report|project|presentation|article|documentary|podcast|class|lesson|lecture|unit|assembly|"
    r"seminar|training|exam|book|movie|film|show|song|story|news|research|homework) (?:\w+ ){0,3}(?:on|about|"
    r"covered|covering)\b",
    r"\b(?:the|on the|in the) news\b",
    r"\b(?:did|have) (?:you|anyone|u|yall|you guys) (?:see|hear|read|watch)\b",
    r"\b(?:in|from) (?:the|a|this|that) (?:book|movie|film|show|series|song|novel|play|game|documentary)\b",
    # Spanish
    r"\b(?:prevencion|concientizacion) (?:del|de la|de) (?:suicidio|sobredosis|autolesion\w*|adicciones)\b",
    r"\b(?:tarea|ensayo|proyecto|platica|clase|noticia|noticias|articulo|documental|pelicula|libro|serie|"
    r"investigacion|exposicion) (?:\w+ ){0,3}(?:sobre|acerca)\b",
    r"\b(?:viste|vieron|supiste|supieron|escuchaste|oyeron|vio) (?:la noticia|las noticias|lo de|lo que)\b",
    r"\b(?:salio|sale|salieron) en (?:las )?noticias\b",
    r"\ben (?:las noticias|la tele|el periodico)\b",
)
# Everyday medication talk ("took my meds, going to bed"), unless the text says how much or why.
_ROUTINE = _rx(
    r"\b(?:took|take|taking|takes|picked up|pick up|pickup|refill\w*|forgot|ran out of|run out of|out of|need|get|"
    r"getting|started|start|switch\w*|upped|changed) (?:my|the|his|her|our) (?:new )?(?:pills|meds|medicine|"
    r"medication|prescription|dose|refill|vitamins)\b",
    r"\b(?:my|the) (?:pills|meds|medicine|medication) (?:are|is|were|was)\b",
    r"\b(?:me )?(?:tome|tomo|tomar|tomarme|tomando|tomo) (?:mis|la|las|mi) (?:pastillas|medicina|medicinas|"
    r"medicamentos|pastilla)\b",
    r"\b(?:por|comprar|surtir|recoger) (?:mis|la|las) (?:pastillas|medicina|medicinas|receta)\b",
    r"\b(?:se me acabaron|ya no tengo) (?:las|mis) (?:pastillas|medicinas)\b",
    r"\b(?:mis|las) (?:pastillas|medicinas) (?:estan|las tengo)\b",
)
_AMOUNT = re.compile(
    r"\b(?:all|bunch|whole|too many|too much|handful|extra|double|triple|entire|rest of|lot of|lots of|\d{2,}|"
    r"todas|todo el|un monton|demasiad\w+|muchas|frasco|bote|a proposito|on purpose|at once|overdose|sobredosis|"
    r"enough|suficientes|stopped|quit|skipping|skipped|not taking|havent been taking|deje de|dejar de|no me he tomado|"
    r"no he tomado|no me tomo)\b"
)
_FIRST_PERSON = re.compile(r"\b(?:i|im|ive|ill|id|me|my|myself|mine|yo|mi|mis|conmigo|quiero|voy|estoy|tengo)\b")

_LAUGH = re.compile(r"\b(?:lol\w*|lmao\w*|lmfao|rofl|haha\w*|hehe\w*|jk|ja(?:ja)+\w*|je(?:je)+|xd)\b")
_HYPERBOLE = _rx(
    r"\b(?:kill|shoot) me now\b",
    r"\bif (?:i|we) (?:have to|gotta|hear|see|get|do|sit|listen)\b.*\b(?:die|kill|jump|hang|shoot)",
    r"\b(?:makes?|making|made) me (?:want to|wanna) (?:die|kill my ?self|jump|hang my ?self)",
    r"\b(?:i ll|ill|i will|im gonna|im going to|gonna) (?:jump off|hang my ?self|shoot my ?self|kill my ?self|die)\b"
    r".*\bif\b",
    r"\b(?:me quiero morir|me muero|me mato|me aventaria|me pego un tiro|me tiro)\b",
    r"\bi (?:could|would|d) (?:jump|die|kill)\b",
)

_PERSON = (
    r"(?:my|our|mi|mis|su|la|el) (?:\w+ )?(?:friend|bf|gf|boyfriend|girlfriend|husband|wife|partner|son|daughter|"
    r"kid|child|brother|sister|mom|mother|dad|father|cousin|roommate|neighbor|neighbour|coworker|grandpa|grandma|"
    r"uncle|aunt|niece|nephew|sponsor|bestie|classmate|teen|fiance|amigo|amiga|novio|novia|esposo|esposa|marido|"
    r"pareja|hijo|hija|hermano|hermana|mama|madre|papa|padre|primo|prima|vecino|vecina|companero|companera|abuelo|"
    r"abuela|tio|tia|sobrino|sobrina|roomie)"
)
# Someone else in danger now, by kind: a person (or he / she / someone) and then, within a few words, what is
# happening to them. Spanish needs no subject: "se tomó", "se está cortando" are the third person.
_THIRD_KINDS: tuple[tuple[str, str, str], ...] = (
    (
        "overdose",
        r"(?:took|taken|swallowed|drank|ate|did) (?:\w+ ){0,4}(?:pills|meds|medication|medicine|tablets|xanax|oxy\w*|"
        r"percs?|tylenol|bleach|drugs|fentanyl|heroin)|overdos\w*|\bod(?:ing|d)?\b",
        r"se (?:tomo|trago|metio|bebio|comio) (?:\w+ ){0,4}(?:pastillas|medicinas|medicamentos|pildoras|frasco|bote|"
        r"cloro|veneno|droga\w*|clonazepam)|(?:tuvo|le dio|esta teniendo|se metio) una sobredosis|amenaza con tomarse",
    ),
    (
        "unresponsive",
        r"not (?:breathing|waking)|(?:wont|will not|cant|can not|isnt|is not) (?:wake|breathe|breathing|waking)|"
        r"unconscious|(?:lips|face) (?:are|is|turning|turned) blue|turning blue|barely breathing|"
        r"(?:wont|will not|isnt|is not) respond(?:ing)?(?! to (?:my )?(?:texts?|messages?|calls?))",
        r"no (?:despierta|respira|reacciona)|casi no respira|inconsciente|labios morados",
    ),
    (
        "self-harm",
        r"(?:cutting|cut|hurting|burning|killing|hanging|shooting) (?:her|him|them)sel(?:f|ves)|"
        r"(?:kill|hurt|hang|shoot|cut|end it) (?:her|him|them)sel(?:f|ves)|"
        r"(?:use it|do it) on (?:her|him|them)sel(?:f|ves)|(?:is|s) cutting (?:in (?:her|his|their) room|again)|"
        r"(?:her|his|their) (?:wrists?|arms?|legs?) (?:are |is )?bleeding|"
        r"locked (?:her|him|them)sel(?:f|ves) in (?:\w+ ){0,4}with (?:a|the|his|her) (?:knife|gun|pills|razor|rope)",
        r"se (?:esta|va a|quiere) (?:cortar|matar|suicidar|ahorcar|dar un tiro|morir)(?! de)|"
        r"se esta (?:cortando|ahorcando|lastimando|quemando)|amenaza con (?:matarse|"
        r"tirarse|aventarse|cortarse|suicidarse|ahorcarse)|se encerro (?:\w+ ){0,4}con (?:un|una|el|la|sus|las) "
        r"(?:cuchillo|pistola|pastillas|navaja)|se corto (?:las venas|los brazos|el brazo|las munecas)|"
        r"se (?:va a|quiere) (?:tirar|aventar) (?:del|de la|por)",
    ),
    (
        "suicide",
        r"end (?:it|it all|her life|his life|their life)|wants? to die|(?:going to|gonna|about to) jump|"
        r"threatening to (?:jump|kill|end|hurt|take|shoot|hang|cut|overdose)|suicid\w*|(?:a|his|her) (?:suicide )?note|"
        r"(?:saying|said|texted me|sent me a) goodbye|(?:says|said|saying|told me|texted|keeps saying) (?:\w+ ){0,2}"
        r"(?:gonna|going to|will|wants to|is going to) (?:do it|end it|go through with it)\b",
        r"quitarse la vida|se quiere morir|(?:carta|mensaje) de despedida|dejo una carta",
    ),
    (
        "at a height",
        r"(?:standing|sitting|climbing|climbed|hanging) (?:on|over|off) the (?:ledge|edge|railing|rail|roof|bridge|"
        r"balcony)|on the (?:\w+ )?(?:ledge|railing|rail)|"
        r"on the (?:roof|bridge) (?:\w+ ){0,2}(?:jump|threat|talking|saying)",
        r"parad[oa] en (?:el|la) (?:puente|barandal|borde|techo|azotea|orilla)|(?:en|arriba de) (?:la|el) "
        r"(?:barandal|cornisa)|a punto de (?:tirarse|aventarse)",
    ),
    (
        "weapon",
        r"(?:holding|grabbed|pulled out|pointing|waving) (?:a|his|her|the) (?:gun|knife|pistol)|"
        r"(?:gun|knife|pistol) (?:to|at) (?:his|her|their) (?:head|throat|chest|wrist)",
        r"(?:con|tiene) (?:un|una|su|el|la) (?:pistola|arma|cuchillo|navaja) (?:en la mano|en la cabeza|y dice)",
    ),
    (
        "violence",
        r"(?:beating|hitting|choking|strangling|stabbing) (?:my|her|him|them)\b",
        r"le esta (?:pegando|golpeando|ahorcando) a|(?:la|lo) (?:esta|estan) (?:golpeando|pegando|ahorcando)",
    ),
)
_SUBJECT = (
    rf"{_PERSON}|he|she|hes|shes|they|theyre|ella|someone|somebody|a (?:guy|girl|man|woman|kid|boy|teen)|"
    r"this (?:guy|girl|man|woman|kid)|alguien|un (?:muchacho|chavo|senor|joven|nino)|una (?:muchacha|chava|senora|nina)"
)
_THIRD = tuple(
    (kind, re.compile(rf"\b(?:(?:{_SUBJECT})\b(?: \w+){{0,8}}? \b(?:{en})|(?:{es}))"))
    for kind, en, es in _THIRD_KINDS
)
_THIRD_PAST = re.compile(
    r"\b(?:years?|months?) ago\b|\bwhen i was\b|\bin (?:19|20)\d\d\b|\bhace (?:\w+ )?(?:anos?|meses)\b|"
    r"\bdied|\bmurio\b|\bused to\b|\bwas (?:hospitalized|in the hospital)\b|\b(?:news|noticias?)\b|"
    r"\b(?:vet|dog|cat|perro|gato|perrita)\b"
)


@dataclass(frozen=True)
class Context:
    """A text with the clauses that are not about the texter now set aside."""

    kept: str  # the text the lexicon and the model read (the original when nothing was set aside)
    set_aside: tuple[str, ...] = ()  # why each clause was set aside: negated, past, report, routine, joke
    third_party: str | None = None  # the kind of danger someone else is in now ("overdose", ...)


def _clauses(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the clauses of ``text``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SPLIT.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def _why(clause: str, laughing: bool, reported: bool, amount: bool) -> str | None:
    """Why a normalised clause is set aside, or None to keep it."""
    if not clause:
        return None
    if not amount and _ROUTINE.search(clause):
        return "routine"
    if _NEGATED.search(clause):
        return "negated"
    if _PAST.search(clause) and not _NOW.search(clause):
        return "past"
    if _REPORT.search(clause) or (reported and not _FIRST_PERSON.search(clause)):
        return "report"
    if laughing and _HYPERBOLE.search(clause):
        return "joke"
    return None


def _third_party(folded: str) -> str | None:
    """The kind of danger someone else is in now ("overdose", ...), or None."""
    for kind, rx in _THIRD:
        found = rx.search(folded)
        if found is not None:
            if _THIRD_PAST.search(folded[max(0, found.start() - 40) : found.end() + 40]) or _REPORT.search(folded):
                return None
            return kind
    return None


def read_context(text: str) -> Context:
    """Split ``text`` into clauses and set aside those that are negated, past, reported or joking."""
    folded = normalise(text)
    third_party = _third_party(folded)
    if not any(rx.search(folded) for rx in (_NEGATED, _PAST, _REPORT, _HYPERBOLE, _ROUTINE)):
        return Context(text, (), third_party)
    laughing = bool(_LAUGH.search(folded) or _LAUGH_RAW.search(text))
    reported = bool(_REPORT.search(folded))
    amount = bool(_AMOUNT.search(folded))
    clauses = [text[start:end] for start, end in _clauses(text)]
    folded_clauses = [normalise(c) for c in clauses]
    whys: list[str | None] = []
    for i, folded_clause in enumerate(folded_clauses):
        why = _why(folded_clause, laughing, reported, amount)
        if why in ("negated", "past") and i + 1 < len(clauses) and _RESUMES.search(folded_clauses[i + 1]):
            why = None
        if why is None and i and whys[i - 1] in ("past", "negated") and _OVER.match(folded_clause):
            why = "past"
        if why == "past" and i and whys[i - 1] is None and _BACK_REFERENCE.match(folded_clause):
            if not _NOW.search(folded_clauses[i - 1]):
                whys[i - 1] = "past"  # "..., that was 4 years ago": the time is the previous clause's
        whys.append(why)
    kept = [c for c, why in zip(clauses, whys, strict=True) if why is None]
    reasons = [why for why in whys if why is not None]
    if not reasons:
        return Context(text, (), third_party)
    return Context(" . ".join(c.strip() for c in kept if c.strip()), tuple(reasons), third_party)
