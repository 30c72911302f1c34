"""Answers in a language the encoder cannot read: counted on the dashboard with the reason, readable in the
drill-down, never listed under a sentiment they were not given."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models import Site, Survey
from tests.analysts.factories import make_comment

JUNE = "period=month&period_start=2025-06-01"


def _not_analysed(session: Session, survey: Survey, site: Site, text: str, language: str) -> None:
    analysis = make_comment(session, survey, text, day=date(2025, 6, 11), site_id=site.id, sentiment="neutral")
    analysis.sentiment_confidence = 0.0
    analysis.language = language
    analysis.not_analysed = f"not analysed: {language}"
    session.flush()


def test_dashboard_counts_answers_not_analysed_and_says_why(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, sites: list[Site], db_session: Session
) -> None:
    for i in range(commented.min_comment_group_size):
        _not_analysed(db_session, commented, sites[0], f"Wszystko w porządku {i}", "pl")
    _not_analysed(db_session, commented, sites[0], "一切都很好", "zh")

    html = login_as("analyst").get(f"/dashboard/surveys/{commented.id}").get_data(as_text=True)

    total = commented.min_comment_group_size + 1
    assert "Comments not analysed" in html
    assert f"{total} of {39 + total} comments were not analysed" in html
    assert f"<th scope=\"row\">not analysed: pl</th><td>{commented.min_comment_group_size}</td>" in html
    # One answer in a rare language is pooled, so it cannot single out its writer.
    assert "not analysed: zh" not in html and "other languages" in html


def test_dashboard_says_nothing_when_every_answer_was_analysed(
    login_as: Callable[[str | None], FlaskClient], commented: Survey
) -> None:
    html = login_as("analyst").get(f"/dashboard/surveys/{commented.id}").get_data(as_text=True)
    assert "Comments not analysed" not in html


def test_drilldown_shows_them_marked_and_keeps_them_out_of_sentiment_filters(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, sites: list[Site], db_session: Session
) -> None:
    _not_analysed(db_session, commented, sites[0], "Wszystko w porządku, dziękuję", "pl")
    client = login_as("analyst")
    base = f"/dashboard/surveys/{commented.id}/comments?{JUNE}&segment_type=site&segment_value={sites[0].id}"

    found = client.get(base + "&q=Wszystko").get_data(as_text=True)
    assert "1 comment" in found and "Wszystko w porządku, dziękuję" in found
    assert '<span class="tag" title="the model cannot read this language' in found and "not analysed: pl" in found
    neutral = client.get(base + "&q=Wszystko&sentiment=neutral").get_data(as_text=True)
    assert "0 comments" in neutral
