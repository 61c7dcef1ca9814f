"""Earnings calls in the real layouts, as short invented excerpts: `Name: text` markdown without
titles, Seeking-Alpha-style rosters, a PDF text extract, Motley Fool JSON and fool.com pages;
and the rules that tell executives from analysts when no label says so, one by one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from agent.errors import ParseError
from agent.schemas import Account, Source
from tests.replay_server import ReplayServer, Reply
from tests.tools.fetch_scenarios import make_context
from tools.transcript_fetch import fetch_transcript
from tools.transcript_names import same_person, title_after, title_before
from tools.transcript_pages import unpage
from tools.transcripts import (
    is_fool_json,
    parse_fool_html,
    parse_fool_json,
    parse_transcript,
    split_turns,
)


def _who(source: Source) -> dict[str, tuple[str, str | None, str | None]]:
    """Speaker → (role, title, affiliation), as the turns' metadata has them."""
    return {
        t["speaker"]: (t["role"], t["title"], t["affiliation"]) for t in source.metadata["turns"]
    }


def _fold(text: str) -> str:
    return " ".join(text.split())


def _spans_hold_the_words(source: Source) -> None:
    turns = source.metadata["turns"]
    paragraphs = source.text.split("\n\n")
    assert len(paragraphs) == len(turns)
    for turn, paragraph in zip(turns, paragraphs, strict=True):
        words = source.text[turn["start"] : turn["end"]]
        assert words and words == words.strip() and paragraph.endswith(words)
        assert paragraph.startswith(turn["speaker"])


# --- `Name: text` markdown from a transcript API ---------------------------------------------

MARKDOWN = """# LUMA Q2 2026 Earnings Call Transcript

**Date:** 2026-08-04
**Company:** LUMA
**Quarter:** Q2 2026

---

Operator: Good afternoon and welcome to the Lumaris Q2 2026 Earnings Conference Call. [Operator Instructions] I will now hand the call to your host.
Priya Okafor: Thank you. My name is Priya Okafor, Director of Investor Relations. Speaking first today is Lumaris's CEO, Tom Haldane, and he'll be followed by CFO, Ines Varga. I'd now like to turn the call over to Tom.
Thomas J. Haldane: Thanks, Priya. Subscription revenue grew 14% and we opened two data centers in Chile.
Ines Varga: Thanks, Tom. Gross margin was 61%, and we expect third-quarter revenue between $800 million and $820 million.
Operator: Our first question comes from Rob Delacroix with Pinebrook Securities.
Robert Alan Delacroix: Tom, how are the new data centers ramping?
Thomas J. Haldane: Ahead of plan in both regions.
Oskar Lindqvist: And I would add that the second site is already at half capacity.
Operator: Our next question is from Fen at Harlow Partners.
Fenwick Osei: Ines, what drives the margin outlook?
Ines Varga: Mostly lower hardware costs.
Priya Okafor: Thanks, everyone, for joining us today.
"""  # noqa: E501


def test_markdown_without_titles_infers_roles_titles_and_sections() -> None:
    source = parse_transcript(MARKDOWN)
    who = _who(source)
    assert source.metadata["company"] == "LUMA" and source.metadata["quarter"] == "Q2 2026"
    assert source.metadata["call_date"] == "2026-08-04"
    assert source.published_at is not None and source.published_at.day == 4
    assert who["Priya Okafor"] == ("executive", "Director of Investor Relations", None)
    # "Tom Haldane" in the introduction is the "Thomas J. Haldane" of the turn labels
    assert who["Thomas J. Haldane"] == ("executive", "CEO", None)
    assert who["Ines Varga"] == ("executive", "CFO", None)
    assert who["Oskar Lindqvist"][0] == "executive"  # he answers an analyst
    assert who["Robert Alan Delacroix"] == ("analyst", None, "Pinebrook Securities")
    assert who["Fenwick Osei"] == ("analyst", None, "Harlow Partners")
    assert who["Operator"][0] == "operator"
    sections = [(t["speaker"], t["section"]) for t in source.metadata["turns"]]
    assert sections[3] == ("Ines Varga", "prepared")
    assert sections[4] == ("Operator", "qa")
    assert "Thomas J. Haldane (CEO): Thanks, Priya." in source.text
    _spans_hold_the_words(source)


