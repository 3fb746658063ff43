"""The words of a drafted letter: gaps to fill in, questions, requests and the rules on replies.

Kept apart from the code that puts them together (compose.py) so that they can be read, checked
for plain English (tests/unit/test_letter.py) and changed without touching the logic.
See docs/letter.md for the advocates' templates and the rules these follow.

Gaps are always in square brackets and start with a small letter, unless they start a line.
A gap is what the person did not tell us: the letter never guesses a date, a name or a number.
"""

from __future__ import annotations

from typing import Dict, Optional

#: The words that change when someone writes for another person.
VOICES: Dict[str, Dict[str, str]] = {
    "self": {"subj": "I", "obj": "me", "pos": "my", "was": "was", "did": "did I", "have": "have I"},
    "behalf": {"subj": "they", "obj": "them", "pos": "their", "was": "were", "did": "did they", "have": "have they"},
}

#: Who is writing, and how to reach them (advocates' templates all start with this).
WRITER = "[Your full name]\n[Your address]\n[Your phone number or email]"
SIGN_OFF = "Yours sincerely,\n\n[Your full name]"
THEIR_CONTACT = "[their address or email]"
SELF_DETAILS = "My date of birth is [your date of birth]."

#: The organisation, where its name is not known: by service.
SERVICE_GAPS = {
    "gp": "[name of the GP practice]",
    "dentist": "[name of the dental practice]",
    "pharmacy": "[name of the pharmacy]",
    "optician": "[name of the optician]",
    "ambulance": "[name of the ambulance service]",
    "mental_health": "[name of the mental health service]",
    "community_health": "[name of the community health service]",
    "nhs_111": "[name of the NHS 111 service]",
    "care_home": "[name of the care home]",
    "home_care": "[name of the home care agency]",
    "council_social_care": "[name of your council]",
    "children_social_care": "[name of your council]",
    "private_hospital": "[name of the hospital or clinic]",
    "prison_healthcare": "[name of the prison healthcare service]",
    "continuing_healthcare": "[name of the NHS body that made the decision]",
    "supported_housing": "[name of the housing provider]",
    "other": "[name of the service]",
}
HOSPITAL_GAPS = {
    "england": "[name of the hospital trust]",
    "scotland": "[name of the NHS board]",
    "wales": "[name of the health board or NHS trust]",
    "northern_ireland": "[name of the HSC trust]",
}
ROUTE_GAPS = {
    "council": "[name of your council]",
    "icb": "[name of your integrated care board]",
    "pals": "[name of the hospital or trust]",
}
ANY_SERVICE = "[name of the service]"

#: The complaints procedure to name in the opening, by nation, where the care was NHS care.
NHS_PROCEDURE = {
    "england": "the NHS complaints procedure",
    "scotland": "the NHS Scotland complaints procedure",
    "wales": "the NHS Wales concerns process",
    "northern_ireland": "the Health and Social Care complaints procedure",
}
OWN_PROCEDURE = "your complaints procedure"
ENGLAND_COUNCIL_PROCEDURE = {
    "council_care": "your complaints procedure for adult social care",
    "children": "your complaints procedure for children's services",
}

#: The opening paragraph, by kind of letter. {what}: "care" or "the service"; {about}: the organisation.
OPENINGS = {
    "complaint": "I am writing to make a formal complaint about {what} from {about}. "
    "Please look into it under {procedure}.",
    "raised": "I raised this with staff on [the date you raised it], but it has not been sorted out. "
    "So I am writing to make a formal complaint about {what} from {about}. "
    "Please look into it under {procedure}.",
    "concern": "I would like to raise a concern about {what} from {about}, so that it can be looked into "
    "and put right.",
    "pals": "I would like your help with a concern about {what} from {about}. " "I hope it can be sorted out quickly.",
    "chaser": "I made a complaint to you on [the date you complained] about {what} from {about}. "
    "My reference is [your complaint reference, if you have one]. "
    "I have not yet had your full reply.",
    "review": "I would like you to look at my complaint about {about}. "
    "I have been through their complaints process. "
    "Their final response is dated {final_date}, and I send a copy with this letter.",
    "anonymous": "I want to tell you about a concern about {what} from {about}. "
    "I am not giving my name, so I do not need a reply.",
}
FINAL_DATE_GAP = "[the date of their final response]"

#: When writing for someone else: who they are, and whether they agree (or cannot, or have died).
CONSENT = {
    "yes": "They agree to me making this complaint for them, and they have signed below to say so.",
    "yes_review": "They agree to me acting for them, and they will sign your consent form.",
    "no": "They have not yet agreed to me making this complaint. "
    "I know you may need their consent before you can share their details with me.",
    "cannot_give": "They cannot agree to this themselves, because [the reason, for example they have dementia]. "
    "I am raising it for them, in their best interests.",
    "unknown": "[Say here if they agree to you making this complaint for them.]",
}
RELATION = "[relationship to them, for example son or wife]"
BEHALF = f"I am acting for [their full name], born [their date of birth]. I am their {RELATION}."
DECEASED = (
    f"This is about the care of [their full name], who has died. I am their {RELATION}. "
    "They died on [the date they died]."
)
THEY_SIGN = "Signed to show they agree: [their signature and full name]"

