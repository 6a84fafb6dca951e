"""Reading short free-text answers: accents and case folded, yes and no in English and Spanish."""
from __future__ import annotations

import re
import unicodedata

from flows.inbound import normalise_keyword

YES = frozenset({"YES", "Y", "YEAH", "YEP", "YUP", "SURE", "OK", "OKAY", "PLEASE", "YES PLEASE", "SI", "S",
                 "CLARO", "VALE", "POR FAVOR", "SI POR FAVOR"})
NO = frozenset({"NO", "N", "NOPE", "NAH", "NO THANKS", "NO THANK YOU", "NOT NOW", "NO GRACIAS", "AHORA NO"})
_SPACES = re.compile(r"[\s,.!]+")


def fold(text: str) -> str:
    """Upper case without accents (ESPAÑOL -> ESPANOL, SÍ -> SI), spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", plain).strip().upper()


def keyword(text: str) -> str:
    """The whole message as a folded keyword."""
    return fold(normalise_keyword(text))


def yes_no(text: str) -> bool | None:
    """True for yes, False for no, None for anything else."""
    word = keyword(text)
    if word in YES:
        return True
    if word in NO:
        return False
    return None


#: Short acknowledgements: a kind word back, and nothing opened.
ACKS = frozenset({"OK", "OKAY", "OKI", "K", "KK", "OK THANKS", "OK THANK YOU", "THANKS", "THANK YOU", "THX", "TY",
                  "TYSM", "THANKS A LOT", "COOL", "GOT IT", "NICE", "GREAT", "ALRIGHT", "ALL RIGHT", "GRACIAS",
                  "MUCHAS GRACIAS", "OK GRACIAS", "VALE GRACIAS", "DE NADA", "VALE", "BIEN", "LISTO", "ENTENDIDO"})
#: A first hello: not words for a peer to read.
GREETINGS = frozenset({"HI", "HELLO", "HEY", "HIYA", "HOLA", "BUENAS", "BUENOS DIAS", "BUENAS TARDES",
                       "BUENAS NOCHES", "GOOD MORNING", "GOOD EVENING"})


def is_ack(text: str) -> bool:
    """ "ok", "thanks", "k", "gracias", or nothing but emoji and punctuation."""
    stripped = (text or "").strip()
    if not stripped:
        return False
    if not any(c.isalnum() for c in stripped):
        return True  # an emoji, a thumbs up, "!!"
    return keyword(stripped) in ACKS


def is_greeting(text: str) -> bool:
    return keyword(text) in GREETINGS
