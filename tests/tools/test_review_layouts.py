"""Employee reviews in the layouts real exports and pages use (invented companies and words)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from agent.errors import ParseError
from agent.schemas import Account, Source
from tests.replay_server import ReplayServer, Reply
from tests.tools.fetch_scenarios import make_context
from tools.review_fields import map_columns, parse_person, parse_rating, parse_review_date
from tools.review_stats import rating_trend, themes
from tools.reviews import (
    ReviewsTool,
    is_reviews_header,
    is_reviews_json,
    parse_jsonld_reviews,
    parse_reviews_csv,
    parse_reviews_json,
)


def _day(source: Source) -> date | None:
    return source.published_at.date() if source.published_at else None


def test_r_scrape_with_title_in_city_reviewers_and_an_empty_text_column() -> None:
    text = (
        "review_title,review_date,review_person,ratings,review_text,review_text_pro,review_text_con\n"
        'Loved the old days,2024-04-25,"Data Analyst II in Austin, TX",5,,Kind people in Team 1.0,'
        "Leadership lacks a plan\n"
        '"Gone downhill, fast",2023-02-08,Vice President,1,,"Pay was fine.","New owner cut the '
        'perks, and half the team left."\n'
        "Fine,2024-01-10,Anonymous Employee in Denver,3,,Snacks,Slow builds\n"
    )
    parsed = parse_reviews_csv(text)
    assert parsed.problems == [] and len(parsed.sources) == 3
    first, second, third = parsed.sources
    assert first.metadata["role"] == "Data Analyst II"
    assert first.metadata["location"] == "Austin, TX"
    assert _day(first) == date(2024, 4, 25) and first.metadata["rating"] == 5.0
    assert "Cons: New owner cut the perks, and half the team left." in second.text
    assert "Review:" not in second.text  # the empty text column adds nothing
    assert third.metadata["location"] == "Denver"
    # rows in site order still make a trend in date order
    assert [q.quarter for q in rating_trend(parsed.sources)] == ["2023Q1", "2024Q1", "2024Q2"]


SNAPLIKE = (
    ",date,reviewNo,employeeType,position,summary,pro,con,advice,overallStar,workLifeStar,"
    "cultureStar,reviewLink\n"
    '1," Nov 8, 2023",empReview_901,Current Employee - QA Engineer,'
    "I have been working at Brightloom full-time\u00a0(More than a year),Great start,"
    '"Free lunch, kind leads",Hectic releases,None,5.0,4.0,5.0,https://r.example/901\n'
    '2," Mar 2, 2024",empReview_902,Former Employee - Anonymous Employee,None,Rough year,'
    '-perks cut-no raises,"I was part of the surprise layoff.",Listen more,1.0,1.0,1.0,None\n'
    '3," Nov 8, 2023",empReview_901,Current Employee - QA Engineer,None,Great start,'
    '"Free lunch, kind leads",Hectic releases,None,5.0,4.0,5.0,None\n'
)


def test_pandas_dump_with_index_column_spaced_dates_none_and_a_repeated_review() -> None:
    parsed = parse_reviews_csv(SNAPLIKE)
    assert len(parsed.sources) == 2 and parsed.duplicates == 1
    assert [str(p) for p in parsed.problems] == [
        "line 4: repeats line 2 (same review id 'empReview_901')"
    ]
    first, second = parsed.sources
    assert _day(first) == date(2023, 11, 8) and first.metadata["rating"] == 5.0
    assert first.metadata["role"] == "QA Engineer" and first.metadata["current"] is True
    assert first.metadata["work_life_balance"] == 4.0 and first.metadata["culture_values"] == 5.0
    assert "Employment: I have been working at Brightloom full-time (More than a year)" in (
        first.text
    )
    assert first.url == "https://r.example/901"
    assert second.metadata["current"] is False
    assert "Advice to management: Listen more" in second.text
    assert "Pros: -perks cut-no raises" in second.text and "None" not in second.text


R_EXPORT = (
    '"","date","company","country","city","role","current_or_former","employment_status",'
    '"employment_length","recommend","outlook","approve_ceo","score_overall",'
    '"score_career_opp","score_work_life_balance","pros","cons","advice_to_management"\n'
    '"1",2019-03-04,"Fenwick Data","US","Boston, MA "," Research Analyst","Current  ",'
    '"Full-time","More than a year","Yes","Neutral","No",4,3,5,"- Smart team\n- Flexible hours",'
    '"Turnover is high, my desk churned 5 people in a year.Show More",NA\n'
    '"2",2019-02-11,"Fenwick Data",NA,NA," Anonymous ","Former  ",NA,NA,NA,NA,NA,NA,NA,NA,'
    '"Nice office","Pay is below market and the tools are \u2026\u00a0 old",'
    '"Invest in tools"\n'
)


def test_r_write_csv_with_row_numbers_na_padding_and_truncation_artefacts() -> None:
    parsed = parse_reviews_csv(R_EXPORT)
    assert parsed.problems == []
    first, second = parsed.sources
    assert first.metadata["role"] == "Research Analyst" and first.metadata["current"] is True
    assert first.metadata["location"] == "Boston, MA, US"
    assert first.metadata["firm"] == "Fenwick Data"
    assert (first.metadata["recommend"], first.metadata["outlook"]) == ("positive", "neutral")
    assert first.metadata["ceo_approval"] == "negative"
    assert first.metadata["career_opp"] == 3.0 and first.metadata["work_life_balance"] == 5.0
    assert "Cons: Turnover is high, my desk churned 5 people in a year.\n" in first.text + "\n"
    assert "Show More" not in first.text
    assert "Employment: Full-time, More than a year" in first.text
    # NA is no rating: the review is kept for its words and left out of the averages
    assert "rating" not in second.metadata and second.title.endswith("(no rating)")
    assert "Pay is below market and the tools are \u2026 old" in second.text
    assert [q.count for q in rating_trend(parsed.sources)] == [1]


INDEED_LINES = [
    {"id": "feat01", "rating": 1.0, "text": "Managers ignore the rules. Bullying goes unchecked.",
     "pros": None, "cons": None, "position": "Safety Clerk (Former Employee)",
     "date_created": "June 9, 2021"},
    {"id": "r2", "rating": 3.0, "text": "Pension is good but the shifts are long.",
     "pros": "Pension", "cons": "Night shifts", "position": "Bus Operator",
     "date_created": "November 19, 2022"},
    {"id": "feat01", "rating": 1.0, "text": "Managers ignore the rules. Bullying goes unchecked.",
     "pros": None, "cons": None, "position": "Safety Clerk (Former Employee)",
     "date_created": "June 9, 2021"},
    {"id": "r4", "rating": "4.0 out of 5", "text": "Good crew, long shifts.", "pros": None,
     "cons": None, "position": "New Paving and Cuts Inspector (Current Employee)",
     "date_created": "4 May 2022"},
]  # fmt: skip


def test_indeed_json_lines_deduplicated_by_id_with_the_review_text_kept() -> None:
    assert is_reviews_json(INDEED_LINES)
    parsed = parse_reviews_json(INDEED_LINES)
    assert len(parsed.sources) == 3 and parsed.duplicates == 1
    assert [str(p) for p in parsed.problems] == ["line 3: repeats line 1 (same review id 'feat01')"]
    featured, operator, inspector = parsed.sources
    assert "Review: Managers ignore the rules. Bullying goes unchecked." in featured.text
    assert featured.metadata["role"] == "Safety Clerk" and featured.metadata["current"] is False
    assert _day(featured) == date(2021, 6, 9)
    assert "Pros: Pension" in operator.text and "Cons: Night shifts" in operator.text
    assert inspector.metadata["rating"] == 4.0 and _day(inspector) == date(2022, 5, 4)
    assert "Role: New Paving and Cuts Inspector" in inspector.text
    # the same file as one JSON array; the review texts' recurring words
    assert len(parse_reviews_json(json.dumps(INDEED_LINES)).sources) == 3
    assert ("shifts", 2) in themes(parsed.sources, sections=("Review",))
    assert themes(parsed.sources) == []  # no pros or cons repeat


PAGE = """<html><head><title>Hollow Pine Reviews</title></head><body>
<div id="EmpStats"><div class="v2__RatingsV2__ratingNum">3.4</div>
<div class="donut-wrap"><div><div data-percentage="61" id="EmpStats_Recommend"></div></div>
<div class="donut-text">Recommend to a Friend</div></div>
<div class="donut-wrap"><div><div data-percentage="77"></div></div><div>Approve of CEO</div></div>
<div>R. Q. Okafor</div></div>
<ol class="empReviews">
<li class="empReview cf" id="empReview_7001"><div class="gdReview">
<time class="date" datetime="Mon Aug 03 2020 09:10:00 GMT+0200 (CEST)">August 3, 2020</time>
<h2 class="h2 summary">
<a href="/Reviews/Employee-Review-RVW7001.htm" class="reviewLink">"Steady pay"</a></h2>
<span class="gdStars gdRatings"><div class="v2__RatingsV2__ratingInfo">
<div class="v2__RatingsV2__ratingNum">2.0</div><span class="rating"><span title="2.0"></span></span>
</div>
<div class="subRatings module"><ul><li><div class="minor">Work/Life Balance</div>
<span class="gdBars gdRatings" title="4.0"></span></li>
<li><div class="minor">Senior Management</div><span class="gdBars" title="1.0"></span></li></ul>
</div></span>
<div class="author minor"><span class="authorInfo">
<span class="authorJobTitle">Former Employee - Press Lead</span>
&nbsp;<span class="middle">in <span class="authorLocation">Tulsa, OK</span></span></span></div>
<div class="row reviewBodyCell recommends"><span>Doesn't Recommend</span>
<span>Neutral Outlook</span></div>
<p class="mainText">I worked at Hollow Pine full-time for more than 5 years</p>
<div class="v2__DetailsV2__fullWidth"><p class="strong">Pros</p>
<p class="v2__DetailsV2__bodyColor"><span data-test="pros">Good pay, great benefits.</span></p>
</div>
<div class="v2__DetailsV2__fullWidth"><p class="strong">Cons</p>
<p class="v2__DetailsV2__bodyColor">
<span data-test="cons">They cut front-line staff to make budget.</span></p></div>
<div class="shareContent"><a class="link-share" href="#">Copy Link</a></div>
</div></li>
<li class="empReview cf" id="empReview_7002"><div class="gdReview">
<time class="date" datetime="Tue Jul 21 2020 10:00:00 GMT+0200 (CEST)">July 21, 2020</time>
<h2 class="h2 summary"><a class="reviewLink" href="/r/7002">"Ok"</a></h2>
<div class="v2__RatingsV2__ratingNum">4.0</div>
<span class="authorJobTitle">Current Employee - Welder</span>
<span data-test="pros">Good hours</span><span data-test="cons">Many managers in two years</span>
</div></li></ol>
<script type="application/ld+json">{"@context":"https://schema.org/","@type":"EmployerAggregateRating",
"itemReviewed":{"@type":"Organization","name":"Hollow Pine"},"ratingValue":"3.4","bestRating":"5",
"ratingCount":"812"}</script>
<script type="application/ld+json">[{"@type":"Review","reviewRating":{"ratingValue":"2"},
"author":{"name":"Former Employee - Press Lead"},"reviewBody":"Steady pay",
"itemReviewed":{"name":"Hollow Pine"}},{"@type":"Review","reviewRating":{"ratingValue":"4"},
"author":{"name":"Current Employee - Welder"},"reviewBody":"Ok",
"itemReviewed":{"name":"Hollow Pine"}},
{"@type":"Review","reviewRating":{"ratingValue":"5"},"author":{"name":"Jo Lin"},
"reviewBody":"Only in the JSON-LD","itemReviewed":{"name":"Hollow Pine"}}]</script>
</body></html>"""


def test_saved_page_reads_the_markup_and_completes_it_with_json_ld() -> None:
    sources = parse_jsonld_reviews(PAGE, "https://reviews.example/Hollow-Pine")
    aggregate, steady, ok, ld_only = sources
    assert aggregate.metadata["schema_type"] == "EmployerAggregateRating"
    assert aggregate.metadata["rating"] == 3.4 and aggregate.metadata["rating_count"] == 812
    assert (
        "Recommend to a Friend: 61%" in aggregate.text and "Approve of CEO: 77%" in aggregate.text
    )
    assert "R. Q. Okafor" in aggregate.text
    assert steady.title == "Employee review: Steady pay (2/5)"
    assert _day(steady) == date(2020, 8, 3)  # the day the page shows, whatever the zone
    assert steady.metadata["role"] == "Press Lead" and steady.metadata["location"] == "Tulsa, OK"
    assert steady.metadata["firm"] == "Hollow Pine"
    assert steady.metadata["work_life_balance"] == 4.0 and steady.metadata["senior_mgmt"] == 1.0
    assert (steady.metadata["recommend"], steady.metadata["outlook"]) == ("negative", "neutral")
    assert "Cons: They cut front-line staff to make budget." in steady.text
    assert "Employment: I worked at Hollow Pine full-time" in steady.text
    assert "Copy Link" not in steady.text
    assert steady.url == "https://reviews.example/Reviews/Employee-Review-RVW7001.htm"
    assert ok.metadata["rating"] == 4.0 and _day(ok) == date(2020, 7, 21)
    assert ok.metadata["current"] is True and "Cons: Many managers in two years" in ok.text
    # a JSON-LD review with no twin in the markup is kept, undated, with its author's name
    assert ld_only.published_at is None and "Author: Jo Lin" in ld_only.text
    assert [q.count for q in rating_trend(sources)] == [2]


OTHER_FEEDS = {
    "class words": """<div class="cmp-ReviewsList">
