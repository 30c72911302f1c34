"""The analyst as attacker: everything the dashboard, drill-down, exports and API show, combined.

Each test builds a random survey, reads every view an analyst can open, works out what those views give
away together (intersections of filters, differences between lists or rows, the remainder of people
with no segment value), and checks it against the ground truth: nothing may come out about fewer people
than the survey's threshold. They run on SQLite and, with HEEDFUL_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from models import Department, Site, Survey, User
from models.trend import ALL
from survey_app.api.tokens import create_token
from tests.analysts.factories import make_comment, make_trend
from tests.factories import make_department, make_survey

PROFILE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])
MONTHS = (date(2025, 5, 1), date(2025, 6, 1))
REGIONS = ("north", "south")
TOKEN = re.compile(r"cmt(\d+)x")


@dataclass(frozen=True)
class Person:
    """One respondent who left a comment, with every dimension an analyst can select by."""

    day: date
    site: int  # index into the sites fixture, or -1 for none
    dep: int  # index into the departments, or -1 for none
    region: str | None

    @property
    def month(self) -> date:
        return self.day.replace(day=1)


people_strategy = st.lists(st.builds(
    Person,
    day=st.sampled_from([date(2025, 5, 12), date(2025, 5, 20), date(2025, 6, 3), date(2025, 6, 4),
                         date(2025, 6, 17)]),
    site=st.sampled_from([0, 1, -1]), dep=st.sampled_from([0, 1, -1]),
    region=st.sampled_from([*REGIONS, None]),
), min_size=1, max_size=36)


def _bearer(db_session: Session, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(db_session, user, 'attacker')[1]}"}


class CommentAttacker:
    """Reads lists of comments and remembers, for each comment, what every list said about it."""

    def __init__(self) -> None:
        # comment number -> dimension -> value learnt ("month", "week", "site", "department", "region")
        self.known: dict[int, dict[str, object]] = {}

    def learn(self, n: int, **facts: object) -> None:
        self.known.setdefault(n, {}).update(facts)

    def seen(self) -> set[int]:
        return set(self.known)


def _api_comments(client: FlaskClient, headers: dict[str, str], survey: Survey, **args: str) -> tuple[list[int], bool]:
    """Every page of one API list: the comment numbers shown, and whether the list was refused whole."""
    shown: list[int] = []
    page = 1
    while True:
        body = client.get(f"/api/v1/surveys/{survey.id}/comments", headers=headers,
                          query_string={**args, "limit": 200, "page": page}).get_json()
        shown += [int(m.group(1)) for item in body["items"] for m in [TOKEN.search(item["text"])] if m]
        if page >= body["pages"]:
            return shown, bool(body["suppressed"])
        page += 1


def _drilldown_comments(client: FlaskClient, survey: Survey, **args: str) -> list[int]:
    shown: list[int] = []
    for page in itertools.count(1):
        html = client.get(f"/dashboard/surveys/{survey.id}/comments", query_string={**args, "page": page})
        assert html.status_code == 200
        text = html.get_data(as_text=True)
        shown += [int(n) for n in TOKEN.findall(text)]
        if 'rel="next"' not in text:
            return shown
    raise AssertionError("unreachable")


def _csv(client: FlaskClient, url: str) -> list[dict[str, str]]:
    resp = client.get(url)
    if resp.status_code == 409:  # refused whole: nothing to learn
        return []
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


@PROFILE
@given(people=people_strategy, k=st.integers(2, 6))
def test_no_comment_comes_out_of_a_group_under_the_threshold(
        people: list[Person], k: int, login_as: Callable[[str | None], FlaskClient], db_session: Session,
        sites: list[Site], users: dict[str, User]) -> None:
    deps: list[Department] = [make_department(db_session) for _ in range(2)]
    survey = make_survey(db_session, audience="customer", min_group_size=k, min_comment_group_size=k)
    for n, p in enumerate(people):
        make_comment(db_session, survey, f"remark cmt{n}x", day=p.day,
                     site_id=sites[p.site].id if p.site >= 0 else None,
                     department_id=deps[p.dep].id if p.dep >= 0 else None,
                     segment={"region": p.region} if p.region else {})
    site_ids = {str(sites[i].id): i for i in (0, 1)}
    dep_ids = {str(deps[i].id): i for i in (0, 1)}
    filters = [("site", v) for v in site_ids] + [("department", v) for v in dep_ids] + \
              [("region", v) for v in REGIONS]
    attacker = CommentAttacker()
    client = login_as("analyst")
    headers = _bearer(db_session, users["analyst"])

    # All time, then each month: everyone, and each value of each segment (intersections come from
    # combining them, differences from a comment missing from every value's list).
    for month in (None, *MONTHS):
        when = {} if month is None else {"period": "month", "period_start": month.isoformat()}
        everyone, _ = _api_comments(client, headers, survey, **when)
        for n in everyone:
            attacker.learn(n, month=people[n].month)  # every list dates a comment by its month
        by_filter = {}
        for st_, sv in filters:
            shown, refused = _api_comments(client, headers, survey, segment_type=st_, segment_value=sv, **when)
            by_filter[(st_, sv)] = (set(shown), refused)
            value = site_ids.get(sv, dep_ids.get(sv, sv))
            for n in shown:
                attacker.learn(n, month=people[n].month, **{st_: value})
        for st_ in ("site", "department", "region"):
            lists = [v for (t, _), v in by_filter.items() if t == st_]
            if any(refused for _, refused in lists):
                continue
            for n in everyone:  # in the whole list, in no value's list: this one has no value
                if all(n not in shown for shown, _ in lists):
                    # "no value" as `truth` writes it: -1 for a site or department, None for a region
                    attacker.learn(n, **{st_: None if st_ == "region" else -1})
    # The drill-down pages and the week lists.
    for month in MONTHS:
        for n in _drilldown_comments(client, survey, period="month", period_start=month.isoformat()):
            attacker.learn(n, month=people[n].month)
    for monday in {p.day - timedelta(days=p.day.weekday()) for p in people}:
        shown, _ = _api_comments(client, headers, survey, period="week", period_start=monday.isoformat())
        for n in shown:
            attacker.learn(n, week=monday)
    # Exports: the analyses file names site and department beside each comment, the responses file
    # every attribute beside the text.
    site_codes = {s.code: i for i, s in enumerate(sites[:2])}
    dep_codes = {d.code: i for i, d in enumerate(deps)}
    for row in _csv(client, f"/dashboard/surveys/{survey.id}/export/analyses.csv"):
        m = TOKEN.search(row["redacted_text"])
        assert m, row
        n = int(m.group(1))
        facts: dict[str, object] = {"month": people[n].month}
        if row["site"] != "(hidden)":
            facts["site"] = site_codes.get(row["site"], -1)
        if row["department"] != "(hidden)":
            facts["department"] = dep_codes.get(row["department"], -1)
        attacker.learn(n, **facts)
    for row in _csv(client, f"/dashboard/surveys/{survey.id}/export/responses.csv"):
        m = TOKEN.search(row.get("why", ""))
        if m and row["site"] != "(hidden)":
            n = int(m.group(1))
            attacker.learn(n, month=people[n].month, site=site_codes.get(row["site"], -1),
                           department=dep_codes.get(row["department"], -1), region=row.get("region") or None)
        elif m:
            attacker.learn(int(m.group(1)), month=people[int(m.group(1))].month)

    truth = {"site": lambda p: p.site, "department": lambda p: p.dep, "region": lambda p: p.region,
             "month": lambda p: p.month, "week": lambda p: p.day - timedelta(days=p.day.weekday())}
    for n, facts in attacker.known.items():
        assert all(truth[d](people[n]) == v for d, v in facts.items()), "the attacker's reasoning is sound"
        crowd = [p for p in people if all(truth[d](p) == v for d, v in facts.items())]
        assert len(crowd) >= k, (
            f"comment {n} comes out with {facts}, which describes {len(crowd)} people (threshold {k})")


# --- figures -------------------------------------------------------------------------------------------

WEEK = date(2025, 6, 2)  # a Monday; June 2025 starts on a Sunday, so the month holds June 1 too
DAYS = [WEEK + timedelta(days=d) for d in range(3)]
VALUES = ("web", "app", None)  # None: people with no channel (public link)


def _derivable_small_groups(atoms: dict[tuple[date, str | None], int], equations: list[tuple[frozenset, int]],
                            k: int) -> list[tuple[frozenset, int]]:
    """Sets of cells whose total an attacker can compute from the published totals (a linear combination of
    them), describing 1..k-1 people. `equations`: (cells summed, published count)."""
    # Cells with people are unknowns; so is an empty "no channel" cell of a day with a total row (nobody
    # can tell it is empty). Any other empty cell has no row, which the attacker sees.
    days_with_rows = {d for cells, _ in equations for d, _v in cells} | {d for (d, _v), n in atoms.items() if n}
    keys = [a for a, n in atoms.items() if n > 0 or (a[1] is None and a[0] in days_with_rows)]
    if not keys or not equations:
        return []
    index = {a: i for i, a in enumerate(keys)}
    rows = np.array([[1.0 if a in cells else 0.0 for a in keys] for cells, _ in equations])
    # Orthonormal basis of the row space: a set is derivable when its indicator vector lies in it.
    u, s, vt = np.linalg.svd(rows, full_matrices=False)
    basis = vt[s > 1e-9]
    found = []
    for size in range(1, len(keys) + 1):
        for combo in itertools.combinations(keys, size):
            total = sum(atoms[a] for a in combo)
            if not 0 < total < k:
                continue
            v = np.zeros(len(keys))
            v[[index[a] for a in combo]] = 1.0
            if np.linalg.norm(v - basis.T @ (basis @ v)) < 1e-6:
                found.append((frozenset(combo), total))
    return found


@PROFILE
@given(counts=st.lists(st.integers(0, 9), min_size=len(DAYS) * len(VALUES), max_size=len(DAYS) * len(VALUES)),
       k=st.integers(3, 6), data=st.data())
def test_no_figure_comes_out_of_a_group_under_the_threshold(
        counts: list[int], k: int, data: st.DataObject, login_as: Callable[[str | None], FlaskClient],
        db_session: Session, users: dict[str, User]) -> None:
    """Trend rows by day, week and month, by channel with some people on no channel: the attacker reads the
    trend exports, the API and the dashboard's segment table and solves the published counts as a linear
    system (totals minus segments, weeks minus days, and any mix). No set of fewer than k people may be
    pinned down."""
    atoms = {(d, v): counts[i * len(VALUES) + j] for i, d in enumerate(DAYS) for j, v in enumerate(VALUES)}
    survey = make_survey(db_session, audience="customer", min_group_size=k)
    specs: list[tuple[str, date, str, frozenset]] = []  # type: ignore[type-arg]
    for d in DAYS:
        specs.append(("day", d, ALL, frozenset((d, v) for v in VALUES)))
        specs += [("day", d, v, frozenset({(d, v)})) for v in VALUES[:2] if v]
    for period_type, start in (("week", WEEK), ("month", date(2025, 6, 1))):
        specs.append((period_type, start, ALL, frozenset(atoms)))
        specs += [(period_type, start, v, frozenset((d, v) for d in DAYS)) for v in VALUES[:2] if v]
    rows = {}
    # Rows are written in a drawn order: which of two equal cells is hidden must not open a gap.
    for period_type, start, value, cells in data.draw(st.permutations(specs)):
        n = sum(atoms[c] for c in cells)
        if n:
            st_ = ALL if value == ALL else "channel"
            rows[(period_type, start, value)] = (cells, make_trend(
                db_session, survey, start, period_type=period_type, segment_type=st_, segment_value=value,
                responses=n, nps_n=n))

    client = login_as("analyst")
    headers = _bearer(db_session, users["analyst"])
    published: dict[tuple[str, str, str], int] = {}
    for period_type in ("day", "week", "month"):
        for row in _csv(client, f"/dashboard/surveys/{survey.id}/export/trends.csv?period={period_type}"):
            if row["suppressed"] == "False":
                published[(period_type, row["period_start"], row["segment_value"])] = int(row["responses"])
        for st_ in (ALL, "channel"):
            body = client.get(f"/api/v1/surveys/{survey.id}/trends", headers=headers,
                              query_string={"period": period_type, "segment_type": st_, "limit": 200}).get_json()
            for item in body["items"]:
                if not item["suppressed"]:
                    published[(period_type, item["period_start"], item["segment_value"])] = item["responses"]
        # The dashboard's table of channels in the latest period with a figure to show (it says which).
        for row in _csv(client, f"/dashboard/surveys/{survey.id}/charts/segments.csv?period={period_type}"
                                f"&compare=channel"):
            if row["Responses"] != "hidden":
                published[(period_type, row["Period start"], row["Channel"])] = int(row["Responses"])
    # The attacker's systems: each period's total beside its channel rows (the people on no channel are
    # what is left), and each week or month beside its days, per channel and for everyone. Solving all
    # published rows as one system (days x channels as a two-way table) can still corner a person: that
    # needs table-wide (linear programming) suppression, which these rules do not attempt.
    families: dict[tuple[object, ...], list[tuple[frozenset, int]]] = {}  # type: ignore[type-arg]
    for (period_type, start, sv), n in published.items():
        cells, trend = rows[(period_type, date.fromisoformat(start), sv)]
        assert trend.responses == n
        families.setdefault(("period", period_type, start), []).append((cells, n))
        day = date.fromisoformat(start)
        containers = [("week", WEEK), ("month", date(2025, 6, 1))] if period_type == "day" else [(period_type, day)]
        for container in containers:
            families.setdefault(("within", *container, sv), []).append((cells, n))
    note(f"cells {atoms}, threshold {k}, published {published}")
    leaks = [(family, leak) for family, equations in families.items()
             for leak in _derivable_small_groups(atoms, equations, k)]
    assert not leaks, f"derivable groups under {k}: {leaks[:3]}"
