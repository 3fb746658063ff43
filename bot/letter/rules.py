"""How quickly the complaint rules say a written complaint must be acknowledged.

By nation and kind of body. Only times a primary source confirms are given; everywhere else
(NHS Wales since its 2026 process, children's services in England, private and self-funded care,
ombudsmen and advice services) the letter asks for a reply "soon" rather than quote a rule that
may not apply. docs/letter.md says what each source says.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Optional, Tuple


class AckRule(NamedTuple):
    nation: str
    body: str  # "nhs": an NHS (or HSC) body or practice; "council": a council's social care
    sectors: Tuple[str, ...]  # the router's derived `sector` of the case
    days: int
    source: str


#: Checked December 2026.
ACK_RULES: Tuple[AckRule, ...] = (
    # England: NHS bodies, practices and providers under NHS arrangements, and councils' adult social care:
    # the Local Authority Social Services and NHS Complaints (England) Regulations 2009, regulation 13.
    AckRule(
        "england", "nhs", ("nhs",), 3, "https://themdu.com/guidance-and-advice/guides/nhs-complaints-local-resolution"
    ),
    AckRule(
        "england",
        "council",
        ("council_care",),
        3,
        "https://next.shropshire.gov.uk/the-send-local-offer/health/what-to-do-if-youre-unhappy-with-a-health-service/what-to-expect",
    ),
    # Scotland: the NHS (Patient Rights (Complaints Procedure) Regulations 2012, regulation 6(1)(b)), and
    # councils' social work (the SPSO's model complaints handling procedure, stage 2).
    AckRule("scotland", "nhs", ("nhs",), 3, "https://www.legislation.gov.uk/ssi/2012/36/regulation/6/made"),
    AckRule(
        "scotland",
        "council",
        ("council_care", "children"),
        3,
        "https://westlothian.gov.uk/article/45306/What-happens-when-I-have-complained",
    ),
    # Wales: councils' social services, the Social Services Complaints Procedure (Wales) Regulations 2014,
    # regulation 15(2). NHS Wales: the 2026 process's timescales are not confirmed by a primary source.
    AckRule(
        "wales", "council", ("council_care", "children"), 2, "https://www.legislation.gov.uk/wsi/2014/1794/part/4/made"
    ),
    # Northern Ireland: HSC trusts, health and social care alike (family practitioners: see below).
    AckRule(
        "northern_ireland",
        "nhs",
        ("nhs",),
        2,
        "https://www.themdu.com/guidance-and-advice/guides/responding-to-complaints-in-northern-ireland",
    ),
    AckRule(
        "northern_ireland",
        "council",
        ("council_care", "children"),
        2,
        "https://www.themdu.com/guidance-and-advice/guides/responding-to-complaints-in-northern-ireland",
    ),
)
#: Northern Ireland's family practitioner services (GPs, dentists, pharmacies, opticians): 3 working days.
NI_FAMILY_PRACTITIONERS = ("gp", "dentist", "pharmacy", "optician")
NI_FAMILY_PRACTITIONER_DAYS = 3
#: In Northern Ireland social care is given by the HSC trusts, which the router calls the provider.
NI_TRUST_SOCIAL_CARE = ("council_social_care", "children_social_care")


def body_type(route: Mapping, facts: Mapping, sector: Optional[str]) -> Optional[str]:
    """ "nhs" or "council" when the letter goes to a body whose statutory process the rules above cover."""
    rid, kind = route.get("id"), route.get("kind")
    if rid in ("icb", "nhs_england") or (kind == "provider" and sector == "nhs"):
        return "nhs"
    if rid == "council" or (facts.get("nation") == "northern_ireland" and facts.get("service") in NI_TRUST_SOCIAL_CARE):
        return "council"
    return None


def ack_days(route: Mapping, facts: Mapping, sector: Optional[str]) -> Optional[int]:
    """Working days the rules give the primary route to acknowledge a written complaint, or None."""
    body = body_type(route, facts, sector)
    sector = "nhs" if body == "nhs" else sector
    nation = facts.get("nation")
    for rule in ACK_RULES:
        if (rule.nation, rule.body) == (nation, body) and sector in rule.sectors:
            if nation == "northern_ireland" and body == "nhs" and facts.get("service") in NI_FAMILY_PRACTITIONERS:
                return NI_FAMILY_PRACTITIONER_DAYS
            return rule.days
    return None