def test_a_broken_label_with_the_title_on_the_next_line_is_one_turn() -> None:
    text = (
        "Operator: Welcome to the Corvane call.\n"
        "Ada Brenner: Thanks. Joined today by Lev Marsh and others.\n"
        "Lev Marsh: Deliveries rose.\n"
        "Ada Brenner: The first question is, what happens in the design studio?\n"
        "Nils Aberg:\n"
        "Chief Designer: Happy to take that one. Nothing we can share yet.\n"
    )
    turns = split_turns(text)
    nils = next(t for t in turns if t.speaker == "Nils Aberg")
    assert (nils.title, nils.role, nils.section) == ("Chief Designer", "executive", "qa")
    assert nils.text.startswith("Happy to take that one.")
    assert "Chief Designer" not in {t.speaker for t in turns}


# --- the role rules, one by one -----------------------------------------------------------------


def _roles(text: str) -> dict[str, str]:
    return {t.speaker: t.role for t in split_turns(text)}


def test_the_first_voice_after_the_operator_is_the_company_host() -> None:
    roles = _roles(
        "Operator: Welcome to the call.\nMara Quist: Thank you, operator.\n"
        "Operator: Our first question comes from Lo Fenn with Drayton.\nLo Fenn: Hello?\n"
    )
    assert roles["Mara Quist"] == "executive" and roles["Lo Fenn"] == "analyst"


@pytest.mark.parametrize(
    "announcement",
    [
        "Our next question comes from Jo Pratt with Kestrel Bank.",
        "We'll take our next question from Jo Pratt with Kestrel Bank.",
        "Next, we have the line of Jo Pratt. Please go ahead.",
        "Jo Pratt of Kestrel Bank. Please go ahead.",
        "The next question is going to come from Jo Pratt at Kestrel Bank.",
    ],
)
def test_the_operator_announcing_a_questioner_makes_an_analyst(announcement: str) -> None:
    turns = split_turns(
        "Operator: Welcome.\nMara Quist: We grew.\n"
        f"Operator: {announcement}\nJo Pratt: Why?\nMara Quist: Demand.\n"
    )
    jo = next(t for t in turns if t.speaker == "Jo Pratt")
    assert jo.role == "analyst" and jo.section == "qa"
    assert [t.section for t in turns[:2]] == ["prepared", "prepared"]


def test_an_announced_nickname_or_first_name_finds_the_questioner() -> None:
    roles = _roles(
        "Operator: Welcome.\nMara Quist: We grew.\n"
        "Operator: Our next question comes from Bill at Kestrel Bank.\n"
        "William T. Noor: How is demand?\nMara Quist: Strong.\n"
    )
    assert roles["William T. Noor"] == "analyst"


def test_the_host_introduces_executives_and_their_titles() -> None:
    turns = split_turns(
        "Operator: Welcome to the Harwick call.\n"
        "Dee Ostrow: Thank you. Joining me today are our CEO, Jana Roe, and Chief Financial "
        "Officer Sam Poe. Lia Tran, VP of Finance and our incoming CFO, is also on the call.\n"
        "Jana Roe: We grew.\n"
        "Operator: Our first question comes from Lo Fenn with Drayton.\n"
        "Lo Fenn: Sam, what about costs?\n"
        "Sam Poe: Flat.\n"
        "Lo Fenn: And hiring?\n"
        "Jana Roe: I'll let Lia answer that.\n"
        "Lia Tran: Slower next year.\n"
    )
    titles = {t.speaker: (t.role, t.title) for t in turns}
    assert titles["Jana Roe"] == ("executive", "CEO")
    assert titles["Sam Poe"] == ("executive", "Chief Financial Officer")
    # she speaks only in Q&A, after an executive: the introduction makes her one
    assert titles["Lia Tran"] == ("executive", "VP of Finance and our incoming CFO")
    assert titles["Lo Fenn"] == ("analyst", None)


def test_an_executive_greeting_the_questioner_first_does_not_take_their_place() -> None:
    roles = _roles(
        "Operator: Welcome.\nMara Quist: We grew.\n"
        "Operator: We have your next question from Nils Ek with Brora. Your line is open.\n"
        "Mara Quist: Hi, Nils.\nNils Ek: Hello. Why?\nMara Quist: Demand.\n"
    )
    assert roles["Nils Ek"] == "analyst" and roles["Mara Quist"] == "executive"


