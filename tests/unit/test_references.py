"""References: a keyed check character makes guessing pointless; references made before still resolve."""

import random

from bot.record.store import (
    REF_ALPHABET,
    _check_char,
    _keyed_check_char,
    looks_like_reference,
    new_reference,
    normalise_reference,
)


def _legacy(body: str) -> str:
    full = body + _check_char(body)
    return f"{full[:3]}-{full[3:6]}-{full[6:]}"


def test_new_references_carry_the_keyed_check_and_are_read_however_typed(tmp_data_dir):
    for _ in range(200):
        ref = new_reference()
        body = ref.replace("-", "")
        assert _keyed_check_char(body[:7]) == body[7]
        for typed in (ref, ref.lower(), body, f"{body[:3]} {body[3:6]} {body[6:]}", f"what's happening with {ref}?"):
            assert normalise_reference(typed) == ref, typed


def test_without_the_key_a_guess_is_well_formed_one_time_in_thirty(tmp_data_dir):
    rng = random.Random(7)
    guesses = ["".join(rng.choice(REF_ALPHABET) for _ in range(8)) for _ in range(6000)]
    keyed = sum(_keyed_check_char(g[:7]) == g[7] for g in guesses)
    assert 120 <= keyed <= 290  # about 200 (one in 30): the public checksum no longer makes a new reference
    # Computing the old public checksum does not make a new-style reference either.
    made = [g[:7] + _check_char(g[:7]) for g in guesses[:3000]]
    assert sum(_keyed_check_char(m[:7]) == m[7] for m in made) <= 150


def test_no_ordinary_word_or_phrase_is_read_as_a_new_reference_whatever_the_key(tmp_data_dir, monkeypatch):
    """The keyed check differs between deployments; it never decides whether words are a reference."""
    from bot import privacy

    phrases = [
        "it's been 2 weeks since i was referred",
        "at 8am every day",
        "PHARMACY",
        "my daughter",
        "I can't remember",
        "any updte on my case",
        "and heard nothing since 2019",
    ]
    for key in ("one", "two", "three", "four", "five", "six", "seven", "eight"):
        monkeypatch.setattr(privacy, "_pseudonym_key", lambda key=key: key.encode() * 8)
        found = {p: normalise_reference(p) for p in phrases}
        legacy = {p: r for p, r in found.items() if r and _check_char(r.replace("-", "")[:7]) == r.replace("-", "")[7]}
        assert found == {p: legacy.get(p) for p in phrases}, key  # only what the public checksum always said
        ref = new_reference()
        assert any(c.isdigit() for c in ref) and normalise_reference(f"any news on {ref}?") == ref


def test_references_made_before_the_keyed_check_still_resolve(tmp_data_dir):
    rng = random.Random(11)
    for _ in range(100):
        ref = _legacy("".join(rng.choice(REF_ALPHABET) for _ in range(7)))
        assert normalise_reference(ref) == ref
        assert normalise_reference(f"my ref is {ref.lower()} thanks") == ref


def test_anything_written_like_a_reference_counts_as_a_lookup(tmp_data_dir):
    assert looks_like_reference(new_reference())
    assert looks_like_reference("ABC-DEF-GH")  # well-formed or not: it is a lookup attempt
    assert looks_like_reference("  abc def gh ")
    assert looks_like_reference(f"any news on {new_reference()}?")
    assert not looks_like_reference("my GP receptionist was rude to me")
    assert not looks_like_reference("England")
