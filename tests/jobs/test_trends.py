"""Trend rows: figures per period × segment × topic, significance, and incremental == full rebuild."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs.cli import trends_cli
from jobs.context import JobContext
from jobs.scoring import score_pending
from jobs.trends.refresh import rebuild_trends, refresh_trends
from models import Answer, Response, Survey, Taxonomy, TextAnalysis, TrendDirty, TrendRow
from models.queue import mark_trend_dirty
from tests.factories import make_department, make_response, make_site, make_survey
from tests.jobs.conftest import TAXONOMY_YAML

QUESTIONS = [
    {"key": "nps", "type": "nps"},
    {"key": "csat", "type": "csat"},
    {"key": "ces", "type": "ces"},
    {"key": "rating", "type": "rating"},
    {"key": "why", "type": "long_text"},
]
MONDAY = date(2024, 6, 3)


def _survey(session: Session) -> Survey:
    tax = Taxonomy(name=f"shop-{id(session)}-{session.scalar(select(func.count()).select_from(Taxonomy))}",
                   source_yaml=TAXONOMY_YAML)
    session.add(tax)
    session.flush()
    return make_survey(session, questions=QUESTIONS, taxonomy_id=tax.id)


def _rows(session: Session, survey_id: int) -> dict[tuple[Any, ...], dict[str, Any]]:
    session.expire_all()
    skip = {"id", "computed_at"}
    out = {}
    for r in session.scalars(select(TrendRow).where(TrendRow.survey_id == survey_id)):
        key = (r.period_type, r.period_start, r.segment_type, r.segment_value, r.topic)
        out[key] = {c.name: getattr(r, c.name) for c in TrendRow.__table__.columns if c.name not in skip}
    return out


def test_figures_per_period_segment_and_topic(db_session: Session, job_ctx: JobContext) -> None:
    survey = _survey(db_session)
    north, south = make_site(db_session), make_site(db_session)
    dep = make_department(db_session)
    data = [  # nps, csat, ces, rating, text, site, region
        (10, 5, 2, 4, "great and friendly staff", north, "eu"),
        (9, 4, 3, 5, "the parcel was late", north, "eu"),
        (3, 2, 6, 1, "rude courier, terrible", south, "us"),
        (7, 3, 4, 3, "", south, "us"),
    ]
    for nps, csat, ces, rating, text, site, region in data:
        make_response(db_session, survey, {"nps": nps, "csat": csat, "ces": ces, "rating": rating, "why": text},
                      day=MONDAY + timedelta(days=1), site_id=site.id, department_id=dep.id,
                      segment={"region": region, "channel": "web"})
    score_pending(job_ctx)
    stats = rebuild_trends(job_ctx)
    rows = _rows(db_session, survey.id)

    day = rows[("day", MONDAY + timedelta(days=1), "*", "*", "*")]
    assert (day["responses"], day["comments"]) == (4, 3)
    assert (day["nps_n"], day["nps_promoters"], day["nps_detractors"]) == (4, 2, 1)
    assert day["nps"] == pytest.approx(25.0)
    assert day["nps_low"] < 25.0 < day["nps_high"]
    assert day["csat"] == pytest.approx(50.0) and day["csat_low"] < 50.0 < day["csat_high"]
    assert day["ces_mean"] == pytest.approx(15 / 4) and day["rating_mean"] == pytest.approx(13 / 4)
    # t interval from Σx and Σx²: CES 2, 3, 6, 4 → s² = 35/12, half-width t(3)·s/2.
    assert (day["ces_sumsq"], day["rating_sumsq"]) == (65.0, 51.0)
    assert day["ces_high"] - day["ces_mean"] == pytest.approx(3.1824463 * (35 / 12) ** 0.5 / 2)
    assert day["rating_low"] < 13 / 4 < day["rating_high"]
    assert day["model_counts"] == [["stub-sentiment+stub-encoder", "v1", 3]]
    assert (day["sentiment_positive"], day["sentiment_negative"], day["sentiment_neutral"]) == (1, 2, 0)
    assert day["sentiment_mean"] == pytest.approx((0.8 - 0.7 - 0.7) / 3)
    assert (day["model_name"], day["model_version"]) == ("stub-sentiment+stub-encoder", "v1")

    week = rows[("week", MONDAY, "*", "*", "*")]
    month = rows[("month", date(2024, 6, 1), "*", "*", "*")]
    assert week["responses"] == month["responses"] == 4 and week["nps"] == day["nps"]
    for column in ("sentiment_sumsq", "sentiment_low", "ces_low", "rating_high", "model_counts"):
        assert week[column] == month[column] == day[column], column

    site = rows[("day", MONDAY + timedelta(days=1), "site", str(north.id), "*")]
    assert (site["responses"], site["nps"]) == (2, 100.0)
    assert rows[("day", MONDAY + timedelta(days=1), "department", str(dep.id), "*")]["responses"] == 4
    us = rows[("day", MONDAY + timedelta(days=1), "region", "us", "*")]
    assert (us["responses"], us["nps"]) == (2, -50.0)
    assert rows[("day", MONDAY + timedelta(days=1), "channel", "web", "*")]["responses"] == 4

    delivery = rows[("day", MONDAY + timedelta(days=1), "*", "*", "delivery")]  # "parcel", "courier"
    assert (delivery["responses"], delivery["comments"], delivery["sentiment_negative"]) == (2, 2, 2)
    assert delivery["nps_n"] == 2 and delivery["nps"] == pytest.approx(0.0)
    staff = rows[("day", MONDAY + timedelta(days=1), "region", "eu", "staff")]
    assert (staff["responses"], staff["sentiment_positive"]) == (1, 1)
    assert stats.processed == len(rows)


def test_answers_not_analysed_count_as_comments_and_urgent_but_carry_no_sentiment(
    db_session: Session, job_ctx: JobContext
) -> None:
    survey = make_survey(db_session, questions=QUESTIONS, audience="worker")
    day = MONDAY + timedelta(days=2)
    make_response(db_session, survey, {"nps": 9, "why": "great and friendly staff"}, day=day, language="en")
    make_response(db_session, survey, {"nps": 5, "why": "danger przy maszynie"}, day=day, language="pl")
    make_response(db_session, survey, {"nps": 8, "why": "wszystko dobrze"}, day=day, language="pl")
    score_pending(job_ctx)
    rebuild_trends(job_ctx)

    row = _rows(db_session, survey.id)[("day", day, "*", "*", "*")]
    assert (row["responses"], row["comments"], row["urgent"]) == (3, 3, 1)
    assert (row["sentiment_positive"], row["sentiment_neutral"], row["sentiment_negative"]) == (1, 0, 0)
    assert row["sentiment_mean"] == pytest.approx(0.8)


def test_significant_drop_is_flagged_against_the_previous_week(db_session: Session, job_ctx: JobContext) -> None:
    survey = _survey(db_session)
    for i in range(30):
        make_response(db_session, survey, {"nps": 10}, day=MONDAY + timedelta(days=i % 5))
        make_response(db_session, survey, {"nps": 2, "csat": 1}, day=MONDAY + timedelta(days=7 + i % 5))
    make_response(db_session, survey, {"nps": 10}, day=MONDAY + timedelta(days=14))
    rebuild_trends(job_ctx)
    rows = _rows(db_session, survey.id)
    first, second = rows[("week", MONDAY, "*", "*", "*")], rows[("week", MONDAY + timedelta(days=7), "*", "*", "*")]
    assert first["nps_change"] is None and not first["significant"]
    assert second["nps_change"] == pytest.approx(-200.0) and second["significant"]
    third = rows[("week", MONDAY + timedelta(days=14), "*", "*", "*")]
    assert third["nps_change"] == pytest.approx(200.0)


def test_refresh_consumes_dirty_days_only(db_session: Session, job_ctx: JobContext) -> None:
    survey = _survey(db_session)
    make_response(db_session, survey, {"nps": 10}, day=MONDAY)
    rebuild_trends(job_ctx)
    make_response(db_session, survey, {"nps": 0}, day=MONDAY + timedelta(days=40))  # numeric only: no scoring
    stats = refresh_trends(job_ctx)
    assert stats.detail["periods"] == 3  # its day, week and month
    assert db_session.scalar(select(func.count()).select_from(TrendDirty)) == 0
    rows = _rows(db_session, survey.id)
    assert rows[("month", date(2024, 7, 1), "*", "*", "*")]["nps"] == -100.0
    assert refresh_trends(job_ctx).detail["periods"] == 0  # nothing new: nothing recomputed


def test_trends_rebuild_cli(db_session: Session, job_ctx: JobContext) -> None:
    survey = _survey(db_session)
    make_response(db_session, survey, {"nps": 10}, day=MONDAY)
    result = CliRunner().invoke(trends_cli, ["rebuild"], obj=job_ctx)
    assert result.exit_code == 0, result.output
    assert "rebuilt 3 trend rows" in result.stdout


# ------------------------------------------------------------- incremental == full rebuild

TEXTS = ["great parcel", "late courier, bad", "friendly staff", "", "ok", "rude and slow"]
answer = st.fixed_dictionaries({
    "day": st.integers(0, 45),
    "nps": st.one_of(st.none(), st.integers(0, 10)),
    "csat": st.one_of(st.none(), st.integers(1, 5)),
    "text": st.sampled_from(TEXTS),
    "site": st.integers(0, 2),
    "region": st.sampled_from([None, "eu", "us"]),
})
steps = st.lists(st.tuples(st.lists(answer, min_size=1, max_size=6), st.booleans()), min_size=1, max_size=4)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_incremental_refresh_equals_full_rebuild(
    steps: list[tuple[list[dict[str, Any]], bool]], db_session: Session, job_ctx: JobContext,
) -> None:
    # Each example adds its own survey to the test's (rolled-back) transaction and compares only its rows.
    survey = _survey(db_session)
    sites = [None, make_site(db_session).id, make_site(db_session).id]
    for batch, delete_one in steps:
        for a in batch:
            values = {k: a[k] for k in ("nps", "csat") if a[k] is not None} | {"why": a["text"]}
            make_response(db_session, survey, values, day=MONDAY + timedelta(days=a["day"]),
                          site_id=sites[a["site"]], segment={"region": a["region"]} if a["region"] else {})
        if delete_one:  # a deletion (erasure request) marks its day, like every writer must
            victim = db_session.scalars(select(Response).where(Response.survey_id == survey.id)).first()
            assert victim is not None
            mark_trend_dirty(db_session, survey.id, victim.submitted_on)
            db_session.delete(victim)
        db_session.flush()
        score_pending(job_ctx)
        refresh_trends(job_ctx)
    incremental = _rows(db_session, survey.id)
    rebuild_trends(job_ctx, survey_id=survey.id)
    full = _rows(db_session, survey.id)
    assert incremental.keys() == full.keys()
    for key, row in full.items():
        # Per-model analysis counts are compared exactly (approx does not take nested lists).
        assert incremental[key].pop("model_counts") == row.pop("model_counts"), key
        assert incremental[key] == pytest.approx(row), key


def test_week_model_attribution_is_summed_from_day_rows(db_session: Session, job_ctx: JobContext) -> None:
    survey = _survey(db_session)
    for offset, text in ((0, "great staff"), (0, "late parcel"), (1, "rude courier")):
        make_response(db_session, survey, {"nps": 9, "why": text}, day=MONDAY + timedelta(days=offset))
    score_pending(job_ctx)
    rebuild_trends(job_ctx)
    # Tuesday's comment is re-scored by a newer model; only Tuesday is queued.
    tuesday = db_session.scalars(
        select(TextAnalysis).join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, Response.submitted_on == MONDAY + timedelta(days=1))
    ).one()
    tuesday.model_version = "v2"
    mark_trend_dirty(db_session, survey.id, MONDAY + timedelta(days=1))
    db_session.flush()
    refresh_trends(job_ctx)
    week = _rows(db_session, survey.id)[("week", MONDAY, "*", "*", "*")]
    assert (week["model_version"], week["responses"], week["nps_n"]) == ("v1 (+1 older)", 3, 3)
    assert week["model_counts"] == [["stub-sentiment+stub-encoder", "v2", 1], ["stub-sentiment+stub-encoder", "v1", 2]]
    incremental = _rows(db_session, survey.id)
    rebuild_trends(job_ctx, survey_id=survey.id)
    assert _rows(db_session, survey.id) == incremental


def test_attributes_that_name_a_person_make_no_segment(db_session: Session, job_ctx: JobContext) -> None:
    """customer_id (any *_id, email, name) would make one trend row per person: no segment type at all."""
    survey = _survey(db_session)
    for i in range(3):
        make_response(db_session, survey, {"nps": 9, "csat": 4, "ces": 2, "rating": 4, "why": ""},
                      day=MONDAY, segment={"customer_id": f"C{i}", "email": f"c{i}@example.org", "region": "eu"})
    rebuild_trends(job_ctx)
    types = {key[2] for key in _rows(db_session, survey.id)}
    assert types == {"*", "region"}