def test_a_stand_in_questioner_and_a_nickname_announced_by_surname() -> None:
    roles = _roles(
        "Operator: Welcome. I will turn the call over to Ida Moor of Moor Advisory. Please go "
        "ahead.\nIda Moor: Thanks. With me is Mara Quist.\nMara Quist: We grew.\n"
        "Operator: Our first question comes from Vebs Orland with Brora.\n"
        "Ravi Bhat: Good morning, Vebs.\nVaibhav Orland: Hello. Why?\nMara Quist: Demand.\n"
        "Operator: Our next question comes from Tom Quill with Drayton.\n"
        "Mara Quist: Hi, Tom.\nSteven Ash: This is Steven on for Tom. And costs?\n"
        "Ravi Bhat: Flat.\n"
    )
    # the operator's welcome hands the call to the host, whatever the firm after her name
    assert roles["Ida Moor"] == "executive"
    assert roles["Vaibhav Orland"] == "analyst" and roles["Ravi Bhat"] == "executive"
    assert roles["Steven Ash"] == "analyst"


def test_a_new_voice_the_operator_hands_the_line_to_is_a_questioner() -> None:
    roles = _roles(
        "Conference Operator: Welcome.\nMara Quist: We grew.\n"
        "Conference Operator: Our first question comes from Nils Ek with Brora.\n"
        "Nils Ek: Why?\nMara Quist: Demand.\nConference Operator: Next question, please.\n"
        "Rhea Vos: Hi, it is Rhea at Calder. And pricing?\nMara Quist: Stable.\n"
    )
    assert roles == {"Conference Operator": "operator", "Mara Quist": "executive",
                     "Nils Ek": "analyst", "Rhea Vos": "analyst"}  # fmt: skip


def test_a_placeholder_reading_prepared_remarks_speaks_for_the_company() -> None:
    turns = split_turns(
        "Operator: Welcome.\nUnidentified Speaker: I will now read the safe harbor statement.\n"
        "Operator: Our first question comes from Nils Ek with Brora.\nNils Ek: Why?\n"
        "Unidentified Speaker: A follow-up, please.\n"
    )
    assert [t.role for t in turns] == ["operator", "executive", "operator", "analyst", "unknown"]


def test_a_turn_over_by_first_name_names_the_next_speaker() -> None:
    roles = _roles(
        "Operator: Welcome.\nMara Quist: Thanks. Let me hand it over to Gus.\n"
        "Gustavo Ferrer: Revenue rose.\n"
        "Operator: Our first question comes from Lo Fenn with Drayton.\n"
        "Lo Fenn: Why?\nGustavo Ferrer: Demand.\n"
    )
    assert roles["Gustavo Ferrer"] == "executive"


def test_whoever_answers_an_analyst_or_a_question_the_host_reads_is_an_executive() -> None:
    roles = _roles(
        "Operator: Welcome.\nMara Quist: Thanks. We will take questions from shareholders first.\n"
        "Mara Quist: The first question is, when will the new plant open?\n"
        "Iker Sola: Next spring.\n"
        "Operator: Our first question comes from Lo Fenn with Drayton.\n"
        "Lo Fenn: And the margin?\nPetra Nyx: Higher.\n"
    )
    assert roles["Iker Sola"] == "executive" and roles["Petra Nyx"] == "executive"


def test_analysts_are_never_executives_even_when_introduced() -> None:
    roles = _roles(
        "Operator: Welcome.\nMara Quist: Thanks. I see Lo Fenn is with us again.\n"
        "Operator: Our first question comes from Lo Fenn with Drayton.\n"
        "Lo Fenn: Why?\nMara Quist: Demand.\n"
    )
    assert roles["Lo Fenn"] == "analyst"


def test_unknown_only_when_nothing_tells() -> None:
    roles = _roles("Ana Bel: We talked.\nCid Rue: Indeed.\nAna Bel: Bye.\n")
    assert roles == {"Ana Bel": "unknown", "Cid Rue": "unknown"}


