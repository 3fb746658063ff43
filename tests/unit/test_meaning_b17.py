"""Causes found by blind persona sets b17 and b18 and blind safety set s14 (2026-12-03, fifth session).

Each is fixed at its cause and kept here in other words than the sets' own, so a fix for one sentence
would not pass."""

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


def answer(slot: str, text: str):
    return interpret_answer(slot, text, today=TODAY)


# ---- who did what ------------------------------------------------------------------------------------------
def test_a_service_that_said_it_to_the_persons_face_is_the_one_complained_of():
    # The teller is the care complained of when what it said was about the person themselves.
    assert facts("At casualty the crisis team worker told me I was attention seeking and sent me away")["service"] == (
        "mental_health"
    )
    # Still an informant when it told them news about another service.
    assert facts("Our GP lost the referral. The hospital told us when we chased it up.")["service"] == "gp"


@pytest.mark.parametrize(
    "text",
    [
        "We only knew about her fall because the district nurse mentioned it. The home said nothing.",
        "The consultant talked to the registrar over my head the whole time and then discharged me.",
    ],
)
def test_staff_speaking_is_the_care_not_a_complaint_raised(text):
    assert facts(text).get("stage") != "raised_informally"


def test_a_promise_from_staff_after_being_told_still_shows_it_was_raised():
    text = "I told my support worker it was wrong, she said she would pass it on."
    assert facts(text).get("stage") == "raised_informally"


@pytest.mark.parametrize(
    "text",
    [
        "I telephoned the matron the next morning and expressed my concerns. Nothing has been put in writing.",
        "My husband telephoned the surgery and voiced our concerns",
    ],
)
def test_telephoning_and_expressing_displeasure_is_raising_it_informally(text):
    assert answer("stage", text).value == "raised_informally"


def test_actually_after_a_verb_is_not_a_correction():
    assert answer("stage", "Honestly I haven't actually made a complaint to anyone").value == "not_raised"
    assert answer("nation", "Scotland actually England").value == "england"  # a correction still is one
    assert answer("nation", "I'd rather not say, it's Wales").value == "wales"


def test_a_scots_told_and_a_did_mention_are_raising_it():
    assert answer("stage", "ah telt the nurse it wisnae right").value == "raised_informally"
    assert answer("stage", "no - actually, I did mention it to the manager").value == "raised_informally"


# ---- who it is about ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "The receptionist at my surgery read out my test results in front of everyone. I have never felt so small.",
        "I'm 68 and the practice keeps cancelling on me",
        "Twelve months on the list for my ADHD assessment and no word at all",
    ],
)
def test_the_persons_own_surgery_age_feelings_and_condition_make_it_about_them(text):
    assert facts(text).get("on_behalf") is False


def test_a_mother_in_simple_english_telling_of_her_own_birth():
    assert facts("My son born in the Royal in May, the midwife no explain anything to me").get("on_behalf") is False


def test_a_scots_wee_man_is_someone_else():
    assert (
        facts("phoned NHS 24 cos the wee man was burning up, took him up the hospital masel").get("on_behalf") is True
    )


# ---- which service ---------------------------------------------------------------------------------------
def test_patient_transport_is_the_ambulance_service():
    assert facts("The patient transport never turned up to take my dad to his chemo")["service"] == "ambulance"


def test_psychology_is_mental_health():
    assert facts("Two years waiting for psychology for my PTSD")["service"] == "mental_health"


def test_the_ward_of_someone_sectioned_is_a_mental_health_ward_and_the_act_still_applies():
    f = facts("I'm not complaining about being detained, that was fair. It's how the ward staff held me down.")
    assert f["service"] == "mental_health"
    assert "mental_health_act" in f.get("issues", [])


def test_staff_praised_at_a_place_do_not_make_the_place_a_side_detail():
    text = "The nurses on days at mum's care home are lovely. The agency staff on nights ignore her buzzer."
    assert facts(text)["service"] == "care_home"


def test_present_praise_sets_a_service_aside_when_another_is_named():
    assert facts("The community nurses are fantastic but the GP has never once visited her")["service"] == "gp"


def test_an_unknown_service_is_asked_before_the_advice():
    from bot.dialogue.intake import facts_from_slots, next_question

    slots = {"nation": "northern_ireland", "stage": "not_raised", "months_since": 0.2, "on_behalf": False}
    assert next_question(facts_from_slots(slots), slots, []) == "service"


# ---- what they want ---------------------------------------------------------------------------------------
def test_wanting_a_professional_looked_at_is_accountability():
    assert "accountability" in facts("I want the report rewritten and I want him looked at properly")["outcomes"]
    assert "accountability" in facts("I need someone to look into her, she lied")["outcomes"]


