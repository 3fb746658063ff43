"""The conversation: the intake (what to ask next), the advice, and the words used."""
