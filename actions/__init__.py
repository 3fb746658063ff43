"""Rasa SDK actions: thin adapters between Rasa's tracker and the `bot` package.

Run with `python -m rasa_sdk --actions actions`. Each module registers its
actions on import.
"""

from bot.observability import configure_logging

configure_logging("actions")  # LOG_FORMAT, scrubbed fields, error counts (bot.observability)

from actions import advice, followup, info, intake, safety  # noqa: E402,F401  (registers the actions)