<div class="cmp-review" data-tn-entityid="q1"><div class="cmp-ratingNumber">2.0</div>
<div class="cmp-review-title"><span>Long shifts</span></div>
<div class="cmp-reviewer">Line Cook (Former Employee) - Brandon, MB - March 3, 2021</div>
<div class="cmp-review-text"><span>Shifts ran late.<br>The crew was kind.</span></div>
<div class="cmp-review-pro-text">Free meals</div><div class="cmp-review-con-text">No breaks</div>
</div>
<div class="cmp-review" data-tn-entityid="q2"><div class="cmp-ratingNumber">4.0</div>
<div class="cmp-review-title"><span>Good first job</span></div>
<div class="cmp-reviewer">Host (Current Employee) - Selkirk, MB - 4 May 2022</div>
<div class="cmp-review-text">Learned a lot.</div></div></div>""",
    "microdata": """<section>
<article itemprop="review" itemscope itemtype="https://schema.org/Review">
<span itemprop="author" itemscope itemtype="https://schema.org/Person">
<meta itemprop="name" content="Pat Q"></span>
<div itemprop="reviewRating" itemscope><meta itemprop="ratingValue" content="2"></div>
<h3 itemprop="name">Long shifts</h3><meta itemprop="datePublished" content="2021-03-03">
<p itemprop="reviewBody">Shifts ran late. The crew was kind.</p></article>
<article itemprop="review" itemscope itemtype="https://schema.org/Review">
<div itemprop="reviewRating" itemscope><span itemprop="ratingValue">4</span></div>
<h3 itemprop="name">Good first job</h3><time datetime="2022-05-04">May 4</time>
<p itemprop="reviewBody">Learned a lot.</p></article></section>""",
    "hashed css modules and headings": """<ol class="Feed_list__a1b2c">