def test_one_person_written_two_ways_shares_a_title() -> None:
    turns = split_turns(
        "Dave Kross, CFO\n\nRevenue rose.\n\n"
        "Operator: Our first question comes from the line of Lo Fenn with Drayton.\n\n"
        "Lo Fenn: Why?\n\nDavid Kross: Demand was strong.\n"
    )
    david = next(t for t in turns if t.speaker == "David Kross")
    assert (david.role, david.title) == ("executive", "CFO")


def test_names_and_titles_helpers() -> None:
    assert same_person("Tim Haldane", "Timothy J. Haldane")
    assert same_person("Dave Kross", "David Kross") and same_person("Jim", "James Orr")
    assert not same_person("Sun", "Sundar Vale") and not same_person("Ana Bel", "Ana Ruiz")
    assert same_person("Will", "William Noor", loose=True)
    assert title_after(", Head of Investor Relations, and I'm joined by") == (
        "Head of Investor Relations"
    )
    assert title_after(", CEO and Sam Poe, CFO.") == "CEO"
    assert title_after(", and he'll be followed by") is None
    assert title_before("Speaking first is Lumaris's CEO, ") == "CEO"
    assert title_before("with us today is President and CEO ") == "President and CEO"
    assert title_before("joined by Ana Bel, ") is None
    # an appositive belongs to the name before it; "our President" after a name is its title
    assert title_before("welcome Ivo Lund, our Chairman and CEO, ") is None
    assert title_before("are our CEO, Ana Bel, and Chief Financial Officer ") == (
        "Chief Financial Officer"
    )
    assert title_after(" our President, and Cy Ode, our CFO.") == "President"


# --- Seeking-Alpha-style plain text ------------------------------------------------------------

SEEKING_ALPHA = """Orbitek Systems, Inc. (NASDAQ:ORBK) Q3 2026 Earnings Conference Call October 29, 2026 4:30 PM ET

Company Participants

Hana Lutz - VP, IR
 Rafael Moreno - EVP & CFO
 Kenji Abe - President, Chief Executive Officer and
 Co-Founder

Conference Call Participants

Ola Svensk - Ridgeway Capital
 Dev Patil - Norland Securities

Operator

Good afternoon. Welcome to the Orbitek third quarter call. Hana Lutz, you may begin.

Hana Lutz

Thank you. With me today are Kenji Abe and Rafael Moreno.

Rafael Moreno

Revenue was $1.2 billion, up 30%.

Question-and-Answer Session

Operator

Your first question comes from the line of Ola Svensk of Ridgeway Capital. Your line is open.

Ola Svensk

What about supply?

Kenji Abe

Supply is improving every month.

Operator

This concludes today's call.
"""  # noqa: E501


def test_seeking_alpha_rosters_titles_firms_and_sections() -> None:
    source = parse_transcript(SEEKING_ALPHA)
    who = _who(source)
    assert source.metadata["company"] == "Orbitek Systems, Inc."
    assert source.metadata["call_date"] == "2026-10-29"
    assert who["Rafael Moreno"] == ("executive", "EVP & CFO", None)
    kenji = ("executive", "President, Chief Executive Officer and Co-Founder", None)
    assert who["Kenji Abe"] == kenji
    assert who["Ola Svensk"] == ("analyst", None, "Ridgeway Capital")
    assert [t["section"] for t in source.metadata["turns"]] == ["prepared"] * 3 + ["qa"] * 4
    _spans_hold_the_words(source)


def test_older_rosters_headed_executives_and_analysts() -> None:
    text = (
        "Tarvo Mining Corp. (NYSE:TRV) Q2 2014 Earnings Conference Call July 24, 2014 8:30 AM ET"
        "\n\nExecutives\n\nEdda Sorn - Vice President, Investor Relations\n\n"
        "Kai Lund - Chief Executive Officer\n\nAnalysts\n\nBo Hart - Fenwick Partners\n\n"
        "Unidentified Analyst -\n\nOperator\n\nGood morning. I will now turn the call over to "
        "Edda Sorn.\n\nEdda Sorn\n\nThanks. With me is Kai Lund.\n\nKai Lund\n\nOre grades "
        "rose.\n\nQuestion-and-Answer Session\n\nOperator\n\nOur first question comes from Bo "
        "Hart.\n\nBo Hart\n\nWhy?\n\nKai Lund\n\nBecause.\n\nUnidentified Analyst\n\n"
        "And costs?\n\nKai Lund\n\nFlat.\n"
    )
    source = parse_transcript(text)
    assert [(t["speaker"], t["role"], t["section"]) for t in source.metadata["turns"]] == [
        ("Operator", "operator", "prepared"),
        ("Edda Sorn", "executive", "prepared"),
        ("Kai Lund", "executive", "prepared"),
        ("Operator", "operator", "qa"),
        ("Bo Hart", "analyst", "qa"),
        ("Kai Lund", "executive", "qa"),
        ("Unidentified Analyst", "analyst", "qa"),
        ("Kai Lund", "executive", "qa"),
    ]
    assert _who(source)["Bo Hart"] == ("analyst", None, "Fenwick Partners")


