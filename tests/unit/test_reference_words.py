"""Words are never references, nor reference lookups (found on a blind persona set: "Scotland",
"hospital" and "pharmacy" as answers counted as lookups and were limited; "happened" passed the
public checksum and was read as HAP-PEN-ED)."""

import pytest

from bot.record.store import looks_like_reference, normalise_reference

WORDS = [
    "Scotland",
    "hospital",
    "pharmacy",
    "optician",
    "dentists",
    "happened",
    "yourself",
    "anything",
    "complain",
    "midwives",
    "children",
    "daughter",
    "Northern",
    "Saturday",
    "December",
    "it happened in May",
    "she was admitted on thursday",
    "about 2 month ago it happened",
]


@pytest.mark.parametrize("text", WORDS)
def test_a_word_or_a_sentence_is_not_a_reference_or_a_lookup(text):
    assert normalise_reference(text) is None
    assert not looks_like_reference(text)


@pytest.mark.parametrize("text", ["JUB-UGY-TR", "jub ugy tr", "my reference is JUB-UGY-TR"])
def test_an_old_reference_without_a_digit_still_resolves_when_written_in_its_groups(text):
    assert normalise_reference(text) == "JUB-UGY-TR"
    assert looks_like_reference(text)
