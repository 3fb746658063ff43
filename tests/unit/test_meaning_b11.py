"""Causes found this session (2026-12-03, fourth session): the earlier other-voices failures, then blind persona
sets b11 and b12 and blind safety sets s9 and s10. Each is fixed at its cause and kept here in other words than
the sets' own, so a fix for one sentence would not pass."""

import datetime as dt

import pytest

from bot.safety import get_detector
from bot.understand import extract_facts
from bot.understand.answers import interpret_answer

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def detector():
    return get_detector()


def facts(text: str):
    return extract_facts(text, today=TODAY).facts


# ---- who it is about -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "I gave birth to my daughter at the Royal in May and the midwife on nights was unkind to me",
        "had my twins at St Mary's and the consultant never came to see me once",
        "Ges i fy mab yn Ysbyty Gwynedd ac roedd y fydwraig yn anghwrtais",
    ],
)
def test_a_mother_telling_of_her_own_birth_is_about_herself(text):
    assert facts(text).get("on_behalf") is not True


def test_a_baby_who_is_the_patient_is_someone_else():
    assert facts("my baby has had a rash for a week and the GP won't see him").get("on_behalf") is True
    assert facts("I had my dad staying with us when the district nurse never turned up").get("on_behalf") is True


# ---- what happened, and how far it has gone ------------------------------------------------------------------
def test_a_late_relative_is_a_death():
    assert "death" in facts("I am writing about the care my late husband had on the ward").get("issues", [])


def test_a_hospice_is_a_service_of_its_own():
    assert facts("the hospice did not manage my aunt's pain at night").get("service") == "other"


def test_kept_on_a_section_is_the_mental_health_act():
    assert "mental_health_act" in facts("they held my son on a mental health section for weeks").get("issues", [])
    assert "mental_health_act" not in facts("after my c-section the ward was filthy").get("issues", [])


def test_getting_their_answer_is_the_final_response():
    assert interpret_answer("stage", "we complained to the trust and had their answer last month").value == (
        "final_response"
    )


def test_not_happening_to_another_family_is_protecting_others():
    a = interpret_answer("outcomes", "I want answers and to be sure this doesn't happen to another patient")
    assert "protect_others" in a.value


# ---- b11 and b12 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "the practice won't renew my blood pressure tablets until I book a review and there are no slots",
        "the surgery refused me a scan for my shoulder three times",
        "Mi ges i driniaeth ar fy llygaid yn yr ysbyty a doedd neb yn egluro dim",
    ],
)
def test_the_persons_own_body_or_medicine_makes_it_about_them(text):
    assert facts(text).get("on_behalf") is False


def test_a_young_person_in_care_speaks_for_themselves_even_naming_a_sibling():
    text = "I'm 15 and in care, my social worker won't let me phone my sister and nobody says why"
    assert facts(text).get("on_behalf") is False


def test_staff_telling_the_patient_something_is_not_a_complaint_raised():
    text = "rang 111 for my dad, the call handler told him to take paracetamol and he ended up admitted. haven't complained"
    assert facts(text).get("stage") == "not_raised"
    assert facts("I told the ward manager and nothing changed").get("stage") == "raised_informally"


def test_a_praised_service_beside_another_is_not_the_case():
    text = "My health visitor has been a star. This is about the GP who laughed when I said I was struggling."
    assert facts(text).get("service") == "gp"


def test_an_nhs_voucher_put_towards_glasses_is_a_purchase():
    assert facts("I used my NHS voucher against a pair of bifocals and they are useless").get("funding") == "private"


def test_a_numbered_brood_is_about_children():
    text = "the social worker for my three kids keeps missing the meetings"
    assert facts(text).get("service") == "children_social_care"


@pytest.mark.parametrize("text, months", [("deufis yn ôl", 2.0), ("tua pythefnos yn ôl", 0.5)])
def test_welsh_compound_spans_of_time(text, months):
    assert interpret_answer("months_since", text).value == pytest.approx(months)


def test_staff_raising_what_happens_at_their_workplace_is_about_that_service_and_others_safety():
    f = facts(
        "I worked nights at a nursing home until October. Residents were left in bed till lunchtime to save staff."
    )
    assert f.get("service") == "care_home"
    assert "protect_others" in f.get("outcomes", [])
    g = facts("I used to work in a care home myself, and now my mum's GP won't visit her")
    assert g.get("service") == "gp" and "protect_others" not in g.get("outcomes", [])


