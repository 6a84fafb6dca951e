"""Cues of a crisis told without a crisis word: final goodbyes, preparations, euphemisms, voices.

The crisis lexicon names dangers ("kill myself", "pills", "bridge"); members in crisis often
name none: "see you on the other side", "gave my dog to my neighbor, she'll take better care of
him", "you won't have to worry about me after tonight". These constructions also have everyday
uses ("bye everyone, see you thursday", "gave my old couch away"), so a cue is weaker evidence
than a lexicon match: ``flows.risk`` treats it like an indirect lexicon statement, a crisis only
when the model's crisis probability confirms it, a concern otherwise.

Voices telling the member to do something (command hallucinations) are a cue whatever they
ask: a person should read it now.

``find_cue(folded)`` takes ``crisis_detect.normalise`` output (no accents, no apostrophes:
"won't" is "wont", "I'm" is "im") and returns the cue's kind, or None.
"""

from __future__ import annotations

import re

__all__ = ["find_cue"]


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts))


_GOODBYE = _rx(
    # English
    r"\b(?:goodbye|good bye|bye|goodnight|good night|farewell) (?:forever|for good|for ever|world|cruel world)\b",
    r"\b(?:this is|its|it s|heres) (?:my )?(?:goodbye|the end for me|my last (?:message|msg|text))\b",
    r"\b(?:my )?last (?:message|msg|text)(?: (?:to|for) (?:anyone|everyone|you))?$",
    r"\bthis is my last (?:message|msg|text)\b",
    r"\bsee (?:you|u|yall) on the other side\b",
    r"\b(?:tell|let) (?:my )?(?:mom|mother|mum|dad|father|kids|family|children|son|daughter|wife|husband|everyone|"
    r"sister|brother) (?:that )?(?:i m sorry|im sorry|i love|i loved|im sorry)",
    r"\b(?:please )?remember me (?:how|as|when|for)\b|^please remember me$",
    r"\bforgive me\b(?! for (?:being late|the late|my typos|asking|bothering|the delay|all the texts))",
    r"\btake care of (?:my (?:kids|babies|children|dog|cat|family)|each other for me)\b",
    r"\bi m sorry i (?:couldnt|could not|wasnt|was not) (?:stay|stronger|enough|be better)",
    r"\b(?:wont|will not) be (?:texting|talking|writing|answering) (?:anymore|again)\b",
    # Spanish
    r"\b(?:adios|bye|buenas noches) (?:para siempre|mundo)\b",
    r"\b(?:este es )?(?:mi )?ultimo mensaje\b",
    r"\besta es mi despedida\b",
    r"\b(?:acuerdense|recuerdenme|recuerden) (?:de mi|como)\b",
    r"\bperdon(?:enme|ame)? por (?:todo|lo que voy a hacer|no ser)\b",
    r"\b(?:diganle|dile|digan) a (?:mi|mis) \w+ que (?:la|lo|los|las) (?:quiero|amo|quise)\b",
    r"\bcuiden (?:a|de) mis\b|\bcuidenme a\b",
    r"\bfue un gusto conocer(?:los|te|las)\b",
    r"\bya no voy a (?:escribir|escribirles|molestar)\b",
)

_PREPARATION = _rx(
    # English
    r"\b(?:affairs|things|everything|papers|paperwork|my stuff) (?:is |are )?"
    r"(?:in order|arranged|sorted out|taken care of)",
    r"\b(?:wrote|written|writing|left|finished) (?:my|a) (?:note|suicide note|goodbye letter|letters?|will)\b",
    r"\bletters? (?:to|for) (?:everyone|my (?:kids|family|children|mom|parents|wife|husband))\b",
    r"\bmy (?:note|letter) is (?:on|in|under)\b",
    r"\b(?:gave|giving|give) away (?:all )?(?:my|all my|everything)\b",
    r"\b(?:gave|giving|given) (?:my|all my) (?:\w+ ){0,2}(?:dog|cat|pets?|stuff|things|belongings|guitar|books|clothes|"
    r"passwords|car) to\b",
    r"\b(?:saved|saving|stockpil\w+|collect\w+|hoard\w+|stash\w*|counted|counting|lined up|lining up) (?:up )?"
    r"(?:all )?(?:my |the |of my )?(?:pills|meds|medication|tablets|painkillers|pain meds|pain pills|prescriptions)",
    r"\b(?:wont|will not) (?:need|be needing) (?:it|them|either|any of|anything|my|those)\b",
    r"\b(?:researching|researched|looking up|looked up|googling|googled|searching) (?:\w+ ){0,3}(?:methods|ways to die|"
    r"how to die|how many|painless|lethal|overdose|highest)\b",
    r"\b(?:picked|chose|found|scouted) (?:the|a) (?:spot|place|date|day)\b",
    r"\b(?:one last time|for the last time)\b",
    r"\bcancell?ed (?:my|the) (?:lease|appointments|subscriptions)\b",
    r"\b(?:funeral|suicide) (?:playlist|plans|note)\b|\bplaylist for my funeral\b|\bmy funeral\b",
    r"\b(?:deleted|deleting) (?:all )?my (?:socials|accounts|social media|instagram|facebook)\b",
    r"\b(?:so they|so nobody|so no one) (?:wont|wouldnt|would not|doesnt|dont) (?:notice|find out|know|stop me)\b",
    r"\b(?:everything|it s all|its all|all) (?:is )?(?:ready|set) for (?:tonight|tomorrow|the end)\b",
    # Spanish
    r"\b(?:deje|tengo|puse|esta) (?:todo|mis cosas|los papeles|mis papeles) (?:arreglado|en orden|listo)\b",
    r"\bya (?:deje|tengo|esta) todo (?:arreglado|listo|en orden)\b",
    r"\b(?:regale|regalando|vendi|vendiendo) (?:todas? )?(?:mis|todo) \w+",
    r"\b(?:junte|juntado|guarde|guardado|guardadas|conte|contando|contado) (?:todas )?(?:las|mis) pastillas\b",
    r"\bya no (?:las|los|lo|la) voy a necesitar\b",
    r"\bya (?:escogi|elegi|encontre) el lugar\b",
    r"\bbuscando (?:formas|maneras|como (?:morir|hacerlo|matarme))\b",
    r"\bmi (?:carta|testamento|funeral)\b|\bla carta (?:esta|la deje)\b",
    r"\b(?:borre|borrando) (?:todas )?mis (?:redes|cuentas)\b",
)

