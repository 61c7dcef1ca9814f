"""ReplayTransport: recorded responses by URL, query order ignored, everything else 404."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from agent.config import Settings
from agent.errors import ParseError
from tools.http import HttpClient
from tools.replay import ReplayTransport

DEMO = Path(__file__).parents[2] / "agent" / "demo"

MANIFEST = """\
- url: https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&page=2
  file: jobs.json
  content_type: application/json
- url: https://news.google.com/rss/search
  file: feed.xml
  content_type: application/rss+xml
- url: https://www.example.com/gone
  file: feed.xml
  content_type: text/html
  status: 410
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    (tmp_path / "jobs.json").write_text('{"jobs": []}', encoding="utf-8")
    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    path = tmp_path / "recordings.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    return path


def fetch(transport: ReplayTransport, url: str) -> httpx.Response:
    with httpx.Client(transport=transport) as client:
        return client.get(url)


def test_manifest_files_are_served_with_their_type(manifest):
    transport = ReplayTransport.from_manifest(manifest)
    response = fetch(
        transport, "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&page=2"
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"jobs": []}


def test_query_parameters_match_in_any_order(manifest):
    transport = ReplayTransport.from_manifest(manifest)
    url = "https://boards-api.greenhouse.io/v1/boards/acme/jobs?page=2&content=true"
    assert fetch(transport, url).status_code == 200
    assert fetch(transport, url.replace("page=2", "page=3")).status_code == 404


def test_a_recording_without_query_matches_any_query(manifest):
    transport = ReplayTransport.from_manifest(manifest)
    response = fetch(transport, "https://news.google.com/rss/search?q=acme+corp&hl=en-US")
    assert response.status_code == 200 and response.content == b"<rss/>"


def test_unknown_urls_answer_404_and_requests_are_recorded(manifest):
    transport = ReplayTransport.from_manifest(manifest)
    assert fetch(transport, "https://api.lever.co/v0/postings/acme").status_code == 404
    assert fetch(transport, "https://www.example.com/gone").status_code == 410
    assert str(transport.requests[0].url) == "https://api.lever.co/v0/postings/acme"


def test_bytes_recordings_serve_through_the_client(home):
    transport = ReplayTransport(
        {"https://api.ashbyhq.com/posting-api/job-board/acme": (200, "application/json", b"[1]")}
    )
    with HttpClient(Settings(home=home), transport=transport, sleep=lambda _: None) as http:
        assert http.get_json("https://api.ashbyhq.com/posting-api/job-board/acme") == [1]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("url: x", "is a list of entries"),
        ("- url: https://a.example/\n  file: nope.json\n  content_type: text/html", "not found"),
        ("- url: https://a.example/", "needs url, file and content_type"),
        ("- [unclosed", "cannot read the replay manifest"),
    ],
)
def test_bad_manifests_fail_in_one_line(tmp_path, text, problem):
    path = tmp_path / "recordings.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=problem) as caught:
        ReplayTransport.from_manifest(path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "path", sorted(DEMO.glob("*/recordings.yaml")), ids=lambda p: p.parent.name
)
def test_bundled_demo_manifests_load(path):
    assert ReplayTransport.from_manifest(path)._recordings
