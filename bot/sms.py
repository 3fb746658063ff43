"""What a text message asks of the SMS channel before it is a conversation: STOP, START, HELP.

Pure functions, so the policy is tested without Twilio or Rasa (channels/sms.py applies it).

Carriers and Twilio act on a few keywords when they are the whole message (any case, spaces
around them ignored): STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT (and Twilio's newer
REVOKE, OPTOUT) stop all texts from the number and are confirmed by Twilio itself; START,
YES, UNSTOP start them again; HELP, INFO ask what this is. A person also writes "stop please",
"Stop texting me", "opt out" or "STOP STOP": Twilio does not act on those, but a person means
the same, so they opt out here too, and we confirm it, since nobody else will.

A message that shows a risk of harm gets the safety reply whatever the opt-out state: the
carrier may still refuse to deliver it (Twilio blocks texts to a number that sent a carrier
keyword), which is the one thing we cannot change.

After a conversation has ended (the closing or goodbye was said), the next text starts a new
one: on SMS one number is one conversation, and a second complaint must be a new case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional

STOP_KEYWORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
START_KEYWORDS = frozenset({"start", "unstop", "yes"})
HELP_KEYWORDS = frozenset({"help", "info"})

#: Words that say "stop texting me" when nothing else is in the message.
_STOP_PHRASES = re.compile(
    r"\b(?:stop|stopall|unsubscribe|opt(?:ing)?[\s-]?out|optout|"
    r"(?:do not|don'?t|dont|never) (?:text|txt|message|msg|contact|sms) me|"
    r"no more (?:texts?|txts?|messages?|msgs?|sms))\b"
)
#: Words around a stop phrase that change nothing: "stop texting me please", "I want you to stop".
_FILLER = frozenset(
    """please pls plz now thanks thank thx ty you u me my i i'm im want wanna would like wish
just ok okay k x xx xxx it this that these those them all of from to the a list number again anymore any more
ever texting texts text txt txting messaging messages message msgs sending send contacting contact sms right away
immediately asap at once i'd id so can could will you're youre""".split()
)
#: When a stop phrase is here only as part of a story ("the pain won't stop"), it is not an opt-out:
#: only messages this short are read as a request to stop texts.
_MAX_WORDS = 10
_EDGE_PUNCTUATION = " \t\n.!?,;:'\"()[]*-"


@dataclass(frozen=True)
class Decision:
    """What the channel does with a text.

    action: "opt_out", "opt_in", "help", "converse" (a normal turn), "safety_only" (opted out, but
    the message shows risk of harm: the turn runs and only the safety reply is sent), "silent"
    (opted out: nothing processed, nothing sent).
    carrier_keyword: the whole message was a carrier keyword, which Twilio has already acted on and
    confirmed; a phrase like "stop please" is not, so the channel confirms the opt-out itself.
    safety: the message shows risk of harm (with "opt_out": opt out, and still send the safety reply).
    """

    action: str
    carrier_keyword: bool = False
    safety: bool = False


def carrier_keyword(body: str) -> Optional[str]:
    """The keyword a carrier reads in this message (lower case), or None: the whole message must be it."""
    word = (body or "").strip(_EDGE_PUNCTUATION).lower()
    if word in STOP_KEYWORDS or word in START_KEYWORDS or word in HELP_KEYWORDS:
        return word
    return None


def asks_to_stop(body: str) -> bool:
    """Whether a short message asks for texts to stop in words a carrier does not act on
    ("stop please", "Stop texting me", "opt out", "STOP STOP", "please don't text me again")."""
    text = " ".join((body or "").lower().replace("\u2019", "'").split())
    words = re.findall(r"[a-z']+", text)
    if not words or len(words) > _MAX_WORDS or not _STOP_PHRASES.search(text):
        return False
    rest = re.findall(r"[a-z']+", _STOP_PHRASES.sub(" ", text))
    return all(w.strip("'") in _FILLER for w in rest)


def decide(body: str, opted_out: Optional[bool], risk: bool) -> Decision:
    """The channel's action for a text, given whether the number opted out (None: unknown, which is
    treated as opted out: never text someone who may have said STOP) and whether it shows risk."""
    keyword = carrier_keyword(body)
    stopped = opted_out is not False
    if keyword in STOP_KEYWORDS:
        return Decision("opt_out", carrier_keyword=True)
    if keyword in ("start", "unstop") or (keyword == "yes" and opted_out):
        return Decision("opt_in", carrier_keyword=True)
    if asks_to_stop(body):
        return Decision("opt_out", safety=risk)
    if risk:
        return Decision("safety_only" if stopped else "converse", safety=True)
    if stopped:
        return Decision("silent")
    if keyword in HELP_KEYWORDS:
        return Decision("help", carrier_keyword=True)
    return Decision("converse")


def safety_texts(messages: Iterable[Dict[str, Any]]) -> List[str]:
    """The texts of a turn's safety replies: each is the text just before a `{"safety": true}` marker
    (a response with text and a custom payload reaches the channel as those two messages)."""
    out: List[str] = []
    previous: Optional[Dict[str, Any]] = None
    for m in messages:
        custom = m.get("custom")
        if isinstance(custom, dict) and custom.get("safety") and previous is not None and previous.get("text"):
            out.append(previous["text"])
        previous = m
    return out


#: Bot actions and responses that end a conversation.
_ENDINGS = frozenset({"action_close", "utter_closing", "utter_goodbye"})


def conversation_over(events: Iterable[Dict[str, Any]]) -> bool:
    """Whether the conversation's last turn ended it (the closing or a goodbye, with no form open),
    so the person's next text starts a new one. `events` as Rasa stores them (dicts)."""
    ended = False
    loop: Optional[str] = None
    for e in events:
        kind = e.get("event")
        if kind == "user":
            ended = False
        elif kind == "restart":
            ended, loop = False, None
        elif kind == "active_loop":
            loop = e.get("name")
        elif kind == "action" and e.get("name") in _ENDINGS:
            ended = True
        elif kind == "bot" and (e.get("metadata") or {}).get("utter_action") in _ENDINGS:
            ended = True
    return ended and loop is None
