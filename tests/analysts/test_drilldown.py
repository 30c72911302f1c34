"""Drill-down to comments: filters, search, paging, highlighting, escaping, thresholds, redaction."""

from __future__ import annotations

import re
from collections.abc import Callable

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
    assert "39 comments · page 1 of 2" in first and _count(first) == 20
    assert 'rel="next"' in first
    second = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&page=2").get_data(as_text=True)
    assert _count(second) == 19 and 'rel="prev"' in second
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
    # Site 3 has 11 comments (over 10) but is hidden as the complement of Site 2: otherwise
    # Site 2's comments = all comments − Site 1 − Site 3.
    third = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&segment_type=site"
                       f"&segment_value={sites[2].id}").get_data(as_text=True)
    assert "Hidden to protect anonymity" in third and "Third site remark" not in third


def test_whole_survey_under_comment_threshold(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                              worker_survey: Survey) -> None:
    for i in range(4):
        make_comment(db_session, worker_survey, f"note {i}")
    html = login_as("safety_officer").get(f"/dashboard/surveys/{worker_survey.id}/comments").get_data(as_text=True)
    assert "fewer than 10 comments" in html and "note 1" not in html


def test_html_in_answers_is_inert_and_only_redacted_text_is_shown(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, commented: Survey) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> John Smith'
    redacted = '<script>alert("x")</script><img src=x onerror=alert(1)> [NAME]'
    make_comment(db_session, commented, evil, redacted=redacted, topics={"delivery": [0]},
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
