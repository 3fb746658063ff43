"""Custom Rasa NLU components: the project's own fact extraction and safety detection."""
