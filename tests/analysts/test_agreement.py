"""Model agreement with analysts: per label, per month, with n, and the dashboard's thresholds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import AnalysisCorrection, TextAnalysis, User
from survey_app.analytics.agreement import ALL, Cell, Review, build_table
from survey_app.analytics.corrections import save_correction
from tests.analysts.factories import make_comment
from tests.factories import make_survey

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
LABELS = ("negative", "neutral", "positive")


def _reviews(month: date, analyst: str, model: str, n: int) -> list[Review]:
    return [Review(month, analyst, model)] * n


def test_counts_per_label_and_month() -> None:
    items = (_reviews(JAN, "negative", "negative", 8) + _reviews(JAN, "negative", "neutral", 2)
             + _reviews(JAN, "positive", "positive", 5) + _reviews(FEB, "negative", "negative", 3)
             + _reviews(FEB, "neutral", "negative", 3) + _reviews(FEB, "positive", "positive", 6))
    t = build_table("Sentiment", LABELS, items, min_size=2)
    assert t.months == [JAN, FEB]
    assert t.by_month[(JAN, "negative")] == Cell(10, 8)
    assert t.by_month[(JAN, "negative")].rate == 0.8
    assert t.by_month[(JAN, "neutral")] == Cell(0, 0)  # nobody said neutral in January: empty, not hidden
    assert t.by_month[(JAN, ALL)] == Cell(15, 13)
    assert t.by_month[(FEB, "neutral")] == Cell(3, 0)
    assert t.overall["negative"] == Cell(13, 11)
    assert t.overall[ALL] == Cell(27, 22)
    # By the model's label: the model said negative 14 times (8 + 3 + 3), analysts kept 11.
    assert t.by_model_label["negative"] == Cell(14, 11)
    assert t.by_model_label["neutral"] == Cell(2, 0)
    assert t.by_model_label["positive"] == Cell(11, 11)
    # At a threshold of 3 the model's 2 neutrals are hidden, and the next smallest with them.
    strict = build_table("Sentiment", LABELS, items, min_size=3)
    assert strict.by_model_label["neutral"].hidden and strict.by_model_label["positive"].hidden
    assert strict.by_model_label["negative"] == Cell(14, 11)


def test_small_cells_are_hidden_with_their_complement() -> None:
    # February: 1 neutral review beside 6 negative and 6 positive; the month total (13) is shown.
    items = (_reviews(JAN, "negative", "negative", 6) + _reviews(JAN, "positive", "negative", 6)
             + _reviews(FEB, "negative", "negative", 6) + _reviews(FEB, "neutral", "neutral", 1)
             + _reviews(FEB, "positive", "positive", 6))
    t = build_table("Sentiment", LABELS, items, min_size=5)
    assert t.by_month[(FEB, "neutral")].hidden
    # Hiding the neutral cell alone would leave it as total - negative - positive: one more goes.
    assert t.by_month[(FEB, "negative")].hidden or t.by_month[(FEB, "positive")].hidden
    assert not t.by_month[(FEB, ALL)].hidden
    # All months: neutral has n = 1 there too.
    assert t.overall["neutral"].hidden
    assert sum(t.overall[lab].hidden for lab in LABELS) >= 2


def test_agreement_page_from_real_reviews(
    login_as: Callable[[str | None], FlaskClient], db_session: Session, users: dict[str, User]
) -> None:
    survey = make_survey(db_session, title="Reviewed", audience="customer", min_group_size=3,
                         min_comment_group_size=3)
    analyses = [make_comment(db_session, survey, f"Remark {i}", day=date(2025, 12, 1), sentiment="negative")
                for i in range(10)]
    # Of nine reviews, four keep the model's negative, three say neutral, two positive; one is not reviewed.
    for a, label in zip(analyses, ["negative"] * 4 + ["neutral"] * 3 + ["positive"] * 2, strict=False):
        save_correction(db_session, survey, a.id, users["analyst"], sentiment=label, urgent=False, topics=[])
    db_session.execute(update(AnalysisCorrection).values(corrected_at=datetime(2026, 1, 15, tzinfo=UTC)))
    db_session.flush()

    html = login_as("analyst").get(f"/dashboard/surveys/{survey.id}/agreement").get_data(as_text=True)
    jan = html[html.index('<th scope="row">2026-01</th>'):]
    cells = jan[:jan.index("</tr>")].split("<td>")[1:]
    assert cells[0].startswith('100 % <span class="muted">(n = 4)</span>')  # negative: 4 of 4
    # positive: 2 reviews (< 3) hidden; neutral (3) hidden with it, or positive = 9 - 4 - 3.
    assert "hidden" in cells[1] and "hidden" in cells[2]
    assert cells[3].startswith('44 % <span class="muted">(n = 9)</span>')  # the month: 4 of 9
    assert 'Urgency' in html and '100 % <span class="muted">(n = 9)</span>' in html  # not urgent: all kept
    assert login_as("safety_officer").get(f"/dashboard/surveys/{survey.id}/agreement").status_code == 403


def test_reviews_are_counted_against_the_model_the_analyst_judged(
    db_session: Session, users: dict[str, User]
) -> None:
    survey = make_survey(db_session, title="Judged", audience="customer", min_comment_group_size=1)
    a = make_comment(db_session, survey, "It was fine", day=date(2025, 12, 1), sentiment="negative")
    save_correction(db_session, survey, a.id, users["analyst"], sentiment="neutral", urgent=False, topics=[])
    # A later model agrees with the analyst: the review still records that the reviewed model did not.
    db_session.execute(update(TextAnalysis).where(TextAnalysis.id == a.id).values(sentiment_label="neutral"))
    (c,) = db_session.scalars(select(AnalysisCorrection)).all()
    assert (c.model_sentiment_label, c.sentiment_label) == ("negative", "neutral")
    survey_reviews = build_table("Sentiment", LABELS, [Review(JAN, c.sentiment_label, c.model_sentiment_label)], 1)
    assert survey_reviews.overall[ALL] == Cell(1, 0)


def test_topic_agreement_counts_each_topic_both_ways(db_session: Session, users: dict[str, User]) -> None:
    from survey_app.analytics.agreement import agreement

    survey = make_survey(db_session, title="Topics", audience="customer", min_group_size=2,
                         min_comment_group_size=1)
    # The model tagged every comment "delivery"; analysts keep it on 3 of 4 and add "price" to 2.
    analyses = [make_comment(db_session, survey, f"Parcel remark {i}", day=date(2025, 12, 1),
                             topics={"delivery": [0]}) for i in range(4)]
    make_comment(db_session, survey, "Too expensive", day=date(2025, 12, 1), topics={"price": [0]})  # not reviewed
    picks = [["delivery", "price"], ["delivery", "price"], ["delivery"], []]
    for a, topics in zip(analyses, picks, strict=True):
        save_correction(db_session, survey, a.id, users["analyst"], sentiment="negative", urgent=False, topics=topics)
    db_session.execute(update(AnalysisCorrection).values(corrected_at=datetime(2026, 1, 15, tzinfo=UTC)))
    db_session.flush()
    sentiment_table, urgency_table, topics_table = agreement(db_session, survey)
    assert topics_table.labels == ("delivery", "price")
    # Analysts' topics: delivery 3 (the model had all 3), price 2 (the model had none).
    assert topics_table.overall["delivery"] == Cell(3, 3)
    assert topics_table.overall["price"] == Cell(2, 0)
    assert topics_table.overall[ALL] == Cell(5, 3)
    # The model's topics: delivery 4, analysts kept 3; the model never said price.
    assert topics_table.by_model_label["delivery"] == Cell(4, 3)
    assert topics_table.by_model_label["price"] == Cell(0, 0)
    assert sentiment_table.overall[ALL] == Cell(4, 4) and urgency_table.overall[ALL] == Cell(4, 4)