#: What happened: their own words, then when, where and who, as gaps to fill in.
STORY_GAP = "[Say what happened, in your own words.]"
WHEN_WHERE = "It happened on [the date or dates] at [the place, for example the ward or surgery]."
STAFF_KNOWN = "The staff involved include the {professional} ([their name, if you know it])."
STAFF_GAP = "The staff involved were [their names or jobs, if you know them]."
PROFESSIONALS = {
    "doctor": "doctor",
    "nurse": "nurse",
    "midwife": "midwife",
    "dentist": "dentist",
    "pharmacist": "pharmacist",
    "optometrist": "optician",
    "paramedic": "paramedic",
    "social_worker": "social worker",
    "allied_health": "therapist",
    "care_worker": "care worker",
    "osteopath": "osteopath",
    "chiropractor": "chiropractor",
}

HEADINGS = {
    "happened": "What happened",
    "unresolved": "Why I am still unhappy",
    "impact_self": "How this has affected me",
    "impact_behalf": "How this has affected them, and me",
    "impact_deceased": "How this has affected me and my family",
    "questions": "My questions",
    "requests": "What I would like to happen",
    "why_telling": "Why I am telling you",
}
IMPACT = {
    "self": "[Say how this has affected you, for example your health, your work or your family.]",
    "behalf": "[Say how this has affected them, and you.]",
    "deceased": "[Say how this has affected you and your family.]",
}
UNRESOLVED = "[Say why their answer did not settle it, for example which questions it did not answer.]"

#: Questions that follow from what went wrong (the person can change them). {subj}, {pos}... from VOICES.
ISSUE_QUESTIONS = {
    "care_treatment": "Was {pos} care and treatment of the standard it should be? If not, why not?",
    "communication": "Why {was} {subj} not told what was happening?",
    "staff_conduct": "Why did staff treat {obj} in this way?",
    "access_waiting": "Why {did} have to wait so long?",
    "discharge": "How was the decision made to send {obj} home, and was it safe?",
    "medication": "How did the problem with {pos} medicines happen?",
    "dignity": "Why {was} {subj} not treated with dignity and respect?",
    "safety_risk": "What are you doing to make sure this is safe now?",
    "abuse_neglect": "What have you done to keep {obj} safe since this happened?",
    "death": "What happened before they died, and could anything have been done differently?",
    "mental_health_act": "Was the Mental Health Act used in the right way?",
    "records_data": "Why are {pos} records wrong, and how will you put them right?",
}
EXPLAIN_QUESTION = "What went wrong, and why?"
MORE_QUESTIONS = "[Any other question you want answered]"
MAX_QUESTIONS = 4

#: What the person wants (their outcomes), as requests. {subj}/{obj}: "you", or "they"/"them" when the letter
#: goes to an ombudsman about the organisation.
REQUESTS = {
    "explanation": "A full explanation of what happened and why.",
    "apology": "An apology.",
    "put_right": "For {obj} to put things right: [say what would put it right for you].",
    "change_practice": "To know what {subj} will change, so that this does not happen to anyone else.",
    "compensation": "To know if {subj} will offer a payment for [the costs or losses this caused].",
    "concern_only": "For {obj} to look into this, so that it is dealt with.",
    "protect_others": "To know what {subj} will do to keep other people safe.",
    "accountability": "To know what action {subj} will take about the staff involved.",
}
REQUESTS_WALES_NHS = {
    "compensation": "For {obj} to consider redress under the NHS Wales concerns process, "
    "for [the harm or losses this caused].",
}
REQUEST_GAP = "[Say what you would like to happen, for example an explanation or an apology.]"
#: An anonymous concern can only ask for what needs no reply.
ANONYMOUS_REQUESTS = ("change_practice", "protect_others")
ANONYMOUS_ASK = "Please look into it, so that it does not happen again."
ANONYMOUS_END = "Thank you for reading this."

#: Asking for an acknowledgement in the time the rules give, and offering to meet.
ACK_DAYS = "Please acknowledge this {thing} within {days} working days, as the complaint rules say."
ACK_PROMPTLY = "Please let me know soon that you have had this {thing}."
MEET = "I would be glad to meet you, or to talk on the phone, to help sort this out."
MEET_REVIEW = "I am happy to talk to you about it, or to send more papers."
CHASE = "Please tell me what is happening, and when I will get your full reply."

#: The short message for the person that goes with the letter (never in the letter itself).
NOTE_GAPS = "Fill in the parts in square brackets, and take out any you do not need."
NOTE_REVIEW = "Send a copy of their final response with it."
NOTE_ANONYMOUS = (
    "As you want to stay anonymous, this is a concern that needs no reply. "
    "They cannot reply to someone they cannot contact, so it cannot get you an answer "
    "or an apology. Before you send it, take out anything that could show who you are."
)
NOTE_ANONYMOUS_REVIEW = "An ombudsman can only look into a complaint from someone it can contact."
NOTE_LONG = (
    "This letter is longer than one page ({words} words). A short letter is easier to act on: "
    "you could shorten your account and send a list of dates with it."
)


def acknowledgement(days: Optional[int], thing: str = "complaint") -> str:
    """The sentence asking for an acknowledgement: in N working days, or soon when no rule is confirmed."""
    if days:
        return ACK_DAYS.format(thing=thing, days=days)
    return ACK_PROMPTLY.format(thing=thing)