def test_the_ombudsmans_no_names_that_ombudsman_for_a_review():
    from bot.routing import route_case

    f = facts("The Scottish ombudsman has turned our complaint about the hospital down, what now?")
    assert f.get("after_ombudsman") is True
    ids = [r["id"] for r in route_case({**f, "nation": "scotland"})["routes"]]
    assert ids[0] == "ombudsman_review" and "spso" in ids


def test_neglect_seen_in_a_care_home_is_asked_about_safety_first():
    f = facts(
        "at the home she went down two dress sizes because nobody checked she had eaten, and her bell was unplugged"
    )
    assert "abuse_neglect" in f.get("issues", [])


def test_neglect_retold_after_saying_nobody_is_in_danger_is_the_story():
    from bot.dialogue.intake import Turn, _retold_emergency

    told = Turn(
        text="not eating, bell unplugged",
        intent="express_risk",
        entities=[{"entity": "risk_type", "value": "adult_at_risk"}],
        requested="issues",
        slots={},
    )
    assert _retold_emergency(told, {"risk_now": False})
    assert not _retold_emergency(told, {})


# ---- safety (s9, s10 and the b12 alarms) ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Mae'r lleisiau'n dweud wrtha i am neidio oddi ar y bont heno",
        "mae'r ysfa i frifo fy hun yn gryf heno",
        "Dw i'n feichiog ers chwe wythnos ac mae poen ofnadwy yn fy mol, bron â llewygu",
        "Mae Taid wedi bod yn gorwedd ar y llawr ers neithiwr a does neb wedi dod",
        "A courier is coming at four to collect mum's bank card, the caller said he was from her bank",
        "Maen nhw'n cloi'r preswylwyr yn eu stafelloedd heb ddŵr bob nos",
    ],
)
def test_risk_in_these_words_is_caught(detector, text):
    assert detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "I had chest pains last spring, the ECG and bloods all came back normal, it turned out to be heartburn. "
        "My complaint is the parking fine.",
        "They keep asking about my mental health as though I'd tried to hurt myself, which I never have.",
        "There was a stabbing on Holby last night and it made me think our A&E has no guard at night. Just feedback.",
        "With money on a knife edge, the £60 missed appointment charge from my NHS dentist is too much.",
        "My son self-harmed when he was 13. He's 20 now and thriving. I'm complaining about how CAMHS lost his notes.",
        "Roedd hi'n hunan-niweidio pan oedd hi'n 15. Mae hi'n hapus iawn nawr. Dw i eisiau cwyno am y clinig.",
        "The school rang social services about a bruise from football and they closed the case the same day.",
        "A patient once told me about a nurse who slapped her in the 1980s, it is long over.",
        "Sorry, this is going to be a long one. Mum lost a stone in the home last year but she's eating again now "
        "with the new manager. Who do I go to?",
        "They sent him home on a Saturday night with no care package in place. He is 79 and was readmitted by "
        "Monday. I want an apology and a better discharge process.",
    ],
)
def test_no_alarm_for_these(detector, text):
    assert not detector.judge(text).risk


# ---- b13 and s11 ---------------------------------------------------------------------------------------------
def test_a_price_paid_and_the_nhs_not_doing_it_is_private():
    a = interpret_answer("funding", "not sure, it was 450 quid, they told me the NHS won't cover that sort of thing")
    assert a.value == "private"


def test_scots_and_welsh_words_for_a_parent_are_someone_else():
    assert facts("my da was sent home fae the Royal wi nae tablets").get("on_behalf") is True
    assert facts("Mae 'nhad yn yr ysbyty ers wythnos").get("on_behalf") is True


def test_welsh_council_pays_and_wanting_welsh_speaking_staff():
    assert interpret_answer("funding", "Y cyngor sy'n talu am y lle").value == "council"
    assert interpret_answer("outcomes", "gwella'r gofal a newid y ffordd maen nhw'n gweithio").status == "ok"


def test_limited_english_telling_them_is_mentioning_it():
    assert interpret_answer("stage", "I tell the nurse, she say ok").value == "raised_informally"


