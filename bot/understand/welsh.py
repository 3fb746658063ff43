"""Welsh initial mutations: a word's first letters change after some words ("Caernarfon" -> "yng
Nghaernarfon", "tabledi" -> "ei dabledi"). Used by the safety patterns and the place names."""

from __future__ import annotations

from typing import List

#: Welsh initial mutations: a radical's first letters and what they become after soft, nasal and aspirate
#: mutation ("tabledi" -> "dabledi", "nhabledi", "thabledi"; "gwely" -> "wely", "ngwely").
_MUTATIONS = (
    ("ll", ("l",)),
    ("rh", ("r",)),
    ("p", ("b", "mh", "ph")),
    ("t", ("d", "nh", "th")),
    ("c", ("g", "ngh", "ch")),
    ("b", ("f", "m")),
    ("d", ("dd", "n")),
    ("g", ("", "ng")),
    ("m", ("f",)),
)
_VOWELS = "aeiouwyâêîôûŵŷ"


def welsh_forms(word: str) -> List[str]:
    """A Welsh word and its mutated forms (a vowel-initial word also takes an "h": "ei harian")."""
    forms = [word]
    for radical, mutated in _MUTATIONS:
        if word.startswith(radical):
            forms += [m + word[len(radical) :] for m in mutated]
            break
    else:
        if word[:1] in _VOWELS:
            forms.append("h" + word)
    return forms