# --- a company PDF as text --------------------------------------------------------------------

PDF_MARKERS = (
    "=== PAGE 1 ===\n1 \n \nVantora Group, Inc. (VNTA) \nFourth Quarter 2026 Results Conference "
    "Call \nFebruary 3rd, 2027 \n \nLena Frost, VP, Investor Relations \n \nThank you. Joining "
    "me today are Omar Bell, CEO and Rui Sato, CFO. Our remarks include forward\u2010looking \n"
    "statements that speak only as of today and which we undertake no obligation to update as \n"
    "circumstances change. \n \nOmar Bell, CEO \n \nWe had a strong quarter across every region "
    "and every product line, and the \nnew logistics platform went live in November for all of "
    "our enterprise customers in \n\n=== PAGE 2 ===\n2 \n \nEurope and in North America. "
    "We\u2019re hiring fewer people next year than we did this year. \n \nOperator: We will now "
    "open the lines for a question and answer session. Your first \nquestion comes from the line "
    "of Tess Quill with Arden Brothers. \n \nTess Quill: Thanks. Omar, what is the plan for the "
    "platform in the coming year and \nhow will it change the cost base? \n \nRui Sato: So Tess, "
    "the cost base stays flat in the first half of the year, and we \nexpect savings in the "
    "second half as the older systems are switched off for good. \n \n And there is one more "
    "point to make: the savings go to product work in the third \nquarter and into the fourth "
    "quarter. \n"
)


def test_pdf_extract_with_page_markers() -> None:
    source = parse_transcript(PDF_MARKERS)
    who = _who(source)
    assert source.metadata["quarter"] == "Q4 2026" and source.metadata["call_date"] == "2027-02-03"
    assert source.metadata["company"] == "Vantora Group, Inc."
    assert who["Lena Frost"] == ("executive", "VP, Investor Relations", None)
    assert who["Omar Bell"] == ("executive", "CEO", None)
    assert who["Rui Sato"] == ("executive", "CFO", None)
    assert who["Tess Quill"] == ("analyst", None, "Arden Brothers")
    text = source.text
    assert "PAGE" not in text and "\n2\n" not in text
    # a turn runs across the page break; the wrapped lines of a paragraph are one line
    omar = next(t for t in source.metadata["turns"] if t["speaker"] == "Omar Bell")
    assert "customers in Europe and in North America." in text[omar["start"] : omar["end"]]
    assert "forward\u2010looking statements" in text and "We\u2019re hiring" in text
    rui = next(t for t in source.metadata["turns"] if t["speaker"] == "Rui Sato")
    assert text[rui["start"] : rui["end"]].count("\n") == 1  # two paragraphs kept apart
    assert [t["section"] for t in source.metadata["turns"]] == ["prepared"] * 2 + ["qa"] * 3
    _spans_hold_the_words(source)


def test_pdf_extract_with_form_feeds_running_headers_and_page_numbers() -> None:
    page = "Vantora Group Q4 2026 Earnings Call\n{body}\nPage {n} of 3\n"
    body = [
        "Operator: Welcome to the Vantora call. I will turn the call over to Lena Frost.\n"
        "Lena Frost: Thank you. Revenue grew in every region, and the new logistics",
        "platform went live for all enterprise customers in the fourth quarter.\n"
        "Operator: Your first question comes from Tess Quill with Arden Brothers.",
        "Tess Quill: What is next?\nLena Frost: More of the same.",
    ]
    text = "\f".join(page.format(body=b, n=i + 1) for i, b in enumerate(body))
    assert "Page" not in unpage(text) and "Earnings Call" not in unpage(text)
    source = parse_transcript(text)
    assert [t["speaker"] for t in source.metadata["turns"]] == [
        "Operator", "Lena Frost", "Operator", "Tess Quill", "Lena Frost",
    ]  # fmt: skip
    assert "logistics platform went live" in _fold(source.text)


