"""What comes in from outside is made safe once, at the edge (bot.edge), and limits on lookups (bot.limits)."""

import json

import pytest

from bot.edge import MAX_CHARS, BadInput, clean_text, client_address, normalise_text, parse_json
from bot.limits import WindowLimit


def test_a_lone_surrogate_is_removed_and_what_is_left_can_be_encoded_anywhere():
    text, problem = clean_text("hi \ud800 there \udfff")
    assert text == "hi  there" and problem is None
    text.encode("utf-8")  # what the database drivers and spaCy do with it
    assert clean_text("\ud800") == (None, "empty")
    assert clean_text("\U0001f600 ok")[0] == "\U0001f600 ok"  # a real emoji (a valid pair) stays


def test_controls_bidi_overrides_and_invisible_characters_are_removed():
    assert normalise_text("a\x00b\x1bc\x7fd\x85e") == "a b c d e"
    assert normalise_text("Zo\u200bfia \u202eWrzesniewska\u202c\ufeff") == "Zofia Wrzesniewska"
    assert normalise_text("line one\r\nline two") == "line one\nline two"
    assert normalise_text("family \U0001f468\u200d\U0001f469") == "family \U0001f468\u200d\U0001f469"  # ZWJ kept


def test_text_is_in_normal_form_c():
    decomposed = "Wis\u0301niewski"
    assert normalise_text(decomposed) == "Wiśniewski"


def test_a_leading_slash_never_reaches_rasa_and_length_is_capped():
    assert clean_text('/inform{"service":"gp"}')[0] == 'inform{"service":"gp"}'
    assert clean_text(" / /restart")[0] == "restart"
    text, problem = clean_text("a" * (MAX_CHARS + 5))
    assert len(text) == MAX_CHARS and problem == "too_long"
    assert clean_text("\u0301" * 50_000)[0] is not None  # combining marks alone: bounded work, some text


@pytest.mark.parametrize("raw, text", [(False, "no"), (True, "yes"), (42, "42"), (1.5, "1.5"), (float("inf"), "inf")])
def test_non_strings_become_words(raw, text):
    assert clean_text(raw)[0] == text


@pytest.mark.parametrize("raw", [None, [], {}, ["a"], {"x": 1}, "   ", "/"])
def test_nothing_to_read_is_a_problem_not_an_exception(raw):
    text, problem = clean_text(raw)
    assert text is None and problem in ("empty", "not_text")


def test_parse_json_never_raises_anything_but_bad_input():
    assert parse_json(b'{"sender": "a", "message": "hi"}') == {"sender": "a", "message": "hi"}
    assert parse_json('\ufeff{"a": 1}'.encode()) == {"a": 1}
    assert parse_json(('{"message": ' + "9" * 5000 + "}").encode()) == {"message": "9" * 5000}
    assert parse_json(b'{"message": 12345}') == {"message": 12345}
    assert parse_json(b'{"m": "hi \\ud800"}') == {"m": "hi \ud800"}  # decoded; clean_text removes it
    for bad in (
        b"[" * 7000 + b"]" * 7000,
        b'{"a":' * 20 + b"1" + b"}" * 20,
        b"\xff\xfe{}",
        b"not json",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"{",
        "{}".encode("utf-16"),
        b'{"a": "\xed\xa0\x80"}',
    ):
        with pytest.raises(BadInput):
            parse_json(bad)


def test_nesting_is_measured_outside_strings():
    assert parse_json(json.dumps({"message": "[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{"}).encode())["message"].startswith("[")


def test_the_client_address_behind_a_trusted_proxy_is_the_last_hop():
    assert client_address("10.0.0.2", "1.2.3.4, 5.6.7.8", trust_proxy=True) == "5.6.7.8"
    assert client_address("10.0.0.2", "1.2.3.4, 5.6.7.8", trust_proxy=False) == "10.0.0.2"
    assert client_address(None, None, trust_proxy=False) == "unknown"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_lookups_are_limited_per_key_and_for_everyone_together():
    clock = Clock()
    limit = WindowLimit(per_key=3, overall=5, window=3600, clock=clock)
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.retry_after("a") == 3600
    assert [limit.allow(k) for k in ("b", "c", "d")] == [True, True, False]  # five in all
    assert limit.retry_after() == 3600
    clock.now += 3600
    assert limit.allow("a") and limit.allow("d")


def test_hammering_keeps_the_door_shut():
    clock = Clock()
    limit = WindowLimit(per_key=2, overall=100, window=60, clock=clock)
    limit.allow("x"), limit.allow("x")
    for _ in range(30):
        clock.now += 10
        assert not limit.allow("x")  # refused tries count: faster than the limit, it never reopens
    clock.now += 61
    assert limit.allow("x")


def test_many_fresh_keys_cannot_fill_memory_or_pass_the_global_limit(monkeypatch):
    from bot import limits

    monkeypatch.setattr(limits, "MAX_KEYS", 100)
    limit = WindowLimit(per_key=10, overall=50, window=3600, clock=Clock())
    allowed = sum(limit.allow(f"sender-{i}") for i in range(1000))
    assert allowed == 50 and len(limit.backend) <= 100