@pytest.mark.parametrize(
    "text",
    [
        "Fydda i ddim yma erbyn y penwythnos. Dw i wedi gadael llythyr i'r plant.",
        "my little girl is burning up and the rash won't fade when I press a glass on it",
        "Grandad's sweating and confused and I can barely wake him",
        "Dydi Mam ddim yn gallu anadlu'n iawn ac mae ei gwefusau hi'n mynd yn las",
        "Mae ei dafod e'n chwyddo ar ôl y tabledi newydd",
        "Mae ei gŵr hi'n ei bwrw hi bob nos",
        "Mae hi wedi talu pum mil i ddyn diarth am y to ac mae e'n dod 'nôl fory",
        "If I complain, will they stop hitting her?",
    ],
)
def test_more_risk_in_these_words_is_caught(detector, text):
    assert detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "Naebody's been hurt, it's jist the bill that's wrong",
        "If I complained about the ward and later I worried Dad was being neglected, would that slow things down?",
        "my cousin scraped his car on the post outside the surgery (he's fine, just the paint) and the sign said open",
        "I was put on the self-harm register by mistake, it was meant for someone with the same name",
    ],
)
def test_no_alarm_for_these_either(detector, text):
    assert not detector.judge(text).risk


def test_a_classifier_guess_does_not_repeat_the_help_once_given():
    from bot.dialogue.intake import Outcome, Turn, safety_first

    turn = Turn(
        text="I tell the man. He say sorry.",
        intent="express_risk",
        requested="stage",
        slots={},
        entities=[
            {"entity": "risk_type", "value": "general"},
            {"entity": "risk_source", "value": "classifier"},
            {"entity": "risk_prob", "value": 0.8},
        ],
        message_id="m2",
    )
    assert not safety_first(turn, {"safety_for": "m1"}, Outcome())
    pattern = Turn(
        text="he hit me again",
        intent="express_risk",
        requested="stage",
        slots={},
        entities=[{"entity": "risk_type", "value": "abuse_now"}, {"entity": "risk_source", "value": "patterns"}],
        message_id="m3",
    )
    assert safety_first(pattern, {"safety_for": "m1"}, Outcome())


# ---- s12 (answers in mid-conversation) -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Ydy, dydyn nhw ddim yn rhoi diod iddo fe ers bore ddoe",
        "Her 'carer' has been taking out £300 a week since she got the bank card, and mum's sat in the cold with no money for food",
        "Mae o dal ar y ward a dydy o ddim wedi pasio dŵr ers neithiwr, mae o'n fwy a mwy dryslyd",
        "I'm back to how I was before my last admission, the radio keeps sending me messages and I've stopped my tablets "
        "because I think they're poisoned",
    ],
)
def test_risk_said_in_an_answer_is_caught(detector, text):
    assert detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "not yet, I worry it'll make things awkward for dad - not that they would ever hurt him, they're lovely",
        "I could strangle the manager (not literally) for losing her hearing aids again",
        "the doctor said at worst it could have turned to sepsis, but the antibiotics worked and he's back at school",
        "the parking meter took my card and wouldn't give it back, then I missed my slot",
    ],
)
def test_no_alarm_for_these_answers(detector, text):
    assert not detector.judge(text).risk


# ---- b14 -----------------------------------------------------------------------------------------------------
def test_a_full_stop_after_every_word_is_a_way_of_typing():
    f = facts("Hello. My. wife. Jean. was. left. on. a. trolley. at. the. hospital. all. night.")
    assert f.get("service") == "hospital" and f.get("on_behalf") is True


def test_phonetic_spellings_are_read():
    f = facts("i payed for new glases at the opticians with the vowcher and they are rong")
    assert f.get("service") == "optician" and f.get("funding") == "private"


@pytest.mark.parametrize(
    "text",
    [
        "my lad was sent home from A&E with a broken arm they missed",
        "my girlfriend was left in labour for hours without anyone checking",
        "the GP won't see my wee girl even though she's been sick for days",
    ],
)
def test_everyday_words_for_family(text):
    assert facts(text).get("on_behalf") is True


def test_phoning_the_phone_service_is_the_care_not_a_complaint():
    f = facts("I rang 111 three times for my husband and they kept saying wait. Not complained.")
    assert f.get("stage") != "raised_informally"