def test_costing_someone_their_children_is_not_a_payment():
    assert "funding" not in facts("The social worker's lies could cost me my children")
    assert facts("The crown cost me £280 and fell out")["funding"] == "private"


# ---- when and how ---------------------------------------------------------------------------------------
def test_how_long_an_illness_has_lasted_is_not_when_it_happened():
    assert "months_since" not in facts("I've had Crohn's for ten years and the consultant laughed at me")
    assert "months_since" not in facts("The GP dismissed me again. Six years I've had this.")


@pytest.mark.parametrize("text", ["Monday", "Thursday there", "tuesday gone", "on Friday night"])
def test_a_weekday_as_the_answer_is_the_last_one(text):
    assert answer("months_since", text).value == pytest.approx(0.15)


def test_welsh_seasons_and_feasts():
    assert answer("months_since", "ers y Nadolig diwetha").status == "ok"
    assert answer("months_since", "ers y Pasg").value > 6


def test_short_forms_of_a_nation():
    assert answer("nation", "scot").value == "scotland"


def test_complained_some_time_ago_with_nothing_back_is_in_progress():
    assert facts("optician. complained 3 wks ago, nothing back")["stage"] == "in_progress"


def test_a_council_arranged_package_is_council_funded():
    assert facts("Mae Mam yn cael gofalwyr drwy'r cyngor")["funding"] == "council"
    assert facts("Dad has carers via the council")["funding"] == "council"


# ---- sayings and side details -----------------------------------------------------------------------------
def test_a_peaceful_death_is_not_the_complaint():
    text = "Dad died peacefully in the nursing home in June. They are still billing us for July after he died."
    assert "death" not in facts(text).get("issues", [])
    assert "death" in facts("My wife died after the ward ignored her sepsis").get("issues", [])


@pytest.mark.parametrize(
    "text",
    [
        "The waiting was murder and I was bursting for the toilet for hours",
        "The wait is torture, six hours on a trolley",
    ],
)
def test_sayings_about_waiting_are_not_a_death_and_the_wait_is_still_read(text):
    f = facts(text)
    assert "death" not in f.get("issues", [])
    assert "access_waiting" in f.get("issues", [])


# ---- safety ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        # Welsh: tablets bought to end it; chest pain with a grey sweat; a limp baby; a rash under a glass
        "Dw i wedi prynu digon o dabledi, dw i'n mynd i orffen y cwbl heno",
        "Mae ei frest e'n brifo ers hanner awr ac mae e'n llwyd ac yn chwysu",
        "Mae'r bachgen yn llipa a dw i ddim yn gallu deffro fo",
        "Mae smotiau ar ei bol hi sy ddim yn diflannu pan dw i'n gwasgu gwydr",
        # no insulin and a high sugar with vomiting, in either language
        "No insulin since Friday, sugar is 31 and I keep being sick",
        # a step-parent hitting a child; being strangled; hiding; a knife to the surgery
        "Mae fy llysdad yn 'y nghuro i bob nos",
        "Nath e 'y nhagu i eto bore ma",
        "Dwi'n cuddio yn y stafell molchi rhag fo",
        "Fory dwi'n mynd â chyllell i'r feddygfa",
        # a baby shaken; a parent scared to leave the child with a partner
        "My boyfriend shook the baby when he wouldn't settle and I'm scared to leave him with him tonight",
        # an older person found on the floor, cold and wet, carers not been
        "Mae hi ar y llawr yn oer ac yn wlyb a dydi'r gofalwyr ddim wedi bod ers dau ddiwrnod",
    ],
)
def test_risk_in_other_words_is_caught(detector, text):
    assert detector.judge(text).risk, text


@pytest.mark.parametrize(
    "text",
    [
        "He shook my hand and said sorry, but I still want to complain about the wait",
        "a friend's dad once threatened his dentist years ago, but my complaint is about the fees",
    ],
)
def test_look_alikes_are_not_risk(detector, text):
    assert not detector.judge(text).risk, text


# ---- blind sets b19, b20 and s15 ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "they held me down and injected me on the ward, I was on a section 2 at the time",
        "I underwent a cataract operation in May and my recovery has been a nightmare",
        "doctor wedi canslo appointment fi ddwywaith",
    ],
)
def test_the_persons_own_treatment_in_plain_or_mixed_words_is_about_them(text):
    assert facts(text).get("on_behalf") is False


@pytest.mark.parametrize(
    "text",
    [
        "ma wee lassie's been waiting on the dentist for a year, she's 9",
        "the chemist gave my dads tablets to someone else",
        "he is 7 and the GP won't refer him",
    ],
)
def test_someone_elses_care_in_dialect_or_by_age_is_someone_else(text):
    assert facts(text).get("on_behalf") is True


