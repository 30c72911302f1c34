"""Drill-down to comments: filters, search, paging, highlighting, escaping, thresholds, redaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models import Site, Survey, TopicTag
from survey_app.analytics.comments import highlight
from tests.analysts.factories import make_comment

JUNE = "period=month&period_start=2025-06-01"


def _count(html: str) -> int:
    return html.count('class="card comment ')


def test_paging_and_total(login_as: Callable[[str | None], FlaskClient], commented: Survey) -> None:
    client = login_as("analyst")
    first = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}").get_data(as_text=True)
    # 39 comments, of which Site 2's 3 come from a group under the threshold and are left out.
    assert "36 comments · page 1 of 2" in first and _count(first) == 20
    assert 'rel="next"' in first and "Small site remark" not in first
    second = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&page=2").get_data(as_text=True)
    assert _count(second) == 16 and 'rel="prev"' in second and "Small site remark" not in second
    assert client.get(f"/dashboard/surveys/{commented.id}/comments?page=x").status_code == 400


def test_filters_topic_sentiment_search(login_as: Callable[[str | None], FlaskClient], commented: Survey,
                                        sites: list[Site]) -> None:
    client = login_as("analyst")
    base = f"/dashboard/surveys/{commented.id}/comments?{JUNE}&segment_type=site&segment_value={sites[0].id}"
    assert "25 comments" in client.get(base).get_data(as_text=True)
    assert "15 comments" in client.get(base + "&topic=delivery").get_data(as_text=True)
    assert "12 comments" in client.get(base + "&sentiment=negative").get_data(as_text=True)
    found = client.get(base + "&q=Comment%2017:").get_data(as_text=True)
    assert "1 comment" in found and "Comment 17" in found
    # LIKE wildcards in the search are literal.
    assert "0 comments" in client.get(base + "&q=%25%25").get_data(as_text=True)
    assert client.get(base + "&sentiment=angry").status_code == 400


def test_topic_sentences_are_highlighted(login_as: Callable[[str | None], FlaskClient], commented: Survey,
                                         sites: list[Site]) -> None:
    html = login_as("analyst").get(
        f"/dashboard/surveys/{commented.id}/comments?{JUNE}&segment_type=site&segment_value={sites[0].id}"
        "&topic=price&q=Comment%203:").get_data(as_text=True)
    assert '<mark class="topic-sentence">Price is fine.</mark>' in html
    assert "<mark class=\"topic-sentence\">the driver" not in html


def test_small_group_gets_an_explanation_not_data(login_as: Callable[[str | None], FlaskClient], commented: Survey,
                                                  sites: list[Site]) -> None:
    client = login_as("analyst")
    small = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&segment_type=site"
                       f"&segment_value={sites[1].id}").get_data(as_text=True)
    assert "Hidden to protect anonymity" in small and "Small site remark" not in small
    # Site 3 has 11 comments (over 10) and is shown: Site 2's comments are left out of every list
    # (all sites included), so no list minus the others gives them.
    third = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&segment_type=site"
                       f"&segment_value={sites[2].id}").get_data(as_text=True)
    assert "11 comments" in third and "Third site remark" in third


def test_whole_survey_under_comment_threshold(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                              worker_survey: Survey) -> None:
    for i in range(4):
        make_comment(db_session, worker_survey, f"note {i}")
    html = login_as("safety_officer").get(f"/dashboard/surveys/{worker_survey.id}/comments").get_data(as_text=True)
    assert "Hidden to protect anonymity" in html and "at least 10 people" in html and "note 1" not in html


def test_html_in_answers_is_inert_and_only_redacted_text_is_shown(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, commented: Survey,
        sites: list[Site]) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> John Smith'
    redacted = '<script>alert("x")</script><img src=x onerror=alert(1)> [NAME]'
    # In Site 1's June group (25 people), so it may be shown.
    make_comment(db_session, commented, evil, redacted=redacted, topics={"delivery": [0]},
                 day=date(2025, 6, 10), site_id=sites[0].id,
                 sentences=[{"text": redacted, "start": 0, "end": len(redacted)}])
    html = login_as("analyst").get(f"/dashboard/surveys/{commented.id}/comments?q=onerror").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script>" not in html and "<img" not in html
    assert "[NAME]" in html and "John Smith" not in html


def test_highlight_ignores_bad_spans_and_escapes() -> None:
    tags = [TopicTag(topic="t", score=1.0, is_top=True, sentence_indexes=[0, 1, 7, "x"])]
    out = highlight("a<b & c", [{"start": 0, "end": 3}, {"start": 2, "end": 99}], tags)
    assert str(out) == '<mark class="topic-sentence">a&lt;b</mark> &amp; c'


def test_chart_point_links_lead_to_comments(login_as: Callable[[str | None], FlaskClient],
                                            customer_survey: Survey) -> None:
    client = login_as("analyst")
    html = client.get(f"/dashboard/surveys/{customer_survey.id}").get_data(as_text=True)
    link = re.search(r'href="(/dashboard/surveys/\d+/comments\?[^"]*topic=delivery[^"]*)"', html)
    assert link is not None
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200


def test_an_intersection_of_two_allowed_filters_shows_no_small_cell(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, sites: list[Site]) -> None:
    """Site 1 (12 comments) and department D2 (12 comments) are each large enough; their intersection
    (4 comments) is not. Reading both lists must not give those 4: they are left out of both."""
    from tests.factories import make_department, make_survey

    survey = make_survey(db_session, audience="worker", min_group_size=3, min_comment_group_size=5)
    d1, d2 = make_department(db_session, code="d1"), make_department(db_session, code="d2")
    day = date(2025, 6, 10)
    for site, dep, n, text in ((sites[0], d1, 8, "s1d1"), (sites[0], d2, 4, "s1d2"), (sites[1], d2, 8, "s2d2")):
        for i in range(n):
            make_comment(db_session, survey, f"{text} remark {i}", day=day, site_id=site.id, department_id=dep.id)
    client = login_as("safety_officer")
    base = f"/dashboard/surveys/{survey.id}/comments?{JUNE}"
    by_site = client.get(f"{base}&segment_type=site&segment_value={sites[0].id}").get_data(as_text=True)
    by_dep = client.get(f"{base}&segment_type=department&segment_value={d2.id}").get_data(as_text=True)
    everyone = client.get(base).get_data(as_text=True)
    assert "s1d1 remark" in by_site and "s2d2 remark" in by_dep
    for page in (by_site, by_dep, everyone):
        assert "s1d2 remark" not in page
    assert "8 comments" in by_site and "Comments are shown only from groups of at least 5" in by_site


def test_people_without_a_segment_value_are_a_cell_of_their_own(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, sites: list[Site]) -> None:
    """3 public-link comments have no region: "all" minus north minus south would be exactly them."""
    from tests.factories import make_survey

    survey = make_survey(db_session, audience="customer", min_comment_group_size=5)
    day = date(2025, 6, 10)
    for region, n in (("north", 6), ("south", 7), (None, 3)):
        for i in range(n):
            make_comment(db_session, survey, f"{region} remark {i}", day=day,
                         segment={"region": region} if region else {})
    html = login_as("analyst").get(f"/dashboard/surveys/{survey.id}/comments?{JUNE}").get_data(as_text=True)
    assert "13 comments" in html and "None remark" not in html


def test_attributes_that_name_a_person_are_not_segments(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, commented: Survey) -> None:
    client = login_as("analyst")
    resp = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&segment_type=customer_id&segment_value=C1")
    assert resp.status_code == 400 and "names a person" in resp.get_data(as_text=True)
