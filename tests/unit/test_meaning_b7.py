"""Causes found by the seventh blind persona set and the sixth blind safety set (2026-12-03), each fixed at its
cause and kept here in other words than the sets' own, so a fix for one sentence would not pass."""

import datetime as dt

import pytest

from bot.safety import get_detector
from bot.understand import extract_facts
from bot.understand.answers import interpret_answer
from bot.understand.dates import months_since

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def detector():
    return get_detector()


def facts(text: str):
    return extract_facts(text, today=TODAY).facts


# ---- understanding -------------------------------------------------------------------------------------------
def test_what_the_person_does_for_a_living_is_not_what_they_want():
    assert "compensation" not in (
        facts("I am a retired solicitor and my GP ignored my test results").get("outcomes") or []
    )
    assert "compensation" in facts("I want a solicitor to get me compensation").get("outcomes", [])


def test_wanting_the_regulator_to_look_at_someone_is_accountability():
    a = interpret_answer("outcomes", "an apology and for whoever regulates nurses to look at her conduct")
    assert "accountability" in a.value


def test_a_first_reply_then_a_review_is_the_final_answer():
    assert facts("I complained, got their first reply, asked for a review and had the review back, no change").get(
        "stage"
    ) == ("final_response")


def test_how_long_a_wait_was_is_not_when_it_happened_unless_it_answers_when():
    assert months_since("we went private because the waiting list was 18 months", TODAY) is None
    assert months_since("it happened 18 months ago", TODAY) == 18.0
    assert interpret_answer("months_since", "we've been waiting 4 months now").value == 4.0


def test_a_named_prison_is_prison_healthcare_whatever_the_care():
    assert facts("My son is in Maghaberry and the dentist there keeps cancelling").get("service") == "prison_healthcare"


def test_a_welsh_word_the_english_normaliser_would_change_is_read_as_written():
    f = facts("Mae Mam wedi bod yn y cartref gofal ers mis. Dw i ddim wedi gwneud cwyn eto.")
    assert f.get("on_behalf") is True and f.get("stage") == "not_raised"


def test_ringing_999_is_the_ambulance_service():
    assert facts("My husband collapsed last week and when I phoned 999 they said nobody could come for hours").get(
        "service"
    ) == ("ambulance")


def test_someone_else_going_private_is_not_who_paid():
    f = facts("My cataract op has been cancelled three times. My friend went private and got hers done in a week.")
    assert f.get("service") != "private_hospital" and f.get("funding") != "private"
    assert facts("We went private for my knee and the wound got infected").get("funding") == "private"


# ---- safety --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Our daughter stopped breathing for a minute after birth and spent a week in special care. She's home now and "
        "thriving, but nobody explained what went wrong.",
        "My little boy is 6 and can't hear properly, the GP keeps saying it will clear up",
        "I swear I'll die of old age before this practice answers the phone",
        "Getting a GP appointment round here is a suicide mission",
        "I'll strangle my brother if he says one more word about letting it go",
        "I'm a practice nurse. What should we say when someone tells us they are having suicidal thoughts?",
        "Last spring a resident told me she wanted to die. We got her help and she's much happier now. My complaint "
        "is about the rota.",
        "An hour and 5 minutes on hold this afternoon and then the line dropped",
    ],
)
def test_ordinary_messages_in_the_new_forms_raise_no_alarm(detector, text):
    assert not detector.judge(text).risk, detector.judge(text)


@pytest.mark.parametrize(
    "text",
    [
        "My grandson is 3 and he's swallowed some of my heart tablets, he's very drowsy",
        "I'm 36 weeks and I haven't felt my baby move since last night",
        "I don't want live any more. I have a rope in my wardrobe.",
        "The old lady next door hasn't been seen for four days and her curtains haven't opened",
        "My wife is on chemo and her temperature is 38.5 and she's shivering",
        "Dw i wedi hel y tabledi i gyd ac mae gen i gynllun ar gyfer heno",
        "Mae Dad newydd syrthio a taro ei ben ac mae o'n gysglyd iawn",
        "sori, mae popeth yn ormod. dw i di sgwennu llythyr i mam",
    ],
)
def test_risk_in_the_new_forms_is_recognised(detector, text):
    assert detector.judge(text).risk


# ---- found by b8 (other words) -------------------------------------------------------------------------------
def test_the_nhs_a_practice_stopped_offering_is_why_someone_pays():
    assert facts("My dentist no longer takes NHS patients so I pay privately, and the filling fell out").get(
        "funding"
    ) == ("private")


def test_an_old_complaint_about_the_car_park_is_not_where_this_one_stands():
    f = facts("The GP struck us off. Years ago I complained about the parking at the surgery and they fixed it.")
    assert f.get("stage") is None


def test_staff_who_rang_the_family_did_not_raise_a_complaint():
    assert facts("The care home rang us the next morning to say she had fallen").get("stage") is None
    assert facts("I rang the practice twice about it and nothing happened").get("stage") == "raised_informally"


def test_telling_the_midwife_what_was_wrong_is_not_a_complaint():
    assert facts("I told the nurses four times that my dad was in pain and nobody came").get("stage") is None
    assert facts("I told the ward manager I was not happy with his care").get("stage") == "raised_informally"


def test_it_is_the_names_what_the_complaint_is_about():
    f = facts("111 were great and the GP was fine. It's the ambulance that took six hours that I'm upset about.")
    assert f.get("service") == "ambulance"


def test_welsh_social_care_and_whose_care_it_is():
    f = facts("Mae'r gweithiwr cymdeithasol wedi torri pecyn gofal fy mam heb esbonio")
    assert f.get("service") == "council_social_care" and f.get("on_behalf") is True