def test_a_support_network_named_does_not_make_it_someone_elses_case():
    text = "My hip op keeps being cancelled. I'm fine, I've got my wife and my sons around me, I'm just fed up"
    assert facts(text).get("on_behalf") is False


def test_a_child_age_in_simple_english_is_not_a_date():
    assert "months_since" not in facts("My daughter 6 year have bad ear pain, the GP no listen")


def test_a_continuing_healthcare_decision_letter_is_not_yet_a_final_answer():
    decided = facts("The ICB letter says mum is not eligible for continuing healthcare. How can that be?")
    assert decided["service"] == "continuing_healthcare" and decided.get("stage") != "final_response"
    reviewed = facts("We asked for a local review of dad's continuing healthcare and they upheld their first decision")
    assert reviewed.get("stage") == "final_response"


def test_scotland_care_home_the_council_pays_for_goes_to_the_home_first():
    from bot.routing import get_router, parse_facts

    case = parse_facts({"nation": "scotland", "service": "home_care", "funding": "council", "stage": "not_raised"})
    roles = {r["id"]: r["role"] for r in get_router().route(case)["routes"]}
    assert roles["provider"] == "primary"
    assert roles["care_inspectorate"] == "alternative" and roles["council"] == "alternative"


def test_letters_sent_to_an_old_address_are_about_records():
    assert "records_data" in facts("the clinic keeps posting my appointments to my old address")["issues"]


def test_money_the_trust_paid_is_redress_not_funding():
    assert "funding" not in facts("The trust apologised and paid £500 but the surgeon has never been looked at")


def test_a_private_clinic_named_with_its_specialty_is_private():
    f = facts("I paid a private menopause clinic £400 as the NHS waiting list here is over a year")
    assert f["service"] == "private_hospital" and f["funding"] == "private"


def test_what_someone_has_now_is_not_where_it_went_wrong():
    assert facts("Mum got a bed sore on the ward at the Western General. She is at home now with carers.")[
        "service"
    ] == ("hospital")


def test_welsh_informal_telling_and_about_a_month():
    assert answer("stage", "Dim ond deud wrth y nyrs. Dim byd ffurfiol.").value == "raised_informally"
    assert answer("months_since", "tua mis").value == pytest.approx(1.0)


def test_no_proper_complaint_after_emails_is_informal():
    assert answer("stage", "rang the manager twice, no reply, no proper complaint yet").value == "raised_informally"


def test_a_bill_run_on_after_a_death_is_not_the_death_complained_of():
    assert "death" not in facts("They kept charging rent after he died and won't return the deposit").get("issues", [])


def test_a_correction_said_again_with_otherwise_yes_confirms_the_summary():
    from bot.dialogue.intake import _OTHERWISE_YES

    assert _OTHERWISE_YES.search("the date is a bit off but otherwise yes")
    assert _OTHERWISE_YES.search("Apart from that, it's right")
    assert not _OTHERWISE_YES.search("no that's wrong")


@pytest.mark.parametrize(
    "text",
    [
        "Mae ceg Taid wedi disgyn un ochr ac mae o'n siarad yn od",
        "Dw i newydd lyncu llwyth o dabledi",
        "Dwi ddim isio bod yma ddim mwy",
        "ma'r babi yn struggling i anadlu",
        "no food, no meds, and the carers haven't been since Saturday",
        "I've been saving my sleeping pills for weeks now",
        "he does things to her she doesn't like when I'm at work",
    ],
)
def test_more_risk_in_other_words_is_caught(detector, text):
    assert detector.judge(text).risk, text


@pytest.mark.parametrize(
    "text",
    [
        "I won't be around for a couple of weeks as I'm going on holiday, can you email me?",
        "Watched a programme about a hospital where patients were neglected, made me think of my own GP",
    ],
)
def test_more_look_alikes_are_not_risk(detector, text):
    assert not detector.judge(text).risk, text


# ---- blind sets b21 and s16 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "my dad drove me to the surgery and the GP refused to look at my rash",
        "I went to my eye appointment accompanied by my husband and the optician was rude to me",
        "My daughter is helping me type this. I had a hip replacement in June and the ward lost my glasses.",
        "My brother says I should complain. The dentist pulled the wrong tooth on me.",
    ],
)
def test_a_relative_who_only_helped_or_came_along_is_not_whom_it_is_about(text):
    assert facts(text).get("on_behalf") is not True


def test_our_aunt_and_welsh_my_surgery():
    assert facts("Our uncle is in a nursing home and nobody answers the phone")["on_behalf"] is True
    assert facts("Dw i eisiau cwyno am fy meddygfa")["on_behalf"] is False


def test_a_service_that_sorted_the_person_out_is_not_the_complaint():
    assert facts("the GP won't renew my prescription, the chemist sorted me out with a few days' worth")["service"] == (
        "gp"
    )


