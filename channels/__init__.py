"""Rasa input channels: a hardened REST channel (web chat and the evaluation tools) and SMS."""