def test_a_private_upgrade_on_an_nhs_dental_course_is_private():
    f = facts("My NHS dentist did the fillings, then I paid £400 privately on top for a white crown and it fell out")
    assert f.get("funding") == "private"
    g = facts("halfway through my NHS treatment they said I'd have to pay privately to finish it")
    assert g.get("funding") != "private"


def test_welsh_compensation_and_a_care_leaver():
    assert "compensation" in interpret_answer("outcomes", "esboniad ac iawndal").value
    assert facts("I'm a care leaver and the leaving care team won't pay my grant").get("service") == (
        "children_social_care"
    )


def test_dead_hair_grafts_are_not_a_death():
    assert "death" not in facts("paid for a hair transplant and half the grafts died").get("issues", [])


def test_scottish_short_detention_in_other_words_is_the_mental_health_act():
    f = facts("they are keeping my sister with papers from the doctor for 28 days, nobody explains her rights")
    assert "mental_health_act" in f.get("issues", [])


def test_a_grade_three_sore_and_charts_filled_in_after_is_neglect():
    assert "abuse_neglect" in facts("his pressure sore is grade 3 and the charts get filled in after").get("issues", [])


@pytest.mark.parametrize(
    "text",
    [
        "Nobody has hurt my gran and she hasn't been hit, I'm not saying abuse. She's left in bed till dinner.",
        "On Monday my dad has fever and cannot breathe good. Next day ambulance take him. Now he is better.",
    ],
)
def test_no_alarm_when_the_message_says_it_is_not_so_or_over(detector, text):
    assert not detector.judge(text).risk


@pytest.mark.parametrize(
    "text",
    [
        "My dad cannot breathe and his lips are blue. Nobody is hurt otherwise.",
        "They are sending him home on Friday with no care package and he lives alone",
        "Mae'r plant bach ar eu pen eu hunain ers neithiwr a does dim oedolyn yno",
        "Does dim pwrpas i mi fyw. Dw i wedi casglu digon o dabledi.",
    ],
)
def test_still_risk(detector, text):
    assert detector.judge(text).risk


# ---- b15 -----------------------------------------------------------------------------------------------------
def test_moaning_to_family_is_not_raising_it():
    assert interpret_answer("stage", "not complained, just had a moan to my sister about it").value == "not_raised"
    assert interpret_answer("stage", "I moaned to reception twice").value == "raised_informally"


def test_a_car_park_paid_a_while_after_the_payment_is_a_side_detail():
    f = facts("Dad died on the ward in May. We paid £25 every single day in the hospital car park to visit him.")
    assert f.get("service") == "hospital" and f.get("funding") != "private"


def test_going_private_for_a_scan_keeps_the_nhs_hospital_as_the_case():
    f = facts("The Royal told me it was a sprain. I went private for an MRI in the end and it was torn ligaments.")
    assert f.get("service") == "hospital"


def test_where_the_person_found_out_is_not_the_case():
    assert facts("My GP stopped my tablets without a word. I found out at the pharmacy.").get("service") == "gp"


def test_dizzy_for_days_in_the_past_is_no_emergency(detector):
    text = "Chemist gave my dad the wrong strength tablets. He was dizzy for several days. They only said sorry."
    assert not detector.judge(text).risk


def test_a_welsh_neighbour_left_alone_without_food_or_heat_is_risk(detector):
    assert detector.judge("Mae hi ar ei phen ei hun am ddyddiau heb fwyd na gwres, ac mae hi'n oer ac yn crynu").risk


# ---- b16 and s13 (first looks on the session's final code: 36/40; recall 60/60, false alarms 2/60) -----------
def test_a_final_position_is_the_final_response():
    assert interpret_answer("stage", "the owner wrote with what he called his final position").value == (
        "final_response"
    )


def test_someone_telling_of_their_own_wait_on_the_floor_is_past(detector):
    text = "I am 84. I fell in the garden and I lay on the ground for four hours before the ambulance came."
    assert not detector.judge(text).risk
    assert detector.judge("Mum is on the floor and can't get up, the ambulance still hasn't come").risk


def test_a_welsh_radio_story_is_not_the_persons_life(detector):
    text = "Clywais i stori ar y radio am hen ddyn a gafodd ei adael ar ei ben ei hun. Mae fy nghwyn i am y deintydd."
    assert not detector.judge(text).risk
