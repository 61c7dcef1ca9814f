"""An ordinary sentence never kills the brief: the message writer applies the validator's own
internal-data check, and the check guards our data, not the client's public words."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.config import Settings
from agent.schemas import Account, Briefing, Evidence, Persona, Source, SourceKind, ValueMessage
from agent.synthesize.evidence import Candidate
from agent.synthesize.messages import load_personas, write_messages
from agent.validate import INTERNAL_WORDS, LeakCheck, internal_terms, leak_errors
from knowledge.store import KnowledgeStore
from tests.factories import make_source

NOW = datetime(2026, 3, 2, tzinfo=UTC)
ACCOUNT = Account(
    account_id="acme",
    name="Acme Corp",
    arr=1_200_000,
    seats_purchased=250,
    plan="Enterprise",
)
PUBLIC = "news-1"
NOTE_TEXT = "Champion worries that the renewal budget will be cut in half next spring."


def _source(
    text: str, kind: SourceKind = SourceKind.news, id_: str = PUBLIC, title: str = "t"
) -> Source:
    return make_source(text, id=id_, kind=kind, title=title, retrieved_at=NOW, published_at=NOW)


NOTE = _source(NOTE_TEXT, SourceKind.crm_note, "crm_note-1")
TERMS = internal_terms(ACCOUNT, [NOTE, _source("Public words.")])


def _msg(message: str, *quotes: tuple[str, str]) -> ValueMessage:
    return ValueMessage(
        persona=Persona.finance,
        message=message,
        proof_points=[Evidence(source_id=s, quote=q) for s, q in quotes],
    )


@pytest.mark.parametrize(
    "quote",
    [
        "Our ARR grew 35 percent as larger customers renewed early.",
        "We moved every sales team onto a single CRM vendor this year.",
        "Our annual recurring revenue passed one billion dollars in the quarter.",
        "We now serve 1.2 million households, and 250 seats at each partner site.",
        "Students at-risk of dropping out get a mentor in the first week.",
        "Our Enterprise plan customers doubled after the price change.",
    ],
)
def test_the_clients_public_words_are_not_a_leak(quote: str) -> None:
    message = f"Predictable spend. Acme Corp wrote: “{quote}” Proposed outcome: more."
    assert leak_errors([_msg(message, (PUBLIC, quote))], TERMS) == []
    # a model quoting only part of the sentence, in straight quotes
    part = " ".join(quote.split()[:6])
    assert leak_errors([_msg(f'They said "{part}" last week.', (PUBLIC, quote))], TERMS) == []


@pytest.mark.parametrize(
    ("message", "found"),
    [
        ("Your ARR with us grew 35 percent.", "'ARR'"),
        ("Our CRM shows you are unhappy.", "'CRM'"),
        ("Your health score is 62, so let us talk.", "'health score'"),
        ("You pay 1,200,000 a year.", "1,200,000"),
        ("You pay $1.2m a year.", "1.2m"),
        ("All 250 seats are in use.", "250 seats"),
        ("Your Enterprise plan renews soon.", "enterprise plan"),
        (f"Heads up: {NOTE_TEXT}", "internal data"),
        (f"Heads up: “{NOTE_TEXT}”", "internal data"),
    ],
)
def test_our_data_in_our_words_is_refused(message: str, found: str) -> None:
    errors = leak_errors([_msg(message)], TERMS)
    assert any(found in e for e in errors), errors


def test_a_quote_exempts_only_itself_and_only_from_a_public_source() -> None:
    quote = "Our ARR grew 35 percent as larger customers renewed early."
    # the client's sentence is quoted, but our own words around it still say ARR
    leaky = _msg(f"Your ARR with us is flat. They wrote: “{quote}”", (PUBLIC, quote))
    assert any("'ARR'" in e for e in leak_errors([leaky], TERMS))
    # a bare word found in a public page does not make "ARR" the client's words
    short = _msg("Your ARR with us is flat.", (PUBLIC, "ARR"))
    assert any("'ARR'" in e for e in leak_errors([short], TERMS))
    # a quote from the CSM's own notes is internal, whatever it says
    cited = _msg(f"They said: “{NOTE_TEXT}”", ("crm_note-1", NOTE_TEXT))
    errors = leak_errors([cited], TERMS)
    assert any("internal source" in e for e in errors) and any("internal data" in e for e in errors)
    # a quoted passage that no public proof carries is our words
    invented = _msg("They said “your ARR with us shrank” on the call.", (PUBLIC, quote))
    assert any("'ARR'" in e for e in leak_errors([invented], TERMS))


def test_the_clients_name_is_never_a_leak() -> None:
    account = Account(account_id="arr", name="ARR Freight Lines", aliases=["CRM Partners Ltd"])
    terms = internal_terms(account, [])
    message = _msg("ARR Freight Lines and CRM Partners Ltd: predictable spend with ROI.")
    assert leak_errors([message], terms) == []
    assert leak_errors([_msg("ARR Freight Lines: your ARR is flat.")], terms)


def test_internal_figures_match_whole_words_only() -> None:
    account = Account(account_id="n", name="N", plan="Next", seats_purchased=12, arr=5_000)
    terms = internal_terms(account, [])
    ordinary = _msg("By the next planning cycle, 112 seats and 15,000 users.")
    assert leak_errors([ordinary], terms) == []
    assert leak_errors([_msg("Your Next plan has 12 seats for 5,000 a year.")], terms)


def test_personas_say_no_internal_word_of_their_own() -> None:
    check = LeakCheck(internal_terms(ACCOUNT, []))
    for spec in load_personas().values():
        texts = [spec.opener, spec.outcome.format(kpi=spec.default_kpi), spec.close]
        assert not check.errors(0, _msg(" ".join(texts))), spec.persona


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    from knowledge.embed import default_embedder

    return KnowledgeStore(Settings(home=tmp_path_factory.mktemp("h")), default_embedder())


def _candidates(store: KnowledgeStore, rows: list[tuple[str, str, SourceKind]]) -> list[Candidate]:
    found = []
    for i, (title, text, kind) in enumerate(rows):
        source = _source(text, kind, f"{kind.value}-{i}", title)
        candidate = Candidate(source=source, text=text, start=0, recency=1.0)
        candidate.embedding = store.embed([text])[0]
        found.append(candidate)
    return found


def test_the_writer_never_writes_what_validation_refuses(store: KnowledgeStore) -> None:
    hostile_titles = [f"{word} news" for word in INTERNAL_WORDS] + ["Your 1,200,000 ARR deal"]
    sentences = [
        "Every investment must show a return on revenue within two quarters, the CFO said.",
        "We will grow annual recurring revenue by consolidating vendors and cutting costs.",
        "Our teams spend hours on manual steps in the daily workflow, slowing every order.",
        "The CEO told investors that net revenue retention is the metric the board watches.",
        "Our CRM vendor consolidation saved money and gave the sales team fewer tools.",
    ]
    rows = [
        (hostile_titles[i % len(hostile_titles)], s, SourceKind.news)
        for i, s in enumerate(sentences)
    ]
    rows.append(("CRM", NOTE_TEXT, SourceKind.crm_note))
    candidates = _candidates(store, rows)
    terms = internal_terms(ACCOUNT, [c.source for c in candidates])
    questions = ["What does your CRM say about churn risk?"]  # a question no message may ask
    messages = write_messages(ACCOUNT, list(Persona), candidates, store, questions, terms)
    assert [m.persona for m in messages] == list(Persona)
    assert leak_errors(messages, terms) == []
    assert all(p.source_id != "crm_note-5" for m in messages for p in m.proof_points)
    assert any(m.proof_points for m in messages)


def test_with_nothing_safe_to_quote_a_persona_gets_a_question(store: KnowledgeStore) -> None:
    candidates = _candidates(store, [("CRM", NOTE_TEXT, SourceKind.crm_note)])
    terms = internal_terms(ACCOUNT, [c.source for c in candidates])
    questions = ["What does your CRM say about churn risk?"]
    messages = write_messages(ACCOUNT, [Persona.finance], candidates, store, questions, terms)
    assert len(messages) == 1 and not messages[0].proof_points
    assert leak_errors(messages, terms) == []
    assert "What matters most to you this year?" in messages[0].message


runner = CliRunner()

PAGE = """<html><head><title>Acme Corp growth update</title></head><body>
<article><h1>Acme Corp growth update</h1>
<p>Acme Corp said its ARR grew 35 percent in the year as larger customers renewed early and
added new teams.</p>
<p>We moved every regional sales team onto one CRM vendor, and our annual recurring revenue
per customer rose as a result of the change.</p>
<p>Every investment we make must show a return on revenue within two quarters of launch.</p>
<p>Our board watches net revenue retention and gross margin more closely than any metric.</p>
</article></body></html>
"""


def _invoke(home: Path, *args: str) -> Any:
    return runner.invoke(app, ["--home", str(home), *args])


def test_a_public_page_naming_arr_and_crm_is_briefed(home: Path, tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("account_id,name,arr,seats_purchased\nacme-corp,Acme Corp,1200000,250\n")
    assert _invoke(home, "book", "import", str(book)).exit_code == 0
    page = tmp_path / "update.html"
    page.write_text(PAGE)
    note = tmp_path / "note.txt"
    note.write_text(NOTE_TEXT + "\n")
    result = _invoke(home, "add", "acme-corp", str(page))
    assert result.exit_code == 0, result.output
    result = _invoke(home, "add", "acme-corp", str(note), "--kind", "crm_note")
    assert result.exit_code == 0, result.output
    result = _invoke(home, "brief", "acme-corp", "--format", "json", "--offline")
    assert result.exit_code == 0, result.stderr
    briefing = Briefing.model_validate_json(result.stdout)
    assert [m.persona for m in briefing.messages] == list(Persona)
    stored = json.loads(_invoke(home, "sources", "acme-corp", "--format", "json").stdout)
    sources = [Source.model_validate(s) for s in stored["sources"]]
    account = Account(account_id="acme-corp", name="Acme Corp", arr=1_200_000, seats_purchased=250)
    assert leak_errors(briefing.messages, internal_terms(account, sources)) == []
    cited = {p.source_id for m in briefing.messages for p in m.proof_points}
    assert cited and not cited & {s.id for s in sources if s.internal}
    markdown = _invoke(home, "brief", "acme-corp", "--offline")
    assert markdown.exit_code == 0 and "## Value messages" in markdown.stdout
