"""The domain package of the complaints assistant.

Everything that is not Rasa plumbing lives here: the routing knowledge base and
engine (`bot.routing`), language understanding shared by Rasa and the channels
(`bot.understand`), safety detection (`bot.safety`), the record and privacy
(`bot.record`, `bot.privacy`), the web app and staff inbox (`bot.web`), and the
command line (`python -m bot`).
"""
