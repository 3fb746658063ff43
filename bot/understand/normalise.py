"""Normalise what people type before matching: case, quotes, contractions, text-speak, typos.

The same normalisation is used for story extraction, answers and safety
detection, so a pattern written once works for "havent", "haven't" and "have not".
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from functools import lru_cache
from typing import Dict, Iterable, List

# Text-speak and common misspellings seen in complaint messages. Keys are whole words.
TEXT_SPEAK: Dict[str, str] = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "why",
    "n": "and",
    "b4": "before",
    "2day": "today",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "2nite": "tonight",
    "tonite": "tonight",
    "nite": "night",
    "im": "i am",
    "ive": "i have",
    "id": "i would",
    "ill": "i will",
    "dont": "do not",
    "cant": "can not",
    "wont": "will not",
    "didnt": "did not",
    "doesnt": "does not",
    "isnt": "is not",
    "wasnt": "was not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "arent": "are not",
    "werent": "were not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "aint": "is not",
    "thats": "that is",
    "whats": "what is",
    "theres": "there is",
    "theyre": "they are",
    "theyve": "they have",
    "weve": "we have",
    "were": "were",
    "youre": "you are",
    "hes": "he is",
    "shes": "she is",
    "its": "it is",
    "lets": "let us",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "kinda": "kind of",
    "appt": "appointment",
    "appts": "appointments",
    "apt": "appointment",
    "hosp": "hospital",
    "hospi": "hospital",
    "docs": "doctors",
    "doc": "doctor",
    "dr": "dr",
    "drs": "doctors",
    "gp's": "gp",
    "gps": "gp",
    "meds": "meds",
    "med": "medication",
    "prescrip": "prescription",
    "presc": "prescription",
    "wk": "week",
    "wks": "weeks",
    "mnth": "month",
    "mnths": "months",
    "mth": "month",
    "mths": "months",
    "yr": "year",
    "yrs": "years",
    "hr": "hour",
    "hrs": "hours",
    "min": "minute",
    "mins": "minutes",
    "thru": "through",
    "tho": "though",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "bc": "because",
    "becos": "because",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "sum1": "someone",
    "some1": "someone",
    "any1": "anyone",
    "every1": "everyone",
    "no1": "no one",
    "noone": "no one",
    "nobodys": "nobody is",
    "msg": "message",
    "txt": "text",
    "tbh": "to be honest",
    "obvs": "obviously",
    "btw": "by the way",
    "idk": "i do not know",
    "dunno": "do not know",
    "ok": "ok",
    "okay": "ok",
    "k": "ok",
    "thx": "thanks",
    # Scots and northern forms: "havenae complained", "she's asked me tae dae it", "fae the health board".
    "havenae": "have not",
    "hasnae": "has not",
    "didnae": "did not",
    "cannae": "can not",
    "canna": "can not",
    "wasnae": "was not",
    "wisnae": "was not",
    "telt": "told",
    "isnae": "is not",
    "dinnae": "do not",
    "disnae": "does not",
    "wouldnae": "would not",
    "couldnae": "could not",
    "shouldnae": "should not",
    "werenae": "were not",
    "widnae": "would not",
    "huvnae": "have not",
    "hivnae": "have not",
    "naw": "no",
    "nae": "no",
    "tae": "to",
    "fae": "from",
    "dae": "do",
    "masel": "myself",
    "hersel": "herself",
    "himsel": "himself",
    "oorsels": "ourselves",
    "oor": "our",
    "wean": "child",
    "weans": "children",
    "bairn": "child",
    "bairns": "children",
    "ty": "thank you",
    "ta": "thanks",
    "pk": "ok",
    "mum's": "mum's",
    "mam": "mum",
    "mom": "mum",
    "mommy": "mum",
    "mummy": "mum",
    "mums": "mum",
    "dads": "dad",
    "nans": "nan",
    "grans": "gran",
    "husbands": "husband",
    "wifes": "wife",
    "sons": "son",
    "daughters": "daughter",
    "nanna": "nan",
    "nana": "nan",
    "granny": "gran",
    "grandma": "gran",
    "grandad": "grandad",
    "surgry": "surgery",
    "surgury": "surgery",
    "sugery": "surgery",
    "recpetionist": "receptionist",
    "receptionest": "receptionist",
    "hospitle": "hospital",
    "hopsital": "hospital",
    "hosptial": "hospital",
    "dentis": "dentist",
    "dentest": "dentist",
    "pharmacey": "pharmacy",
    "chemists": "chemists",
    "complaine": "complain",
    "complan": "complain",
    "compliant": "complaint",
    "complaned": "complained",
    "comlained": "complained",
    "apointment": "appointment",
    "appoinment": "appointment",
    "appointmnet": "appointment",
    "medicaton": "medication",
    "medecine": "medicine",
    "prescribtion": "prescription",
    "perscription": "prescription",
    "ambulence": "ambulance",
    "ambulanse": "ambulance",
    "paramedics": "paramedics",
    "carers": "carers",
    "nurseing": "nursing",
    "nursin": "nursing",
    "councel": "council",
    "counsil": "council",
    "socail": "social",
    "servises": "services",
    "explaination": "explanation",
    "explantion": "explanation",
    "appology": "apology",
    "apologie": "apology",
    "compensasion": "compensation",
    "compansation": "compensation",
    "negligance": "negligence",
    "definately": "definitely",
    "realy": "really",
    "becuase": "because",
    "beacuse": "because",
    "wich": "which",
    "thier": "their",
    "recieved": "received",
    "recieve": "receive",
    "untill": "until",
    "stoped": "stopped",
    "refered": "referred",
    "refferal": "referral",
    "referal": "referral",
    "reffered": "referred",
    "dischared": "discharged",
    "discharaged": "discharged",
    "sectiond": "sectioned",
    "dieing": "dying",
    "atack": "attack",
    "heart atack": "heart attack",
    "realy": "really",
    "rote": "wrote",
    "leter": "letter",
    "letta": "letter",
    "anser": "answer",
    "anwser": "answer",
    "complant": "complaint",
    "repsonse": "response",
    "responce": "response",
    "reponse": "response",
    "replyed": "replied",
    "childrens": "children",
    "peoples": "people",
    "a&e": "a&e",
    "a+e": "a&e",
    "ae": "a&e",
    # common phonetic spellings (dyslexia, blind set b14)
    "payed": "paid",
    "bort": "bought",
    "brort": "bought",
    "glases": "glasses",
    "glasess": "glasses",
    "vowcher": "voucher",
    "voutcher": "voucher",
    "vocher": "voucher",
    "leter": "letter",
    "ofice": "office",
    "rong": "wrong",
    "eys": "eyes",
    "complaned": "complained",
    "complaind": "complained",
    "hedaches": "headaches",
    "munths": "months",
    "munth": "month",
    "wendsday": "wednesday",
    "docter": "doctor",
    "nurce": "nurse",
    "n.h.s": "nhs",
    "g.p": "gp",
    "g.p.": "gp",
}

# Domain words worth correcting when misspelt (fuzzy matching only ever maps to these).
DOMAIN_WORDS: List[str] = [
    "receptionist",
    "appointment",
    "appointments",
    "hospital",
    "dentist",
    "pharmacy",
    "pharmacist",
    "complaint",
    "complained",
    "complaining",
    "prescription",
    "medication",
    "medicine",
    "optician",
    "ambulance",
    "paramedic",
    "ombudsman",
    "safeguarding",
    "discharged",
    "compensation",
    "explanation",
    "apology",
    "psychiatric",
    "continuing",
    "council",
    "dementia",
    "surgery",
    "consultant",
    "operation",
    "treatment",
    "diagnosis",
    "misdiagnosed",
    "neglected",
    "neglect",
    "abused",
    "referral",
    "referred",
    "nursing",
    "residential",
    "sectioned",
    "maternity",
    "midwife",
    "emergency",
    "infection",
    "accountable",
    "disciplined",
    "struck",
    "anonymous",
    "confidential",
    "children",
    "services",
    "social",
    "worker",
    "private",
    "privately",
    "insurance",
    "funded",
    "district",
    "community",
    "prison",
    "healthcare",
    "response",
    "final",
    "formal",
    "waiting",
    "cancelled",
    "dignity",
    "stolen",
    "records",
]
_DOMAIN_SET = set(DOMAIN_WORDS)

_CONTRACTIONS = [
    (r"\bcan't\b", "can not"),
    (r"\bwon't\b", "will not"),
    (r"\bshan't\b", "shall not"),
    (r"\bain't\b", "is not"),
    (r"n't\b", " not"),
    (r"\bi'm\b", "i am"),
    (r"'re\b", " are"),
    (r"'ve\b", " have"),
    (r"'ll\b", " will"),
    # "he'd been", "she'd gone": had; "I'd like", "he'd know": would
    (r"'d (been|had|gone|done|seen|taken|told|given|left|made|got|said|already|never|just|asked)\b", r" had \1"),
    (r"'d\b", " would"),
    (r"\bit's\b", "it is"),
    (r"\bthat's\b", "that is"),
    (r"\bwhat's\b", "what is"),
    (r"\bthere's\b", "there is"),
    (
        r"\b(he|she|it)'s (been|got|gone|said|done|had|taken|told|seen|found|left|made|lost|stopped|started)\b",
        r"\1 has \2",
    ),
    (r"\bhe's\b", "he is"),
    (r"\bshe's\b", "she is"),
    (r"\blet's\b", "let us"),
    # "ma wife", "me mam", "my da": Scots and northern "my", and "da" for dad after it.
    (
        r"\b(?:ma|me) (wife|husband|son|daughter|mum|mam|maw|da|dad|gran|granny|nan|wean|bairn|partner|brother|sister|"
        r"boy|lassie|girl|family|man|auntie|uncle|grandad|papa|kids|weans|bairns)\b",
        r"my \1",
    ),
    (r"\b(my|our|oor) da\b", r"\1 dad"),
]
# Words in any alphabet (Welsh "ngŵr", "café"), with "&", "'" and "+" inside them; any other character alone.
_WORD = re.compile(r"[\w&'+]+(?:\.\w+)*|[^\s\w]")

# Words that are text-speak in English but ordinary words in Welsh ("y" is "the", "ta" is "then").
# In a message with Welsh in it they are left as they are.
WELSH_WORDS_NOT_TEXT_SPEAK = frozenset({"y", "yr", "r", "n", "ta", "ae", "u", "k", "id", "ill", "min", "mam"})
#: Words only Welsh uses, so two of them say a message (or part of it) is in Welsh.
_WELSH_ONLY = frozenset(
    {
        "mae",
        "wedi",
        "ddim",
        "dim",
        "yn",
        "fy",
        "dw",
        "dwi",
        "rydw",
        "rwy",
        "wi",
        "sa",
        "mae'r",
        "i'n",
        "dyw",
        "ydy",
        "ydw",
        "roedd",
        "bydd",
        "bydda",
        "fydda",
        "gyda",
        "efo",
        "nhw",
        "ond",
        "ei",
        "eu",
        "yr",
        "ac",
        "gan",
        "ganddi",
        "ganddo",
        "heb",
        "ers",
        "iawn",
        "hefyd",
        "rŵan",
        "nawr",
        "fe",
        "mae'n",
        "dyw'r",
        "does",
        "alla",
        "fedra",
        "isio",
        "eisiau",
        "moyn",
        "gallu",
        "newydd",
    }
)


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower-case, plain-quoted, contraction-free, text-speak-free version of `text`."""
    t = unicodedata.normalize("NFKC", text or "")
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    t = t.replace("\u2013", "-").replace("\u2014", "-").lower()
    t = re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", t)  # zero-width characters
    for pat, rep in _CONTRACTIONS:
        t = re.sub(pat, rep, t)
    t = re.sub(r"(\w)'s\b", r"\1", t)  # possessives: "mum's home" -> "mum home"
    t = re.sub(r"(\w)s'(\s|$)", r"\1s\2", t)
    t = re.sub(r"(\d)([a-z])", r"\1 \2", t)  # "2wks" -> "2 wks", "3months" -> "3 months"
    t = re.sub(r"([a-z])-([a-z])", r"\1 \2", t)  # "self-funded" -> "self funded"
    out: List[str] = []
    toks = _WORD.findall(t)
    welsh = len(_WELSH_ONLY.intersection(toks)) >= 2
    for tok in toks:
        stripped = tok.strip(".'")
        # "'y" ("my", in spoken Welsh) and "'r" keep their apostrophe: English text-speak never writes them so
        if (welsh or tok.startswith("'")) and stripped in WELSH_WORDS_NOT_TEXT_SPEAK:
            out.append(tok)
        elif stripped in TEXT_SPEAK:
            out.append(TEXT_SPEAK[stripped])
        elif tok in TEXT_SPEAK:
            out.append(TEXT_SPEAK[tok])
        else:
            out.append(_correct(tok) if tok.isalpha() else tok)
    return " ".join(out)


def _correct(word: str) -> str:
    """Correct a misspelt domain word ('hosptal' -> 'hospital'); leave everything else."""
    if len(word) < 6 or word in _DOMAIN_SET:
        return word
    match = difflib.get_close_matches(word, DOMAIN_WORDS, n=1, cutoff=0.86)
    if not match:
        return word
    # A longer word built on a domain word is a different word, not a typo:
    # "confidentiality" is not "confidential", "neglectful" is not "neglect".
    if word.startswith(match[0]) and len(word) - len(match[0]) >= 3:
        return word
    # Nor is a word that differs only in its ending: "section" is not "sectioned", "complain" is not
    # "complaint", "psychiatrist" is not "psychiatric". Typos are corrected; other forms of a word are not.
    if len(os.path.commonprefix([word, match[0]])) >= min(len(word), len(match[0])) - 2:
        return word
    return match[0]


def words(text: str) -> List[str]:
    """The normalised words of `text`."""
    return normalise(text).split()


def contains_any(text: str, phrases: Iterable[str]) -> bool:
    """True if the normalised text contains any of the normalised phrases as whole words."""
    padded = f" {normalise(text)} "
    return any(f" {normalise(p)} " in padded for p in phrases)
