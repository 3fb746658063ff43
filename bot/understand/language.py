"""Which language a message is in, so a Welsh speaker is answered in Welsh too.

Lingua (a language detector with offline models, from PyPI) chooses among English, Welsh and the
languages most spoken in UK homes after them. Short messages are hard: "ok", "na" or "hi" say
nothing, so a message counts as another language only when the detector is sure and it has
enough words, and common Welsh words settle a close call between Welsh and English.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

#: Welsh function words that English messages do not use (a close call goes to Welsh when present).
WELSH_MARKERS = {
    "dw",
    "dwi",
    "mae",
    "yn",
    "fy",
    "ddim",
    "wedi",
    "eisiau",
    "isio",
    "moyn",
    "gyda",
    "efo",
    "diolch",
    "ond",
    "hefyd",
    "ysbyty",
    "meddyg",
    "teulu",
    "nhw",
    "chi",
    "fi",
    "ni",
    "hi",
    "e",
    "o",
    "yr",
    "y",
    "am",
    "ac",
    "i'n",
    "mae'r",
    "dydw",
    "roedd",
    "bydd",
    "gallu",
    "cwyn",
    "cwyno",
    "plis",
    "os",
    "gwneud",
    "gŵyn",
    "nghwyn",
    "ffurfiol",
    "gwnes",
    "gwnaethon",
    "ges",
    "ces",
    "rydw",
    "rwy",
    "gen",
    "ganddi",
    "ganddo",
    "yng",
    "ym",
    "i'r",
    "o'r",
    "a'r",
    "bore",
    "helo",
    "sori",
    "bydda",
    "dim",
    "neb",
    "achos",
}
#: Markers that are also English words or letters ("am", "hi", "o"): they count only beside a distinctly Welsh one.
AMBIGUOUS = {"am", "hi", "e", "o", "y", "fi", "chi", "ni", "os", "plis"}
MIN_WORDS = 3
SURE = 0.6


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.ENGLISH,
        Language.WELSH,
        Language.POLISH,
        Language.URDU,
        Language.PUNJABI,
        Language.ARABIC,
        Language.ROMANIAN,
        Language.BENGALI,
        Language.PORTUGUESE,
        Language.SPANISH,
        Language.LITHUANIAN,
        Language.FRENCH,
    ]
    # Low-accuracy mode reads trigrams only: about 20 MB instead of 400 MB for all models, and on
    # whole messages (not single words) it tells Welsh from English as well (bench: language).
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


def warm_up() -> None:
    """Load the models now (a few seconds), not on the first message."""
    _detector()


def detect(text: str) -> Optional[str]:
    """The ISO 639-1 code of the message's language ("cy", "pl" ...), "en", or None if it cannot say."""
    words = [w.strip(".,!?;:'\"()").lower() for w in (text or "").split()]
    words = [w for w in words if w]
    if len(words) < MIN_WORDS:
        return None
    # Names, emails and numbers say nothing about the language ("I am Bartholomew Quigley, my email is ...").
    plain = " ".join(
        w for w in (text or "").split() if "@" not in w and "://" not in w and not any(c.isdigit() for c in w)
    )
    values = _detector().compute_language_confidence_values(plain or text)
    if not values:
        return None
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    welsh_words = sum(w in WELSH_MARKERS for w in words)
    if code == "en":
        welsh = next((v.value for v in values if v.language.iso_code_639_1.name.lower() == "cy"), 0.0)
        return "cy" if welsh >= 0.3 and welsh_words >= 3 else "en"
    if code == "cy":
        distinct = sum(w in WELSH_MARKERS and w not in AMBIGUOUS for w in words)
        if not distinct:
            return "en"  # trigrams of an unusual name are not Welsh without a Welsh word
        return "cy" if best.value >= SURE or welsh_words >= 2 else "en"
    return code if best.value >= SURE + 0.2 and len(words) >= 4 else None
