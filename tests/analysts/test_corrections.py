"""Analysts correct a comment's sentiment, topics and urgency in the drill-down; the model's label stays visible."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import AnalysisCorrection, AuditEntry, CorrectionTopic, Response, Survey, TextAnalysis, TrendDirty, User
from models.anonymity import is_day_stamp
from tests.analysts.factories import make_comment
from tests.factories import make_survey

JUNE = "period=month&period_start=2025-06-01"


def _first(session: Session, survey: Survey, text_start: str) -> TextAnalysis:
    return next(a for a in session.scalars(select(TextAnalysis)) if a.redacted_text.startswith(text_start)
                and a.answer.response.survey_id == survey.id)


def _post(client: FlaskClient, survey: Survey, analysis: TextAnalysis, **data: object) -> object:
    return client.post(f"/dashboard/surveys/{survey.id}/comments/{analysis.id}/correction", data=data)


def _corrections(session: Session) -> list[AnalysisCorrection]:
    session.expire_all()
    return list(session.scalars(select(AnalysisCorrection)))


@pytest.fixture()
def worker_comments(db_session: Session) -> Survey:
    survey = make_survey(db_session, title="Worker reports", audience="worker")
    for i in range(12):
        make_comment(db_session, survey, f"Report {i}: a forklift drove too fast.", day=date(2025, 6, 3),
                     topics={"vehicles": [0]}, urgent=i == 0)
    return survey


def test_analyst_corrects_a_comment_and_sees_the_model_label_struck_through(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, db_session: Session, users: dict[str, User]
) -> None:
    client = login_as("analyst")
    comment = _first(db_session, commented, "Comment 3:")  # the model said negative, topics delivery + price
    assert comment.sentiment_label == "negative"
    resp = _post(client, commented, comment, sentiment="neutral", topics=["price"], urgent="y",
                 back=f"{JUNE}&topic=delivery&evil=1")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"comments?{JUNE}&topic=delivery#c{comment.id}")  # evil=1 dropped

    (stored,) = _corrections(db_session)
    assert (stored.sentiment_label, stored.urgent, stored.topic_names) == ("neutral", True, ["price"])
    assert (stored.model_sentiment_label, stored.model_urgent, stored.model_topics) == ("negative", False,
                                                                                       ["delivery", "price"])
    assert stored.corrected_by_id == users["analyst"].id and stored.corrected_at is not None
    db_session.refresh(comment)
    assert comment.sentiment_label == "negative"  # the model's own row is untouched
    audit = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "comment.correct")).one()
    assert audit.actor_id == users["analyst"].id and audit.target_id == str(comment.id)
    assert audit.detail["model"]["sentiment"] == "negative" and audit.detail["after"]["sentiment"] == "neutral"
    # Its trend day is queued for the refresh.
    assert db_session.get(TrendDirty, (commented.id, date(2025, 6, 10))) is not None

    html = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&q=Comment%203:").get_data(as_text=True)
    item = html[html.index(f'id="c{comment.id}"'):]
    item = item[:item.index("</li>")]
    struck = r'<del class="model-label"[^>]*>negative</del>\s*<span class="tag tag-neutral">neutral</span>'
    assert re.search(struck, item)
    assert re.search(r'<del class="model-label tag"[^>]*>delivery</del>', item)
    assert "Reviewed by analyst@example.org" in item
    assert '<span class="tag tag-negative">urgent</span>' in item


def test_drilldown_filters_follow_the_correction(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, db_session: Session
) -> None:
    client = login_as("analyst")
    comment = _first(db_session, commented, "Comment 3:")
    base = f"/dashboard/surveys/{commented.id}/comments?{JUNE}"
    before_neg = client.get(base + "&sentiment=negative").get_data(as_text=True)
    # 12 of Site 1 (Site 2's 3 negative ones are from a group under the threshold and never listed).
    assert "12 comments" in before_neg
    assert _post(client, commented, comment, sentiment="positive", topics=["price"]).status_code == 302
    assert "11 comments" in client.get(base + "&sentiment=negative").get_data(as_text=True)
    assert "14 comments" in client.get(base + "&sentiment=positive").get_data(as_text=True)  # was 13
    assert "14 comments" in client.get(base + "&topic=delivery").get_data(as_text=True)  # was 15
    assert "25 comments" in client.get(base + "&topic=price").get_data(as_text=True)


def test_reviewing_again_replaces_the_first_review(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, db_session: Session
) -> None:
    client = login_as("analyst")
    comment = _first(db_session, commented, "Comment 3:")
    _post(client, commented, comment, sentiment="neutral", topics=["price"])
    # The topic kept across the two reviews is the same row (correction, topic): no duplicate key.
    _post(client, commented, comment, sentiment="negative", topics=["delivery", "price"])
    (stored,) = _corrections(db_session)
    assert (stored.sentiment_label, stored.topic_names) == ("negative", ["delivery", "price"])
    html = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&q=Comment%203:").get_data(as_text=True)
    assert "the model's labels confirmed" in html and "<del" not in html


@pytest.mark.parametrize(("data", "message"), [
    ({"sentiment": "furious"}, "Unknown sentiment label &#39;furious&#39;"),
    ({"sentiment": "neutral", "topics": ["delivery", "weather"]}, "Unknown topic &#39;weather&#39;"),
    ({}, "Choose a sentiment label."),
])
def test_bad_input_is_a_clear_400_and_keeps_the_earlier_review(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, db_session: Session,
    data: dict[str, object], message: str,
) -> None:
    client = login_as("analyst")
    comment = _first(db_session, commented, "Comment 3:")
    assert _post(client, commented, comment, sentiment="positive", topics=["price"]).status_code == 302
    resp = _post(client, commented, comment, **data)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    (stored,) = _corrections(db_session)
    assert (stored.sentiment_label, stored.topic_names) == ("positive", ["price"])


def test_roles_follow_the_reading_rules(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, worker_comments: Survey, db_session: Session
) -> None:
    customer = _first(db_session, commented, "Comment 3:")
    worker = _first(db_session, worker_comments, "Report 0:")
    assert _post(login_as("safety_officer"), commented, customer, sentiment="neutral").status_code == 403
    assert _post(login_as("analyst"), worker_comments, worker, sentiment="neutral").status_code == 403
    assert _corrections(db_session) == []
    officer = login_as("safety_officer")
    assert _post(officer, worker_comments, worker, sentiment="neutral", topics=["vehicles"]).status_code == 302
    assert _post(login_as("admin"), commented, customer, sentiment="neutral").status_code == 302
    signed_out = _post(login_as(None), commented, customer, sentiment="positive")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    assert {c.sentiment_label for c in _corrections(db_session)} == {"neutral"}


def test_a_review_of_a_worker_report_keeps_the_day_and_an_anonymous_id(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, worker_comments: Survey, db_session: Session
) -> None:
    """Reviews follow the report within minutes: a worker report's review must not time or order it
    (models.anonymity); a customer comment's review keeps the analyst's exact time."""
    worker = _first(db_session, worker_comments, "Report 0:")
    customer = _first(db_session, commented, "Comment 3:")
    assert _post(login_as("safety_officer"), worker_comments, worker, sentiment="neutral",
                 topics=["vehicles"]).status_code == 302
    assert _post(login_as("analyst"), commented, customer, sentiment="neutral").status_code == 302
    by_answer = {c.answer_id: c for c in _corrections(db_session)}
    of_report, of_customer = by_answer[worker.answer_id], by_answer[customer.answer_id]
    assert of_report.id < 0 and is_day_stamp(of_report.corrected_at)
    assert of_report.topic_names == ["vehicles"]
    assert of_customer.id > 0


def test_comment_of_another_survey_or_a_hidden_group_is_refused(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, db_session: Session
) -> None:
    client = login_as("analyst")
    small = make_survey(db_session, title="Small", audience="customer")
    lonely = make_comment(db_session, small, "Only three people answered.", day=date(2025, 6, 1))
    for i in range(2):
        make_comment(db_session, small, f"Another small remark {i}", day=date(2025, 6, 1))
    # Another survey's comment through this survey's URL: not found here.
    assert _post(client, commented, lonely, sentiment="neutral").status_code == 404
    # A survey whose comments are below the comment threshold: its comments may not be read, nor corrected.
    resp = _post(client, small, lonely, sentiment="neutral")
    assert resp.status_code == 403 and "Hidden to protect anonymity" in resp.get_data(as_text=True)
    assert client.post(f"/dashboard/surveys/{commented.id}/comments/999999/correction",
                       data={"sentiment": "neutral"}).status_code == 404
    assert _corrections(db_session) == []


def test_the_form_needs_its_csrf_token(app: Flask, login_as: Callable[[str | None], FlaskClient],
                                       commented: Survey, db_session: Session) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = login_as("analyst")
    comment = _first(db_session, commented, "Comment 3:")
    assert _post(client, commented, comment, sentiment="neutral").status_code == 400
    assert _corrections(db_session) == []
    page = client.get(f"/dashboard/surveys/{commented.id}/comments?{JUNE}&q=Comment%203:").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert _post(client, commented, comment, sentiment="neutral", csrf_token=token).status_code == 302
    assert len(_corrections(db_session)) == 1


def test_erasing_the_answer_erases_its_correction(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, db_session: Session
) -> None:
    comment = _first(db_session, commented, "Comment 3:")
    _post(login_as("analyst"), commented, comment, sentiment="neutral", topics=["price"])
    response_id = comment.answer.response_id
    db_session.execute(delete(Response).where(Response.id == response_id))  # the database cascades, not the ORM
    assert _corrections(db_session) == []
    assert db_session.scalar(select(func.count()).select_from(CorrectionTopic)) == 0


def test_the_urgent_queue_follows_the_safety_officers_review(
    login_as: Callable[[str | None], FlaskClient], worker_comments: Survey, db_session: Session
) -> None:
    officer = login_as("safety_officer")
    flagged = _first(db_session, worker_comments, "Report 0:")  # the model said urgent
    missed = _first(db_session, worker_comments, "Report 5:")  # the model said not urgent
    queue = officer.get("/dashboard/urgent").get_data(as_text=True)
    assert "Report 0:" in queue and "Report 5:" not in queue
    _post(officer, worker_comments, flagged, sentiment="negative", topics=["vehicles"])  # urgent unticked
    _post(officer, worker_comments, missed, sentiment="negative", topics=["vehicles"], urgent="y")
    queue = officer.get("/dashboard/urgent").get_data(as_text=True)
    assert "Report 0:" not in queue and "Report 5:" in queue


def test_the_analyses_export_adds_the_review_beside_the_model(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, db_session: Session
) -> None:
    import csv
    import io

    client = login_as("analyst")
    comment = _first(db_session, commented, "Comment 3:")
    _post(client, commented, comment, sentiment="neutral", topics=["price"], urgent="y")
    with client.get(f"/dashboard/surveys/{commented.id}/export/analyses.csv") as resp:
        rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    reviewed = [r for r in rows if r["redacted_text"].startswith("Comment 3:")]
    assert len(reviewed) == 1
    assert (reviewed[0]["sentiment_label"], reviewed[0]["topics"]) == ("negative", "delivery; price")
    assert (reviewed[0]["analyst_sentiment_label"], reviewed[0]["analyst_topics"],
            reviewed[0]["analyst_urgent"]) == ("neutral", "price", "True")
    others = [r for r in rows if not r["redacted_text"].startswith("Comment 3:")]
    assert others and all(r["analyst_sentiment_label"] == "" for r in others)


def test_the_comments_api_shows_the_review_and_filters_by_it(
    client: FlaskClient, commented: Survey, db_session: Session, users: dict[str, User]
) -> None:
    from survey_app.analytics.corrections import save_correction
    from survey_app.api.tokens import create_token

    token = create_token(db_session, users["analyst"], "test")[1]
    comment = _first(db_session, commented, "Comment 3:")
    save_correction(db_session, commented, comment.id, users["analyst"], sentiment="neutral", urgent=True,
                    topics=["price"])
    db_session.flush()
    resp = client.get(f"/api/v1/surveys/{commented.id}/comments?sentiment=neutral&q=Comment%203:",
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    (item,) = resp.get_json()["items"]
    assert item["sentiment_label"] == "negative"  # the model's, as before
    assert item["review"]["sentiment_label"] == "neutral" and item["review"]["topics"] == ["price"]
    assert item["review"]["urgent"] is True and item["review"]["reviewed_on"]
    others = client.get(f"/api/v1/surveys/{commented.id}/comments?q=Comment%204:",
                        headers={"Authorization": f"Bearer {token}"}).get_json()["items"]
    assert others and others[0]["review"] is None


def test_worker_reports_with_anonymous_negative_ids_can_be_corrected_and_acknowledged(
    login_as: Callable[[str | None], FlaskClient], worker_comments: Survey, db_session: Session
) -> None:
    from sqlalchemy import update

    # Worker rows get random negative ids (models.anonymity): the routes must accept them.
    report = make_comment(db_session, worker_comments, "Exposed wire by dock 2", day=date(2025, 6, 3), urgent=True)
    db_session.execute(update(TextAnalysis).where(TextAnalysis.id == report.id).values(id=-4242))
    db_session.expire_all()
    report = db_session.get(TextAnalysis, -4242)
    officer = login_as("safety_officer")
    assert _post(officer, worker_comments, report, sentiment="negative", topics=["vehicles"], urgent="y"
                 ).status_code == 302
    assert _corrections(db_session)[0].answer_id == report.answer_id
    assert officer.post("/dashboard/urgent/-4242/acknowledge").status_code == 302
    # Their audit entries keep the day and take anonymous ids too: they follow the alert by minutes.
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
        ("comment.correct", "urgent.acknowledge")))).all()
    assert len(entries) == 2 and all(e.id < 0 and is_day_stamp(e.at) for e in entries)


def test_an_answer_the_model_could_not_read_is_labelled_not_counted_as_agreement(
    login_as: Callable[[str | None], FlaskClient], commented: Survey, db_session: Session
) -> None:
    from sqlalchemy import update

    from survey_app.analytics.agreement import reviews

    client = login_as("analyst")
    comment = _first(db_session, commented, "Comment 3:")
    # As the pipeline leaves a Polish answer with an English encoder: a neutral placeholder, no topics.
    db_session.execute(update(TextAnalysis).where(TextAnalysis.id == comment.id)
                       .values(not_analysed="not analysed: pl", sentiment_label="neutral"))
    assert _post(client, commented, comment, sentiment="neutral", topics=["price"]).status_code == 302
    (stored,) = _corrections(db_session)
    assert stored.model_not_analysed == "not analysed: pl"
    sentiment, urgency = reviews(db_session, commented.id)
    assert sentiment == [] and len(urgency) == 1  # its urgency was judged, its sentiment was not
    html = client.get(f"/dashboard/surveys/{commented.id}/comments?q=Comment%203:").get_data(as_text=True)
    struck = r'<del class="model-label"[^>]*>not analysed: pl</del>\s*<span class="tag tag-neutral">neutral'
    assert re.search(struck, html)
    assert "labels confirmed" not in html