# --- Motley Fool JSON ---------------------------------------------------------------------------


def _fool(**changes: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "header_texts": ["Contents:", "Prepared Remarks:", "Questions & Answers:"],
        "prepared_remarks": [
            {
                "speaker": "Operator",
                "speech": "Good day, and welcome to the Quillon Freight third quarter fiscal "
                "year 2026 earnings conference call. I will turn the call over to Nia Park.",
            },
            {
                "speaker": "Nia Park",
                "speech": "Thank you. These statements speak only as of March 19, 2026.\n"
                "Now Sol will share his views.",
            },
            {"speaker": "Sol Reyes", "speech": "Volumes rose 6%.\nWe are closing two hubs."},
        ],
        "q_and_a": [
            {"speaker": "Operator", "speech": "Our first question comes from Ty Moss with Vale."},
            {"speaker": "Ty Moss", "speech": "How is pricing?"},
            {"speaker": "Sol Reyes", "speech": "Firm, and rising.Ty MossGreat. Thanks."},
            {"speaker": "Duration: 41 minutes", "speech": ""},
        ],
        "participants": [
            "Nia Park--Vice President, Investor Relations",
            "Sol Reyes--President and Chief Executive Officer",
            "Ty Moss--Vale Capital Inc. -- Analyst",
        ],
    }
    obj.update(changes)
    return obj


@pytest.mark.parametrize(
    ("opening", "quarter"),
    [
        ("welcome to the Quillon Freight third quarter fiscal year 2026 earnings call", "Q3 2026"),
        ("Welcome to Quillon Freight's call for the fiscal 2026 third quarter", "Q3 2026"),
        ("Welcome to the Quillon Freight Second Quarter 2026 Earnings Call", "Q2 2026"),
        ("welcome to Quillon Freight's Q4 fiscal 2025 results call", "Q4 2025"),
    ],
)
def test_company_and_quarter_from_the_operators_opening(opening: str, quarter: str) -> None:
    obj = _fool()
    obj["prepared_remarks"][0]["speech"] = opening + "."
    source = parse_fool_json(obj)
    assert (source.metadata["company"], source.metadata["quarter"]) == ("Quillon Freight", quarter)


def test_fool_json_headings_scraped_as_speakers() -> None:
    obj = _fool()
    qa = obj.pop("q_and_a")
    obj["prepared_remarks"] += [{"speaker": "Questions and Answers:", "speech": ""}, *qa]
    obj["prepared_remarks"] += [
        {"speaker": "Call participants:", "speech": ""},
        {"speaker": "Nia Park", "speech": ""},
        {"speaker": "Ty Moss", "speech": "More QFR analysis"},
    ]
    obj["q_and_a"] = []
    source = parse_fool_json(obj)
    assert [t["section"] for t in source.metadata["turns"]] == ["prepared"] * 3 + ["qa"] * 4
    assert "More QFR analysis" not in source.text


def test_fool_json_is_recognised() -> None:
    assert is_fool_json(_fool())
    obj = _fool()
    obj["questions_and_answers"] = obj.pop("q_and_a")
    assert is_fool_json(obj)
    assert not is_fool_json({"prepared_remarks": []}) and not is_fool_json([1, 2])
    with pytest.raises(ParseError):
        parse_fool_json({"jobs": []})


