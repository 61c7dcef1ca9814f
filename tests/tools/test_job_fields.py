"""Every field the three job-board APIs send, read from invented postings in their real layouts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tools.jobs import parse_ashby, parse_greenhouse, parse_job_board, parse_lever


def _greenhouse_body() -> bytes:
    content = (
        "<h2>About Quokka Freight</h2><p>We move parcels across Africa &amp; Asia.</p>"
        "<p><strong>Tech stack:</strong> Kotlin, Postgres &amp; Snowflake.</p>"
        "<ul><li><p>Own the routing service</p></li><li><p>Ship weekly</p></li></ul>"
    )
    # the API escapes the HTML entities once more and sends "&" as \u0026 in the JSON body
    escaped = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    jobs = [
        {
            "absolute_url": "https://job-boards.greenhouse.io/quokka/jobs/501",
            "data_compliance": [{"type": "gdpr", "requires_consent": False}],
            "education": "education_optional",
            "internal_job_id": 9001,
            "location": {"name": "Lagos & Nairobi"},
            "metadata": [
                {"id": 1, "name": "Contract Type", "value": "Permanent", "value_type": "single"},
                {"id": 2, "name": "Hiring Manager", "value": None, "value_type": "short_text"},
            ],
            "id": 501,
            "updated_at": "2026-08-03T11:42:07-04:00",
            "requisition_id": "REQ-77",
            "title": "Senior Routing Engineer ",
            "company_name": "Quokka Freight",
            "first_published": "2026-07-30T22:28:09-04:00",
            "language": "en",
            "application_deadline": "2026-09-30",
            "content": escaped,
            "departments": [{"id": 7, "name": "Engineering ", "child_ids": [], "parent_id": None}],
            "offices": [
                {"id": 8, "name": "Lagos", "location": "Lagos, Lagos State, NG"},
                {"id": 9, "name": "Nairobi", "location": "Nairobi, Nairobi County, KE"},
            ],
            "ai_disclaimer": None,
        },
        {
            "absolute_url": "https://job-boards.greenhouse.io/quokka/jobs/502",
            "location": {"name": "Kenya or Ghana or Nigeria"},
            "metadata": None,
            "id": 502,
            "updated_at": "2026-08-19T10:09:41-04:00",
            "title": "Product Manager",
            "first_published": None,
            "content": "&lt;p&gt;Own the wallet.&lt;/p&gt;",
            "departments": [],
            "offices": [],
        },
    ]
    body = json.dumps({"jobs": jobs, "meta": {"total": 2}}, separators=(",", ":"))
    return body.replace("&", "\\u0026").encode()


def test_greenhouse_reads_every_field() -> None:
    first, second = parse_greenhouse(_greenhouse_body(), "quokka")
    assert first.title == "Senior Routing Engineer"
    assert first.text.startswith(
        "Senior Routing Engineer\nDepartment: Engineering\nLocation: Lagos & Nairobi\n"
        "Employment type: Permanent\n\nAbout Quokka Freight\n\n"
        "We move parcels across Africa & Asia."
    )
    assert "Tech stack: Kotlin, Postgres & Snowflake." in first.text
    assert "- Own the routing service\n- Ship weekly" in first.text
    assert "&amp;" not in first.text and "<p>" not in first.text
    # opened on first_published, not on the last edit
    assert first.published_at == datetime(2026, 7, 31, 2, 28, 9, tzinfo=UTC)
    meta = first.metadata
    assert meta["department"] == "Engineering" and meta["departments"] == ["Engineering"]
    assert meta["location"] == "Lagos & Nairobi"
    assert meta["locations"] == ["Lagos", "Nairobi"]
    assert meta["offices"][1] == {
        "name": "Nairobi",
        "location": "Nairobi, Nairobi County, KE",
    }
    assert meta["fields"] == {"Contract Type": "Permanent"}
    assert meta["updated_at"] == "2026-08-03T15:42:07+00:00"
    assert meta["requisition_id"] == "REQ-77" and meta["company_name"] == "Quokka Freight"
    assert meta["language"] == "en" and meta["application_deadline"] == "2026-09-30"
    assert meta["education"] == "education_optional"
    # no first_published: the last update is the best date there is; no department: None
    assert second.published_at == datetime(2026, 8, 19, 14, 9, 41, tzinfo=UTC)
    assert second.metadata["department"] is None
    assert second.metadata["locations"] == ["Kenya", "Ghana", "Nigeria"]


def _lever_body() -> bytes:
    posting = {
        "additionalPlain": "Why Wombat?\nWe print for 40,000 small businesses.",
        "additional": "<div><b>Why Wombat?</b></div><div>We print for 40,000 businesses.</div>",
        "categories": {
            "commitment": "Permanent - Full-time",
            "department": "Product & Technology",
            "location": "LOS/NBO",
            "team": "Platform",
            "allLocations": ["Lagos", "Nairobi"],
        },
        "createdAt": 1776797392286,
        "descriptionPlain": "Wombat Print makes business cards.\nWe run on AWS and Looker.",
        "description": "<div>Wombat Print makes business cards.</div><div>We run on AWS.</div>",
        "id": "c0ffee00-0000-4000-8000-000000000001",
        "lists": [
            {"text": "What you will do", "content": "<li><p>Run the print queue</p></li>"},
            {"text": "About you", "content": "<li>You know Terraform</li>"},
        ],
        "text": "Staff Platform Engineer",
        "country": "ZA",
        "workplaceType": "hybrid",
        "hostedUrl": "https://jobs.lever.co/wombat/c0ffee00-0000-4000-8000-000000000001",
        "applyUrl": "https://jobs.lever.co/wombat/c0ffee00-0000-4000-8000-000000000001/apply",
        "salaryRange": {
            "min": 90000,
            "max": 120000,
            "currency": "GBP",
            "interval": "per-year-salary",
        },
    }
    evergreen = {
        "categories": {"department": "Future opportunities", "location": "Various"},
        "createdAt": 1716797392286,
        "descriptionPlain": "Tell us about yourself.",
        "id": "c0ffee00-0000-4000-8000-000000000002",
        "lists": [],
        "text": "Join the Wombat talent pool",
        "hostedUrl": "https://jobs.lever.co/wombat/c0ffee00-0000-4000-8000-000000000002",
        "workplaceType": "unspecified",
    }
    return json.dumps([posting, evergreen]).encode()


def test_lever_reads_every_field() -> None:
    job, evergreen = parse_lever(_lever_body(), "wombat")
    assert job.text.startswith(
        "Staff Platform Engineer\nDepartment: Product & Technology\nTeam: Platform\n"
        "Location: LOS/NBO\nEmployment type: Permanent - Full-time\nWorkplace: Hybrid\n"
        "Compensation: GBP 90,000-120,000 per year\n\nWombat Print makes business cards."
    )
    assert "What you will do\n- Run the print queue" in job.text
    assert "About you\n- You know Terraform" in job.text
    assert "We print for 40,000 small businesses." in job.text
    assert job.published_at == datetime(2026, 4, 21, 18, 49, 52, 286000, tzinfo=UTC)
    meta = job.metadata
    assert meta["locations"] == ["Lagos", "Nairobi"]  # allLocations, not the code
    assert meta["team"] == "Platform" and meta["employment_type"] == "Permanent - Full-time"
    assert meta["workplace_type"] == "Hybrid" and meta["country"] == "ZA"
    assert meta["apply_url"].endswith("/apply")
    assert evergreen.metadata["location"] == "Various"
    assert evergreen.metadata["locations"] == ["Various"]
    assert "workplace_type" not in evergreen.metadata  # "unspecified" says nothing
    assert "Workplace:" not in evergreen.text


def _ashby_body() -> bytes:
    job = {
        "id": "7a1e0000-0000-4000-8000-000000000001",
        "title": "Lead Platform Engineer",
        "department": "Engineering",
        "team": "Applied AI",
        "employmentType": "FullTime",
        "location": "Helsinki",
        "shouldDisplayCompensationOnJobPostings": True,
        "secondaryLocations": [
            {"location": "Remote (EU)", "address": {"postalAddress": {"addressCountry": "EU"}}}
        ],
        "publishedAt": "2026-03-04T09:15:27.118+00:00",
        "isListed": True,
        "isRemote": True,
        "address": {
            "postalAddress": {
                "addressRegion": "Uusimaa",
                "addressCountry": "Finland",
                "addressLocality": "Helsinki",
            }
        },
        "jobUrl": "https://jobs.ashbyhq.com/koala/7a1e0000-0000-4000-8000-000000000001",
        "applyUrl": "https://jobs.ashbyhq.com/koala/7a1e0000-0000-4000-8000-000000000001/application",
        "descriptionHtml": (
            "<p><strong>WHAT WE RUN</strong></p><ul><li><p><strong>Hosting</strong>: Fastly, "
            '<a href="http://Render.com">Render.com</a>, GCP</p></li></ul>'
        ),
        "descriptionPlain": "WHAT WE RUN\n\n - Hosting: Fastly, Render.com http://Render.com, GCP",
        "compensation": {
            "compensationTierSummary": None,
            "scrapeableCompensationSalarySummary": None,
            "compensationTiers": [],
            "summaryComponents": [
                {
                    "compensationType": "Salary",
                    "interval": "1 YEAR",
                    "currencyCode": "EUR",
                    "minValue": 80000,
                    "maxValue": 110000,
                }
            ],
        },
    }
    return json.dumps({"jobs": [job], "apiVersion": "1"}).encode()


def test_ashby_reads_every_field() -> None:
    (job,) = parse_ashby(_ashby_body(), "koala")
    # the HTML shows the link's words once; the plain field repeats its address
    assert "- Hosting: Fastly, Render.com, GCP" in job.text
    assert job.text.startswith(
        "Lead Platform Engineer\nDepartment: Engineering\nTeam: Applied AI\n"
        "Location: Helsinki; Remote (EU)\nEmployment type: Full Time\nWorkplace: Remote\n"
        "Compensation: Salary EUR 80,000-110,000 per year\n\n"
    )
    assert job.published_at == datetime(2026, 3, 4, 9, 15, 27, 118000, tzinfo=UTC)
    meta = job.metadata
    assert meta["locations"] == ["Helsinki", "Remote (EU)"]
    assert meta["address"] == "Helsinki, Uusimaa, Finland"
    assert meta["is_remote"] is True and meta["apply_url"].endswith("/application")


def test_signal_fields_survive_for_every_provider() -> None:
    """hiring_surge and tech_stack read department, location and date: all three give them."""
    sources = (
        parse_job_board(_greenhouse_body(), "quokka")
        + parse_job_board(_lever_body(), "wombat")
        + parse_job_board(_ashby_body(), "koala")
    )
    for source in sources:
        assert source.published_at is not None
        assert {"department", "location", "locations"} <= set(source.metadata)
        assert source.text.startswith(source.title)
