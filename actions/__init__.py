"""Rasa SDK actions: thin adapters between Rasa's tracker and the `bot` package.

Run with `python -m rasa_sdk --actions actions`. Each module registers its
actions on import.
"""
from actions import advice, followup, info, intake, safety  # noqa: F401  (registers the actions)