def test_scots_ma_doctor_is_the_gp_and_about_them():
    f = facts("been up tae ma doctor's five times wi ma knee an they'll no refer me")
    assert f["service"] == "gp" and f["on_behalf"] is False


def test_an_apology_is_not_a_correction():
    assert answer("stage", "I tell the man at the counter, he say sorry, that is all").value == "raised_informally"
    assert answer("nation", "Scotland, sorry, I mean Wales").value == "wales"


def test_asking_how_to_challenge_a_chc_decision_is_not_a_challenge_yet():
    f = facts("The ICB said mum doesn't qualify for continuing healthcare. How can we challenge that?")
    assert f["service"] == "continuing_healthcare" and f.get("stage") != "final_response"


def test_wheelchair_services_are_community_health():
    assert facts("wheelchair services have had my son on a waiting list since last year")["service"] == (
        "community_health"
    )


def test_having_it_out_with_them_is_raising_it():
    assert answer("stage", "nothing formal, I had it out with the manager at the time").value == "raised_informally"


def test_an_employer_asking_is_not_the_person_raising_it():
    assert facts("My employer asked for a health report and the clinic sent my whole file").get("stage") is None


@pytest.mark.parametrize(
    "text",
    [
        "I've been saving my oramorph and this is my last week, I've made my peace",
        "My 14 year old keeps getting into cars with older men and social services have closed the case",
        "Dad has dementia, he's missing right now and it's freezing out",
        "Dw i wedi bod yn torri 'mraich heno a dyw e ddim yn stopio gwaedu",
        "Ma un ochr 'i wyneb e wedi mynd lawr a mae e'n methu siarad yn iawn",
        "Fory dwi'n mynd i roi crasfa i rywun yn y feddygfa",
        "Wi 'di sgwennu llythyron i'r plant, cyn i fi fynd heno",
        "Dw i'n mynd i neud dolur i fi'n hunan heno",
        "They haven't given her any water all day and she's very confused",
    ],
)
def test_risk_found_by_s16_in_other_words_is_caught(detector, text):
    assert detector.judge(text).risk, text


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to die, I want to kill the booking system at my surgery",
        "The chemist keeps changing my tablets' brand and I want it to stop",
        "Dwi'm isio lladd fy hun, dim byd fel'na, jyst wedi cael llond bol ar aros",
        "if one more receptionist tells me to ring at 8 I'm gonna strangle them, anyway how do I complain",
        "I'm at the end of my tether, not in a bad way, just fed up with the GP",
    ],
)
def test_look_alikes_found_by_s16_and_b21_are_not_risk(detector, text):
    assert not detector.judge(text).risk, text


def test_paying_taxes_or_years_with_a_practice_are_neither_funding_nor_when_it_happened():
    f = facts("The surgeon said people like me expect everything free. I've paid my taxes for 40 years.")
    assert "funding" not in f and "months_since" not in f
    assert "months_since" not in facts("I've been registered with them for 15 years and now they've struck me off")


def test_a_livelihood_lost_is_asking_for_compensation():
    assert "compensation" in facts("The ombudsman told them to pay £300. My wife lost her job over this.")["outcomes"]


def test_the_persons_own_appointments_and_care_coordinator():
    assert (
        facts("They cancelled my last appointment and my care coordinator never rings back").get("on_behalf") is False
    )


# ---- blind sets s17 and b22 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "my wife she fall, she no talk now, breathing very noisy",
        "no food no electric since Monday and the baby is hungry",
        "Dad has Alzheimer's and walked out of the care home last night in his slippers, it's freezing",
        "Mam dim wedi cael ei tabledi calon, she doesn't have her medication since Friday",
        "Wnaiff neb orfod poeni amdana i ar ôl heno",
        "Dw i wedi prynu rhaff",
        "Mae gan Taid boen ofnadwy yn ei frest",
        "Dydi'r gofalwyr ddim wedi bod ers dydd Sadwrn a does neb wedi rhoi bwyd iddi",
        "I've been cutting again, it's deep this time and won't stop bleeding",
    ],
)
def test_risk_found_by_s17_in_other_words_is_caught(detector, text):
    assert detector.judge(text).risk, text


@pytest.mark.parametrize(
    "text",
    [
        "If I told them I was suicidal would I get seen faster? I'm not, I'm just sick of waiting.",
        "My son had a fever on Tuesday, 111 sent us in and he is absolutely fine now. It's the parking I'm cross about.",
        "Pan o'n i'n bymtheg ro'n i'n hunan-niweidio, ond dw i'n iawn rŵan. Dw i isio cwyno am y deintydd.",
        "I haven't complained because I'm scared the carer will take it out on mum",
    ],
)
def test_look_alikes_found_by_s17_and_b22_are_not_risk(detector, text):
    assert not detector.judge(text).risk, text