def test_fool_json_turns_titles_and_header_from_the_opening() -> None:
    source = parse_fool_json(_fool(), url="https://example.org/qfr.json")
    who = _who(source)
    assert source.metadata["company"] == "Quillon Freight"
    assert source.metadata["quarter"] == "Q3 2026"
    assert source.metadata["call_date"] == "2026-03-19"
    assert source.title == "Quillon Freight Q3 2026 earnings call"
    assert who["Nia Park"] == ("executive", "Vice President, Investor Relations", None)
    assert who["Sol Reyes"] == ("executive", "President and Chief Executive Officer", None)
    assert who["Ty Moss"] == ("analyst", "Analyst", "Vale Capital Inc.")
    speakers = [t["speaker"] for t in source.metadata["turns"]]
    # the glued name starts a turn of its own; the Duration pseudo-speaker is gone
    assert speakers[-3:] == ["Ty Moss", "Sol Reyes", "Ty Moss"]
    assert "Duration" not in source.text
    assert "Sol Reyes (President and Chief Executive Officer): Volumes rose 6%.\nWe are" in (
        source.text
    )
    assert [t["section"] for t in source.metadata["turns"]] == ["prepared"] * 3 + ["qa"] * 4
    _spans_hold_the_words(source)


# --- fool.com pages ---------------------------------------------------------------------------

FOOL_PAGE = """<html><body><section class="article-body"><span class="article-content">
<p><strong>Brightwell &amp; Co</strong> <span class="ticker">(<a href="#">NYSE:BRWL</a>)</span><br/>
Q1 2026 Earnings Call<br/><span id="date">Jun 02, 2026</span>, <em id="time">5:00 p.m. ET</em></p>
<h2>Contents:</h2><ul><li>Prepared Remarks</li><li>Questions and Answers</li></ul>
<h2>Prepared Remarks:</h2>
<p><strong>Operator</strong></p><p>Welcome. I will now turn the call over to Ms.</p> <p>Ruth Gale.</p>
<p><strong>Ruth Gale</strong> -- <em>Vice President, Investor Relations</em></p><p>Thank you.</p><p></p>
<p>Joining me is Colm Ware.</p>
<p><strong>Colm Ware</strong></p><p>Comparable sales fell 3%.</p>
<h2>Questions &amp; Answers:</h2>
<p><strong>Operator</strong></p><p>Our first question comes from Gil Amos from Tarn.</p>
<p><strong>Gil Amos</strong> -- <em>Tarn Securities Inc. -- Analyst</em></p><p>What about stores?</p>
<p><strong>Colm Ware</strong></p><p>We are closing 40 of them.</p>
<p><strong>Duration: 30 minutes</strong></p>
<h2>Call participants:</h2>
<p><strong>Ruth Gale</strong> -- <em>Vice President, Investor Relations</em></p>
<p><strong>Colm Ware</strong> -- <em>President and Chief Executive Officer</em></p>
<p><strong>Gil Amos</strong> -- <em>Tarn Securities Inc. -- Analyst</em></p>
</span></section></body></html>"""  # noqa: E501


def test_fool_page_participants_list_and_ampersand_heading() -> None:
    source = parse_fool_html(FOOL_PAGE, "https://example.org/brwl")
    who = _who(source)
    assert source.metadata["call_date"] == "2026-06-02"
    assert source.metadata["company"] == "Brightwell & Co"
    assert who["Colm Ware"] == ("executive", "President and Chief Executive Officer", None)
    assert who["Gil Amos"] == ("analyst", "Analyst", "Tarn Securities Inc.")
    assert [t["section"] for t in source.metadata["turns"]] == ["prepared"] * 3 + ["qa"] * 3
    assert "Duration" not in source.text and "Call participants" not in source.text
    assert "turn the call over to Ms. Ruth Gale." in _fold(source.text)
    _spans_hold_the_words(source)
    assert not re.search(r"\n\n(?![A-Z][\w .,&()-]*: )", source.text)


def test_fetch_transcript_as_json_or_markdown(tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.route("/call.json", Reply(200, json.dumps(_fool()).encode(), "application/json"))
        server.route("/call.md", Reply(200, MARKDOWN.encode(), "text/markdown; charset=utf-8"))
        server.route("/other.json", Reply(200, b'{"jobs": []}', "application/json"))
        ctx = make_context(tmp_path, server.base_url)
        account = Account(account_id="luma", name="Lumaris")
        call = fetch_transcript(server.url("/call.json"), ctx, account)
        assert call.metadata["company"] == "Quillon Freight"
        assert call.url == server.url("/call.json")
        notes = fetch_transcript(server.url("/call.md"), ctx, account)
        assert _who(notes)["Ines Varga"] == ("executive", "CFO", None)
        with pytest.raises(ParseError, match="no transcript"):
            fetch_transcript(server.url("/other.json"), ctx, account)