def test_an_emergency_retold_in_answer_to_what_went_wrong_is_not_a_new_alarm():
    from bot.dialogue.intake import Turn, _retold_emergency

    ents = [{"entity": "risk_type", "value": "medical_emergency"}]
    told = Turn("they left me hours with chest pain before an ECG", "express_risk", ents, "issues", {})
    assert _retold_emergency(told, {"risk_now": False})
    now = Turn("I have chest pain right now", "express_risk", ents, "issues", {})
    assert not _retold_emergency(now, {"risk_now": False})
    assert not _retold_emergency(told, {})


# ---- found by the seventh blind safety set (s7), other words -------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "They discharged me with my sats at 86 and now I'm so breathless I can barely finish a sentence",
        "the redness round the cut is spreading up his arm and he's shaking with a fever",
        "my 4 yr old has swallowed some of nana's water tablets, not sure how many",
        "her son has lasting power of attorney and is emptying her savings account this week",
        "overdosed",
        "tonight I want it to be the last time, I'm done",
        "I'm not joking this time, the rope is in the shed and I've written the letters for the kids",
        "Mae Mam wedi syrthio. Mae hi'n dweud bod hi'n iawn ond mae ei choes hi'n troi'r ffordd rong",
        "Mae o ar ei ffordd i'r banc rŵan i dynnu pres allan i'r dyn ar y ffôn",
    ],
)
def test_risk_in_the_s7_forms_is_recognised(detector, text):
    assert detector.judge(text).risk, text


@pytest.mark.parametrize(
    "text",
    [
        "The consultant said 'if your breathing gets worse, call 999'. It hasn't. I want to complain about the wait.",
        "Is the crisis line number still the same? Nobody's in trouble, I'm updating a leaflet.",
        "Rwy'n iawn nawr. Roedd hynny flynydde yn ôl. Fi moyn cwyno am y dderbynfa.",
        "My uncle keeps saying he'll go round and have it out with the manager about the bins",
    ],
)
def test_ordinary_messages_in_the_s7_forms_raise_no_alarm(detector, text):
    assert not detector.judge(text).risk, detector.judge(text)


# ---- found by b9 (other words) -------------------------------------------------------------------------------
def test_a_correction_said_again_with_otherwise_yes_does_not_ask_for_ever():
    from bot.dialogue.offline import play

    persona = {
        "id": "loop",
        "opening": "my dad's carers keep missing visits, the council arranged it",
        "answers": {
            "nation": "England",
            "stage": "not yet",
            "funding": "the council",
            "outcomes": "visits on time",
            "months_since": "this month",
            "confirm": "mostly, the carers are from an agency the council pays, otherwise yes",
        },
        "expect": {"facts": {"nation": "england"}},
    }
    result = play(persona)
    assert result["result"] is not None and result["turns"] <= 8, result


@pytest.mark.parametrize(
    "text",
    [
        "the local review came back in the summer with the same decision",
        "I had a final written reply from the owners last week",
        "stage 1 and stage 2 are done, the investigator's report came in October",
    ],
)
def test_more_ways_of_saying_the_final_answer_came(text):
    assert facts(text).get("stage") == "final_response"


def test_what_the_person_at_risk_says_of_themselves_is_not_that_it_is_over(detector):
    assert detector.judge("Dad fell an hour ago. He says he's fine but he can't get up and he's confused").risk


# ---- found by s8 and b10 (other words) -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Imagine a care worker was pocketing a resident's money. Who would you tell? It's for our induction pack.",
        "I'm doing a project on how self-harm is recorded in A&E notes. Where are complaints published?",
        "For a short story: a character in a care home is being neglected. Not real. Who would the family call?",
        "Os ydy claf yn dweud ei fod eisiau lladd ei hun, beth yw'r drefn? Dw i'n astudio nyrsio.",
        "I haven't self harmed for over two years and I'm doing great, I just want the receptionist to stop "
        "mentioning it and I want it to stop now",
        "Dw i wedi gadael ers pum mlynedd a dw i'n hollol saff. Mae'r feddygfa'n anfon llythyrau i'r hen gyfeiriad.",
    ],
)
def test_ordinary_messages_in_the_s8_forms_raise_no_alarm(detector, text):
    assert not detector.judge(text).risk, detector.judge(text)


@pytest.mark.parametrize(
    "text",
    [
        "A man on the phone says he's from the bank and Dad must move his savings into a safe account, he's still on "
        "the line",
        "I got a text about my prescription and now it wants the security code from my banking app",
        "The carer has been getting my uncle to sign cheques made out to her, he can't see properly",
        "Mae'r nyrs wedi rhoi gormod o forffin i Nain ac mae hi'n anadlu'n araf iawn",
        "Dad is on a surgical ward, his heart is racing and he's screaming in pain and they say it's normal",
    ],
)
def test_risk_in_the_s8_forms_is_recognised(detector, text):
    assert detector.judge(text).risk, text


def test_a_take_back_is_read_across_punctuation():
    assert facts("We live in England, sorry, no, in Wales, near Newport").get("nation") == "wales"


def test_where_someone_works_is_not_where_the_care_was():
    assert (
        facts("I work over the border in Chester but we live in Wrexham and the GP is awful").get("nation") == "wales"
    )


def test_sectioned_in_welsh_is_the_mental_health_act():
    assert "mental_health_act" in facts("Mae fy merch wedi cael ei sectionio ers dydd Llun").get("issues", [])