_EUPHEMISM = _rx(
    # English
    r"\b(?:wont|will not) (?:be (?:here|around|a problem|a burden|alive)|see (?:next|tomorrow|christmas|another|the "
    r"(?:morning|weekend|new year))|have to (?:deal|worry) (?:with|about) me)\b",
    r"\bafter (?:tonight|today|this weekend|this week)\b(?: \w+){0,4} (?:wont|wouldnt|no one|nobody|nothing|never|"
    r"wont matter|doesnt matter)\b",
    r"\b(?:soon|pretty soon|shortly)\b(?: \w+){0,5} (?:wont|over|gone|matter|no longer|free of me|rid of me)\b",
    r"\b(?:one less|1 less) (?:mouth|problem|burden|thing to worry)\b",
    r"\b(?:relieved|lighter|happier|easier|better) "
    r"(?:without me|once im gone|when im gone|if i was gone|if i wasnt here|after im gone)\b",
    r"\b(?:made|making) (?:my )?peace with (?:it|dying|going|leaving|my decision|everything)\b",
    r"\bat peace with my decision\b",
    r"\bmy time (?:has come|is up|to go)\b|^(?:its|it s) my time$",
    r"\bnot (?:be|being) (?:here|around) (?:much longer|for long|tomorrow|next week)\b",
    r"\b(?:or ever|ever again)$",
    r"\b(?:going|go) to a better place\b|\bbe at rest\b|\bat rest for good\b",
    r"\bnot (?:anyone s|anyones|your|their) fault\b",
    # Spanish
    r"\bya no (?:voy a estar|van a saber de mi|me van a ver|me van a tener que)\b",
    r"\bdespues de (?:hoy|esta noche|este fin)\b(?: \w+){0,4} (?:no|nadie|nada|ya no)\b",
    r"\bpronto (?:ya )?(?:no|se va a acabar|se acaba)\b",
    r"\buna boca menos\b",
    r"\b(?:ya )?es mi hora\b",
    r"\ben paz con mi decision\b|\bun lugar mejor\b",
    r"\bno es culpa de nadie\b",
)

# Command hallucinations: voices telling the member to do something, whatever the something is.
_COMMAND = _rx(
    r"\b(?:the |these |my )?(?:voices?|voice in my head|voices in my head|man in my head|god|the devil|demons?) "
    r"(?:\w+ ){0,2}(?:tell|tells|telling|told|say|says|saying|said|yell\w*|scream\w*|order\w*|command\w*|want|wants) "
    r"(?:me|that i)\b",
    r"\b(?:las |unas |mis )?(?:voces|voz|voz en mi cabeza|el diablo|dios|demonios?) (?:\w+ ){0,2}(?:me )?"
    r"(?:dicen|dice|decian|gritan|grita|ordenan|ordena|piden|pide|quieren|quiere) (?:que|me)\b",
)

_KINDS = (("goodbye", _GOODBYE), ("preparation", _PREPARATION), ("euphemism", _EUPHEMISM), ("command", _COMMAND))


def find_cue(folded: str) -> str | None:
    """The kind of cue in a normalised text ("goodbye", "preparation", "euphemism", "command"), or None."""
    for kind, rx in _KINDS:
        if rx.search(folded):
            return kind
    return None
