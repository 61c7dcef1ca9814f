"""The real-document eval on a realdocs-style folder written here (invented documents in the
same layout: manifest.jsonl, labels.jsonl, key_facts.jsonl per folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from evals.real import DocOutcome, RealDoc, load_corpus, run_corpus
from evals.real_metrics import covers, score_corpus, shares
from evals.run import load_floors

NEWS = """<!doctype html><html><head><title>Quillfeather names a new CFO</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "New CFO",
"datePublished": "2024-03-04T09:00:00Z"}</script></head><body><article>
<h1>Quillfeather names a new CFO</h1>
<p>Quillfeather Inc. appointed Dana Whitlow as chief financial officer, effective April 1.</p>
<p>Whitlow joins from Brightmoor, where she ran finance for six years.</p>
<p>Quillfeather also said revenue grew 14% to $220 million in the quarter.</p>
</article></body></html>"""

CALL = """Quillfeather Q4 2023 Earnings Call
February 20, 2024

Prepared Remarks

Operator
Welcome to the Quillfeather fourth quarter call.

Dana Whitlow -- Chief Financial Officer
Revenue grew 14% to $220 million, and we expect full-year revenue of $950 million.
Our priority this year is to expand the subscription business in Europe.

Questions and Answers

Sam Lee -- Northfield Capital -- Analyst
Will the layoffs you announced hit the sales team?