<li class="ReviewCard_card__x9y8z" id="review-31">
<span class="ReviewCard_date__k2k2k">Mar 3, 2021</span>
<h2 class="ReviewCard_title__q1q1q">Long shifts</h2>
<span class="Stars_value__z3z3z" aria-label="2 out of 5 stars">★★</span>
<div class="ReviewCard_employee__p4p4p">Former Employee - Line Cook in Brandon, MB</div>
<div><h3>Pros</h3><p>Free meals</p></div><div><h3>Cons</h3><p>No breaks</p></div></li>
<li class="ReviewCard_card__x9y8z" id="review-32">
<span class="ReviewCard_date__k2k2k">May 4, 2022</span>
<h2 class="ReviewCard_title__q1q1q">Good first job</h2>
<span class="Stars_value__z3z3z" aria-label="4 out of 5 stars">★★★★</span>
<div><h3>Pros</h3><p>Learned a lot</p></div><div><h3>Cons</h3><p>None really</p></div></li></ol>""",
}


@pytest.mark.parametrize("name", OTHER_FEEDS)
def test_review_feeds_in_other_markup_conventions(name: str) -> None:
    sources = parse_jsonld_reviews(f"<html><body>{OTHER_FEEDS[name]}</body></html>")
    assert [s.title for s in sources] == [
        "Employee review: Long shifts (2/5)",
        "Employee review: Good first job (4/5)",
    ]
    assert [_day(s) for s in sources] == [date(2021, 3, 3), date(2022, 5, 4)]
    assert "Shifts ran late." in sources[0].text or "Pros: Free meals" in sources[0].text


def test_a_single_rated_text_without_pros_or_cons_is_not_an_employee_review_page() -> None:
    film = """<html><body><article class="review"><span class="rating">4</span>
    <time datetime="2024-01-02">Jan 2</time><div class="review-body">A fine film.</div>
    </article></body></html>"""
    assert parse_jsonld_reviews(film) == []


def test_column_names_are_read_by_their_words() -> None:
    columns = map_columns(["Overall Rating", "reviewTitle", "Pros Text", "Cons_Text", "Date"])
    assert columns.fields["rating"] == ["overall_rating"] and columns.is_reviews()
    assert map_columns(["rating", "text", "position"]).is_reviews()
    # a CRM export with a score and a description is not a reviews file
    assert not is_reviews_header(["account", "score", "description", "created_at"])
    assert not is_reviews_header(["job_title", "pros"])


def test_dates_ratings_and_reviewer_lines() -> None:
    assert parse_review_date(" Nov 8, 2017") == date(2017, 11, 8)
    assert parse_review_date("8 November 2017") == date(2017, 11, 8)
    assert parse_review_date("03/04/2020", day_first=False) == date(2020, 3, 4)
    assert parse_rating("4.0 out of 5") == (4.0, "4/5")
    assert parse_rating("8/10") == (4.0, "8/10")
    for missing in ("NA", "None", "null", "N/A", "", None):
        assert parse_rating(missing) is None
    with pytest.raises(ValueError, match="not between 0 and 5"):
        parse_rating("7")
    person = parse_person("Current Employee, more than 1 year")
    assert (person.status, person.tenure, person.role) == ("current", "more than 1 year", "")
    assert parse_person("Vice President in Charge of Sales").role == (
        "Vice President in Charge of Sales"
    )


def test_a_month_first_column_is_recognised_from_its_unambiguous_dates() -> None:
    text = "rating,title,pros,cons,date\n4,A,x,y,03/04/2020\n5,B,x,y,12/31/2020\n"
    first, _ = parse_reviews_csv(text).sources
    assert _day(first) == date(2020, 3, 4)


def test_mostly_unreadable_rows_keep_the_good_ones_and_name_each_bad_line() -> None:
    text = (
        "rating,title,pros,cons,date\n"
        "x,A,a,b,2024-01-01\n"
        "4,Good,Team,Pay,2024-01-02\n"
        "3,B,a\n"
        "5,C,a,b,not a day\n"
        "2,,,,2024-01-05\n"
    )
    parsed = parse_reviews_csv(text)
    assert [s.title for s in parsed.sources] == ["Employee review: Good (4/5)"]
    assert [str(p) for p in parsed.problems] == [
        "line 2: rating 'x' is not a number",
        "line 4: 3 fields, 5 expected",
        "line 5: date 'not a day' is not a date",
        "line 6: review has no headline, text, pros or cons",
    ]


def test_the_reviews_tool_turns_an_export_without_a_usable_row_into_one_error(
    tmp_path: Path,
) -> None:
    with ReplayServer() as server:
        server.route("/r.csv", Reply(200, b"rating,title,pros,cons\nx,A,B,C\n", "text/csv"))
        account = Account(account_id="acme", name="Acme", reviews_url=server.url("/r.csv"))
        with pytest.raises(ParseError, match=r"^no usable review in the export \(first: line 2"):
            ReviewsTool().fetch(account, make_context(tmp_path, server.base_url))


def test_nested_json_reviews_with_opinions_named_like_ratings() -> None:
    item = {
        "reviewId": 11, "reviewDateTime": "2023-04-27T10:11:12.533", "ratingOverall": 2,
        "ratingWorkLifeBalance": 3.0, "ratingRecommendToFriend": "NEGATIVE",
        "ratingCeo": "APPROVE", "summary": "Meh", "pros": "Pay", "cons": "Hours",
        "jobTitle": {"text": "Analyst"}, "location": {"name": "Reno, NV"},
    }  # fmt: skip
    (source,) = parse_reviews_json({"reviews": [item]}).sources
    assert source.metadata["rating"] == 2.0 and source.metadata["work_life_balance"] == 3.0
    assert (source.metadata["recommend"], source.metadata["ceo_approval"]) == (
        "negative", "positive",
    )  # fmt: skip
    assert source.metadata["role"] == "Analyst" and source.metadata["location"] == "Reno, NV"
    assert _day(source) == date(2023, 4, 27) and source.metadata["review_id"] == "11"
