"""Synthetic demo responses: plain plans drawn from one seeded random.Random, no database involved.

Three stories are built in, so the dashboards have something to find:
1. delivery trouble in region "north" over the last three months (more delivery complaints, lower NPS);
2. frequent forklift near misses at Leeds until the walkways and speed limiters were finished (day −152),
   far fewer after;
3. customer satisfaction (CSAT) climbing after the app release (day −190).
Every number of a response follows a hidden satisfaction level drawn from the tone of its comment, so
scores and text agree.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from survey_app.demo.surveys import CUSTOMER_STATEMENTS, ORDER_CHANNELS, USED_CHANNELS
from survey_app.demo.texts import Comment, Report
from survey_app.demo.texts.customer import COMMENTS, IMPROVEMENTS, OTHER_CHANNELS
from survey_app.demo.texts.worker import REPORTS

REGIONS = ("north", "south", "east", "west")
CUSTOMER_SHARE = 0.65
DAYS = 365

T = TypeVar("T")


@dataclass(frozen=True)
class Timeline:
    """The dates the stories turn on, counted back from `today`."""

    today: date

    @property
    def app_release(self) -> date:
        return self.today - timedelta(days=190)

    @property
    def walkways_done(self) -> date:
        return self.today - timedelta(days=152)

    @property
    def walkways_started(self) -> date:
        return self.today - timedelta(days=240)

    @property
    def north_trouble_from(self) -> date:
        return self.today - timedelta(days=91)


@dataclass
class CustomerPlan:
    day: date
    at: datetime
    language: str
    # Invitation attributes; None for a response through the public link.
    attributes: dict[str, str] | None
    comment: Comment | None
    values: dict[str, Any] = field(default_factory=dict)  # question key -> value as the respond form parses it
    others: dict[str, str] = field(default_factory=dict)  # "other, please say" texts


@dataclass
class WorkerPlan:
    day: date
    language: str
    site: str  # site code
    department: str  # department code
    report: Report
    values: dict[str, Any] = field(default_factory=dict)


def split_counts(total: int) -> tuple[int, int]:
    """About 65% customer, 35% worker."""
    customer = round(total * CUSTOMER_SHARE)
    return customer, total - customer


def _weighted(rng: random.Random, weights: dict[T, float]) -> T:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _clamp(value: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(value)))


def _day(rng: random.Random, timeline: Timeline, weekdays: bool = False) -> date:
    """A day 1..365 days back (never today, so exact times are never in the future)."""
    while True:
        day = timeline.today - timedelta(days=rng.randint(1, DAYS))
        if not weekdays or day.weekday() < 5 or rng.random() < 0.25:
            return day


class _Pool:
    """Entries indexed by (lang, tone) and (lang, tone, topic) for quick picks with fallbacks."""

    def __init__(self, entries: Sequence[Comment]) -> None:
        self.by_topic: dict[tuple[str, str, str], list[Comment]] = defaultdict(list)
        self.by_tone: dict[tuple[str, str], list[Comment]] = defaultdict(list)
        for e in entries:
            self.by_topic[(e.lang, e.tone, e.topic)].append(e)
            self.by_tone[(e.lang, e.tone)].append(e)

    def pick(self, rng: random.Random, lang: str, tone: str, topic: str, era: str) -> Comment:
        for candidates in (self.by_topic[(lang, tone, topic)], self.by_tone[(lang, tone)],
                           self.by_topic[("en", tone, topic)], self.by_tone[("en", tone)]):
            fitting = [c for c in candidates if c.era in (None, era)]
            if fitting:
                return rng.choice(fitting)
        raise LookupError(f"no demo comment for tone {tone}")  # the pools cover every tone in English


_CUSTOMER_POOL = _Pool(COMMENTS)

_NEGATIVE_TOPICS = {"delivery": 15.0, "price": 14.0, "quality": 13.0, "staff": 10.0, "waiting": 12.0,
                    "billing": 10.0, "general": 8.0}
_POSITIVE_TOPICS = {"delivery": 14.0, "price": 10.0, "quality": 16.0, "staff": 18.0, "waiting": 6.0,
                    "billing": 5.0, "general": 20.0}
_OTHER_TOPICS = {"delivery": 10.0, "price": 10.0, "quality": 10.0, "staff": 6.0, "waiting": 6.0,
                 "billing": 6.0, "app": 8.0, "general": 14.0}
_LEVEL = {"positive": 0.9, "neutral": 0.75, "mixed": 0.55, "negative": 0.25}
# The matrix statement a topic speaks to: a complaint about it scores that statement low.
_STATEMENT_OF = {"delivery": "on_time", "price": "fair_price", "staff": "staff_helpful", "app": "app_works",
                 "waiting": "staff_helpful"}


def customer_plans(rng: random.Random, count: int, timeline: Timeline) -> list[CustomerPlan]:
    plans = [_customer_plan(rng, timeline) for _ in range(count)]
    plans.sort(key=lambda p: p.at)
    return plans


def _customer_plan(rng: random.Random, timeline: Timeline) -> CustomerPlan:
    day = _day(rng, timeline)
    at = datetime.combine(day, time(rng.choice(range(7, 23)), rng.randrange(60), rng.randrange(60)), UTC)
    # 0 before the app release, rising to 1 over the following three months.
    ramp = min(1.0, max(0.0, (day - timeline.app_release).days / 90))
    era = "new_app" if day >= timeline.app_release else "old_app"
    attributes: dict[str, str] | None = None
    if rng.random() < 0.85:
        attributes = {
            "customer_id": f"C{rng.randrange(10000, 99999)}",
            "region": _weighted(rng, {"north": 28.0, "south": 27.0, "east": 22.0, "west": 23.0}),
            "channel": _weighted(rng, {"web": 40.0, "app": 30.0, "phone": 15.0, "store": 15.0}),
        }
    region = (attributes or {}).get("region")
    channel = (attributes or {}).get("channel") or _weighted(rng, {"web": 45.0, "app": 25.0, "phone": 15.0,
                                                                    "store": 15.0})
    north_trouble = region == "north" and day >= timeline.north_trouble_from

    negative = 0.22 - 0.09 * ramp + (0.22 if north_trouble else 0.0)
    positive = 0.50 + 0.10 * ramp - (0.22 if north_trouble else 0.0)
    tone = _weighted(rng, {"positive": positive, "neutral": 0.16, "mixed": 0.12, "negative": negative})
    if tone == "negative":
        topics = dict(_NEGATIVE_TOPICS, app=18.0 - 13.0 * ramp)
    elif tone == "positive":
        topics = dict(_POSITIVE_TOPICS, app=4.0 + 12.0 * ramp)
    else:
        topics = dict(_OTHER_TOPICS)
    if north_trouble and tone in ("negative", "mixed"):
        topics["delivery"] = 90.0 if tone == "negative" else 30.0
    if channel == "app":
        topics["app"] *= 2
    topic = _weighted(rng, topics)
    language = _weighted(rng, {"en": 80.0, "de": 12.0, "pl": 8.0})
    keeps_comment = rng.random() < {"negative": 0.88, "mixed": 0.85, "positive": 0.62, "neutral": 0.45}[tone]
    comment = _CUSTOMER_POOL.pick(rng, language, tone, topic, era) if keeps_comment else None
    if comment is not None:
        language, topic = comment.lang, comment.topic

    level = min(1.0, max(0.0, _LEVEL[tone] + rng.gauss(0, 0.07)))
    values: dict[str, Any] = {}
    nps = _clamp(level * 10 + rng.gauss(0, 0.6), 0, 10)
    if tone == "negative":
        nps = min(nps, 6)
    elif tone == "positive":
        nps = max(nps, 7)
    values["nps"] = nps
    if comment is not None:
        values["reason"] = comment.text
    if rng.random() < 0.92:
        # The new app made ordering itself more satisfying, beyond what people chose to write about.
        values["csat"] = _clamp(1 + 4 * (level + 0.08 * ramp) + rng.gauss(0, 0.35), 1, 5)
    if rng.random() < 0.85:
        hard = tone == "negative" and topic in ("waiting", "app", "billing")
        values["ces"] = _clamp(1 + 6 * level + rng.gauss(0, 0.6) - (1 if hard else 0), 1, 7)
    if rng.random() < 0.8:
        poor = tone == "negative" and topic == "quality"
        values["stars"] = _clamp(1 + 4 * level + rng.gauss(0, 0.5) - (1 if poor else 0), 1, 5)
    others: dict[str, str] = {}
    if nps <= 6 and rng.random() < 0.55:
        values["improve"] = rng.choice(IMPROVEMENTS[topic])
    if rng.random() < 0.9:
        values["order_channel"] = channel if rng.random() < 0.9 else rng.choice(ORDER_CHANNELS)
    if rng.random() < 0.7:
        used = rng.sample(USED_CHANNELS, rng.choice((1, 1, 2)))
        if rng.random() < 0.06:
            used.append("other")
            others["used"] = rng.choice(OTHER_CHANNELS)
        values["used"] = used
    if rng.random() < 0.75:
        grid = {s: _clamp(1 + 4 * level + rng.gauss(0, 0.55), 1, 5) for s in CUSTOMER_STATEMENTS}
        statement = _STATEMENT_OF.get(topic)
        if statement and tone == "negative":
            grid[statement] = rng.choice((1, 1, 2))
            if topic == "app":
                grid["easy_to_order"] = rng.choice((1, 2, 2))
        elif statement and tone == "positive":
            grid[statement] = rng.choice((4, 5, 5))
        values["agree"] = grid
    if rng.random() < (0.45 if tone == "negative" else 0.25):
        values["contact"] = True
    if rng.random() < 0.85:
        values["again"] = "yes" if level + rng.gauss(0, 0.1) > 0.45 else "no"
    return CustomerPlan(day=day, at=at, language=language, attributes=attributes, comment=comment,
                        values=values, others=others)


_FORKLIFT = [r for r in REPORTS if r.topic == "forklift" and r.era is None]
_WALKWAYS = [r for r in REPORTS if r.era == "walkways"]
_OTHER_REPORTS = [r for r in REPORTS if r.topic != "forklift" and r.era is None]
_CLIMATE_LEVEL = {"praise": 0.78, "suggestion": 0.62, "hazard": 0.45, "near_miss": 0.45}
_DEPARTMENT_OF = {"forklift": {"logistics": 75.0, "production": 15.0, "maintenance": 10.0},
                  "guarding": {"production": 55.0, "maintenance": 40.0, "logistics": 5.0},
                  "chemicals": {"maintenance": 50.0, "production": 40.0, "logistics": 10.0}}
_DEPARTMENTS = {"production": 45.0, "logistics": 35.0, "maintenance": 20.0}


def worker_plans(rng: random.Random, count: int, timeline: Timeline) -> list[WorkerPlan]:
    plans = [_worker_plan(rng, timeline) for _ in range(count)]
    plans.sort(key=lambda p: p.day)
    return plans


def _pick_report(rng: random.Random, pool: list[Report], language: str) -> Report:
    same = [r for r in pool if r.lang == language] or [r for r in pool if r.lang == "en"]
    # Urgent reports are rare, as they are on a real site.
    return rng.choices(same, weights=[0.15 if r.urgent else 1.0 for r in same])[0]


def _worker_plan(rng: random.Random, timeline: Timeline) -> WorkerPlan:
    day = _day(rng, timeline, weekdays=True)
    site = "leeds" if rng.random() < 0.55 else "rotterdam"
    if site == "leeds":
        language = _weighted(rng, {"en": 85.0, "pl": 15.0})
    else:
        language = _weighted(rng, {"en": 50.0, "de": 30.0, "pl": 20.0})
    after_walkways = site == "leeds" and day >= timeline.walkways_done
    if site == "leeds":
        forklift = 0.06 if after_walkways else 0.30
    else:
        forklift = 0.08
    draw = rng.random()
    if draw < forklift:
        report = _pick_report(rng, _FORKLIFT, language)
    elif after_walkways and draw < forklift + 0.05:
        report = _pick_report(rng, _WALKWAYS, language)
    else:
        report = _pick_report(rng, _OTHER_REPORTS, language)
    language = report.lang
    department = _weighted(rng, _DEPARTMENT_OF.get(report.topic, _DEPARTMENTS))

    values: dict[str, Any] = {"kind": report.kind, "describe": report.text}
    if report.hurt or rng.random() < 0.9:
        values["hurt"] = "yes" if report.hurt else "no"
    if rng.random() < 0.8:
        level = _CLIMATE_LEVEL[report.kind]
        if report.topic == "reporting" and report.tone == "negative":
            level = 0.2
        if site == "leeds":
            level += 0.08 if after_walkways else -0.05
        level = min(1.0, max(0.0, level + rng.gauss(0, 0.1)))
        grid = {s: _clamp(1 + 4 * level + rng.gauss(0, 0.6), 1, 5)
                for s in ("no_blame", "supervisors_act", "trained", "ppe_available", "safe_pace")}
        if report.tone == "negative":
            low = {"ppe": "ppe_available", "fatigue": "safe_pace", "reporting": "supervisors_act"}.get(report.topic)
            if low:
                grid[low] = rng.choice((1, 1, 2))
            if report.topic == "reporting":
                grid["no_blame"] = rng.choice((1, 2, 2))
        values["climate"] = grid
    return WorkerPlan(day=day, language=language, site=site, department=department, report=report,
                      values=values)