Dana Whitlow -- Chief Financial Officer
No, the sales team keeps growing.
"""


def _lines(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def realdocs(tmp_path: Path) -> Path:
    root = tmp_path / "realdocs"
    (root / "news").mkdir(parents=True)
    (root / "transcripts").mkdir()
    (root / "news" / "quill.html").write_text(NEWS, encoding="utf-8")
    (root / "transcripts" / "quill.txt").write_text(CALL, encoding="utf-8")
    account = {"account": "Quillfeather", "aliases": ["Quillfeather Inc."]}
    _lines(
        root / "news" / "manifest.jsonl",
        [{"doc": "news/quill.html", **account, "as_of": "2024-03-05", "published": "2024-03-04",
          "kind": "news", "layout": "invented"}],
    )  # fmt: skip
    _lines(
        root / "news" / "labels.jsonl",
        [
            {"id": "n1", "doc": "news/quill.html", "type": "executive_appointment",
             "quote": "Quillfeather Inc. appointed Dana Whitlow as chief financial officer, "
             "effective April 1."},
            {"id": "n2", "doc": "news/quill.html", "type": "none",
             "quote": "Whitlow joins from Brightmoor, where she ran finance for six years."},
        ],
    )  # fmt: skip
    _lines(
        root / "transcripts" / "manifest.jsonl",
        [{"doc": "transcripts/quill.txt", **account, "as_of": "2024-02-21",
          "kind": "earnings_call", "executives": [{"name": "Dana Whitlow",
          "title": "Chief Financial Officer"}]}],
    )  # fmt: skip
    _lines(
        root / "transcripts" / "key_facts.jsonl",
        [{"doc": "transcripts/quill.txt", "layer": "commercial", "fact": "Revenue grew 14%.",
          "quote": "Revenue grew 14% to $220 million", "keywords": ["14%", "$220 million"]}],
    )  # fmt: skip
    return root


def test_a_label_is_found_by_sixty_percent_of_its_words() -> None:
    label = "Revenue grew 14% to $220 million in the quarter"
    assert shares("revenue grew 14% to $220 million", label)
    assert not shares("Revenue grew in the quarter", label)
    assert shares("It’s growing", "it's growing")  # curly and straight quotes fold


def test_a_fact_is_covered_by_its_words_or_all_its_keywords(realdocs: Path) -> None:
    fact = load_corpus(realdocs).facts[0]
    assert covers(["Revenue grew 14% to $220 million."], fact)
    assert covers(["Sales: $220 million (+14%)"], fact)
    assert not covers(["Sales rose to $220 million"], fact)


def test_scores_follow_the_readme_rules(realdocs: Path) -> None:
    corpus = load_corpus(realdocs)
    appointment = (
        "executive_appointment",
        ["Quillfeather Inc. appointed Dana Whitlow as chief financial officer"],
    )
    distractor_hit = ("executive_departure", ["Whitlow joins from Brightmoor, where she ran"])
    outcomes = [
        DocOutcome("news/quill.html", kinds=["news"], sources=1, published=["2024-03-04"],
                   titles=["Quillfeather names a new CFO &amp; more"],
                   signals=[appointment, distractor_hit]),
        DocOutcome("transcripts/quill.txt", kinds=["earnings_call"], sources=1,
                   speakers=[("Dana Whitlow", "Chief Financial Officer", "executive"),
                             ("Sam Lee", "Analyst", "executive")],
                   claims=[("competitive", "Revenue grew 14% to $220 million", [])],
                   messages_proved=4, messages_proof_worthy=3),
    ]  # fmt: skip
    report = score_corpus(corpus, outcomes)
    o = report.overall
    assert o["signal_recall"] == 1.0
    assert o["distractor_free"] == 0.0
    assert o["on_label_rate"] == 0.5
    assert (o["key_fact_recall"], o["key_fact_in_layer"]) == (1.0, 0.0)
    assert (o["executive_recall"], o["executive_titles"], o["executive_precision"]) == (1, 1, 0.5)
    assert (o["date_rate"], o["clean_title_rate"], o["kind_rate"]) == (1.0, 0.0, 1.0)
    assert report.by_type["executive_departure"].distractor_hits == 1
    assert o["proof_point_rate"] == 0.75


def test_each_document_runs_in_its_own_workspace_as_of_its_day(realdocs: Path) -> None:
    corpus = load_corpus(realdocs)
    outcomes = run_corpus(corpus, jobs=1)
    news, call = outcomes
    assert (news.error, news.kinds, news.published) == (None, ["news"], ["2024-03-04"])
    assert any(t == "executive_appointment" for t, _ in news.signals)
    assert ("Dana Whitlow", "Chief Financial Officer", "executive") in call.speakers
    assert call.claims and call.brief_error is None
    assert call.messages_proved and call.messages_proof_worthy == call.messages_proved
    report = score_corpus(corpus, outcomes)
    assert report.overall["ingest_rate"] == 1.0
    assert report.overall["signal_recall"] == 1.0


def test_a_document_that_fails_is_a_row_with_its_error(realdocs: Path) -> None:
    (realdocs / "news" / "quill.html").write_bytes(b"\x00\x01binary")
    corpus = load_corpus(realdocs)
    news = run_corpus(corpus, jobs=1, only="news")[0]
    assert news.error and "binary" in news.error
    assert score_corpus(corpus, [news]).overall["ingest_rate"] == 0.0


def test_the_cli_scores_a_folder_and_gates_on_its_own_floors(
    realdocs: Path, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline_real.json"
    args = ["eval", "--real", str(realdocs), "-j", "1", "--baseline", str(baseline)]
    result = CliRunner().invoke(app, [*args, "--write-baseline", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["overall"]["ingest_rate"] == 1.0
    assert {d["doc"] for d in payload["documents"]} == {"news/quill.html", "transcripts/quill.txt"}
    assert load_floors(baseline)["ingest_rate"] == 1.0
    baseline.write_text(json.dumps({"floors": {"signal_recall": 1.01}}), encoding="utf-8")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "below floor: signal_recall" in result.stderr
    assert "signals by type" in result.stdout


def test_a_folder_without_manifests_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--real", str(tmp_path)])
    assert result.exit_code == 1
    assert "not a realdocs folder" in result.stderr


def test_as_of_overrides_every_documents_day(realdocs: Path) -> None:
    from datetime import UTC, datetime

    corpus = load_corpus(realdocs)
    before = datetime(2024, 3, 1, tzinfo=UTC)
    news = run_corpus(corpus, jobs=1, only="news", as_of=before)[0]
    assert news.signals == []  # published on the 4th: not in the store as it stood on the 1st
    assert isinstance(corpus.docs[0], RealDoc)


def test_an_llm_run_is_reported_with_its_cost_and_never_gated(realdocs: Path) -> None:
    """`--llm scripted`: the briefs go down the LLM path (the bundled scripted server), the JSON
    says how many the model wrote and what they cost, and the floors do not fail the run."""
    args = ["eval", "--real", str(realdocs), "--llm", "scripted", "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    cost = json.loads(result.stdout)["llm"]
    assert cost["briefs"] == 2 and cost["written_by_model"] + cost["fell_back"] == 2
    assert cost["written_by_model"] >= 1 and cost["prompt_tokens_per_brief"] > 0
    refused = CliRunner().invoke(app, [*args, "--write-baseline"])
    assert refused.exit_code == 1 and "extractive" in refused.stderr
