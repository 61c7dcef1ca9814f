"""What the per-type rules read from a sentence the classifier typed (invented companies)."""

from __future__ import annotations

from agent.assess.entities import Context
from agent.assess.rules import read_hit, trigger
from agent.schemas import SignalType

CTX = Context(client_names=("Halvex",), competitors=("Globex",), subject="client",
              subject_competitor=None, published=None, bullet=False, speaker=None)  # fmt: skip


def test_a_partner_named_before_the_pronoun_is_the_partner() -> None:
    text = "As for Norvane Labs, we are thrilled to be partnering with them on our new cloud."
    hit = read_hit(SignalType.partnership, text, CTX)
    assert hit is not None and hit.entity == "Norvane Labs"


def test_a_partner_named_after_the_word_partners_is_the_partner() -> None:
    text = "Our fleet service will add to its list of partners to include Quaystone Freight."
    hit = read_hit(SignalType.partnership, text, CTX)
    assert hit is not None and hit.entity and "Quaystone" in hit.entity


def test_a_competitor_is_never_the_partner() -> None:
    text = "Globex said it is partnering with them on a new payments service."
    assert read_hit(SignalType.partnership, text, CTX) is None


def test_hiring_that_slows_is_budget_pressure_not_a_surge() -> None:
    text = "We expect hiring to slow sharply next year and headcount to stay roughly flat."
    hit = read_hit(SignalType.hiring_surge, text, CTX)
    assert hit is not None and hit.type is SignalType.budget_pressure
    grows = read_hit(SignalType.hiring_surge, "We plan to hire 300 engineers next year.", CTX)
    assert grows is not None and grows.type is SignalType.hiring_surge


def test_a_european_filing_names_the_appointee_with_nationality_and_birth_year() -> None:
    text = ("Maria K. Olsen (Danish, 1972) has been appointed as Chief Supply Chain Officer of "
            "Halvex and member of the Executive Committee.")  # fmt: skip
    hit = read_hit(SignalType.executive_appointment, text, CTX)
    assert hit is not None
    assert (hit.person, hit.entity) == ("Maria K. Olsen", "Chief Supply Chain Officer")


def test_the_role_someone_becomes_is_the_role_not_the_one_they_hold() -> None:
    text = "Anna Holt, 58, Co-CEO of the Markets division, will become Co-President of Halvex."
    hit = read_hit(SignalType.executive_appointment, text, CTX)
    assert hit is not None and (hit.person, hit.entity) == ("Anna Holt", "Co-President")
    elected = "Halvex said Holt was elected chairman."
    chair = read_hit(SignalType.executive_appointment, elected, CTX)
    assert chair is not None and (chair.person, chair.entity) == ("Holt", "Chair")


def test_names_with_particles_and_inner_capitals_are_names() -> None:
    for name in ("Steve C. de Baca", "Jeff DiLullo", "Sean McAllister"):
        text = f"{name} (American, 1969) has been promoted as the new Chief Market Leader."
        hit = read_hit(SignalType.executive_appointment, text, CTX)
        assert hit is not None and (hit.person, hit.entity) == (name, "Chief Market Leader")


def test_typographic_quotes_match_the_patterns_written_with_straight_ones() -> None:
    curly = "Three of the areas we’re going to focus on are payments and lending."
    straight = curly.replace("’", "'")
    hit = trigger(SignalType.strategic_priority, curly)
    plain = trigger(SignalType.strategic_priority, straight)
    assert hit is not None and plain is not None and hit.span() == plain.span()


def test_a_brand_new_team_is_a_hiring_plan_without_a_headcount() -> None:
    text = "Halvex's support organisation is launching a brand new team in our Leeds office."
    hit = read_hit(SignalType.hiring_surge, text, CTX)
    assert hit is not None and hit.type is SignalType.hiring_surge
    assert read_hit(SignalType.hiring_surge, "We are adding capacity in Leeds.", CTX) is None
