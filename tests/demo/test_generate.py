"""The generated plans on a larger sample (no database): the three stories and scores that follow the text."""

from __future__ import annotations

import random
from datetime import date, timedelta
from statistics import mean

from survey_app.demo.generate import Timeline, customer_plans, split_counts, worker_plans
from survey_app.demo.texts.customer import COMMENTS
from survey_app.demo.texts.worker import REPORTS

TIMELINE = Timeline(date(2025, 6, 15))


def _nps(scores: list[int]) -> float:
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def test_split_is_about_two_thirds_customer() -> None:
    assert split_counts(3000) == (1950, 1050)
    assert split_counts(0) == (0, 0)
    assert sum(split_counts(7)) == 7


def test_pools_are_large_varied_and_multilingual() -> None:
    assert len(COMMENTS) >= 150 and len(REPORTS) >= 120
    assert len({c.text for c in COMMENTS}) == len(COMMENTS)
    assert len({r.text for r in REPORTS}) == len(REPORTS)
    for pool in (COMMENTS, REPORTS):
        assert {e.lang for e in pool} == {"en", "de", "pl"}
        assert any("@" in e.text for e in pool) and any("07700" in e.text for e in pool)
        assert any(len(e.text) <= 12 for e in pool)
    assert {c.topic for c in COMMENTS} >= {"delivery", "price", "quality", "staff", "waiting", "billing", "app"}
    assert any(r.urgent and "gas" in r.text for r in REPORTS)


def test_scores_follow_the_tone_of_the_comment() -> None:
    plans = customer_plans(random.Random(1), 2000, TIMELINE)
    by_tone = {tone: [p.values["nps"] for p in plans if p.comment and p.comment.tone == tone]
               for tone in ("negative", "positive")}
    assert mean(by_tone["positive"]) - mean(by_tone["negative"]) > 5
    assert max(by_tone["negative"]) <= 6 and min(by_tone["positive"]) >= 7
    csat = {tone: mean(p.values["csat"] for p in plans if p.comment and p.comment.tone == tone
                       and "csat" in p.values) for tone in ("negative", "positive")}
    assert csat["positive"] - csat["negative"] > 2


def test_north_delivery_trouble_in_the_last_three_months() -> None:
    plans = customer_plans(random.Random(2), 3000, TIMELINE)
    recent = [p for p in plans if p.day >= TIMELINE.north_trouble_from and p.attributes]

    def delivery_share(region_is_north: bool) -> float:
        group = [p for p in recent if (p.attributes or {})["region"] == "north"] if region_is_north else \
            [p for p in recent if (p.attributes or {})["region"] != "north"]
        return sum(bool(p.comment and p.comment.topic == "delivery" and p.comment.tone != "positive")
                   for p in group) / len(group)

    assert delivery_share(True) > 2 * delivery_share(False)
    north = [p.values["nps"] for p in recent if (p.attributes or {})["region"] == "north"]
    others = [p.values["nps"] for p in recent if (p.attributes or {})["region"] != "north"]
    assert _nps(north) < _nps(others) - 20


def test_csat_improves_after_the_app_release() -> None:
    plans = customer_plans(random.Random(3), 3000, TIMELINE)
    release = TIMELINE.app_release
    before = [p.values["csat"] for p in plans if p.day < release and "csat" in p.values]
    after = [p.values["csat"] for p in plans if p.day >= release + timedelta(days=90) and "csat" in p.values]
    assert mean(after) - mean(before) > 0.3
    assert not any(p.comment and p.comment.era == "new_app" and p.day < release for p in plans)
    assert not any(p.comment and p.comment.era == "old_app" and p.day >= release for p in plans)


def test_leeds_forklift_near_misses_fall_after_the_walkways() -> None:
    plans = worker_plans(random.Random(4), 1500, TIMELINE)
    done = TIMELINE.walkways_done

    def monthly(start: date, end: date) -> float:
        hits = sum(1 for p in plans if p.site == "leeds" and p.report.topic == "forklift"
                   and p.report.kind == "near_miss" and start <= p.day < end)
        return hits / ((end - start).days / 30)

    before = monthly(done - timedelta(days=150), done)
    after = monthly(done + timedelta(days=30), TIMELINE.today)
    assert before > 3 * after
    assert not any(p.report.era == "walkways" and p.day < done for p in plans)
    assert all(p.report.lang == p.language for p in plans)
