"""Defects found using the dashboard, the monthly report and the exports (issue 14): each test failed
before its fix."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models import CorrectiveAction, Objective, Site, Survey
from survey_app.analytics.charts import Point, line_chart
from tests.analysts.factories import make_comment, make_trend
from tests.factories import make_response, make_survey

JULY = date(2025, 7, 1)  # the "current" month: two days old, under every threshold


@pytest.fixture()
def with_young_month(db_session: Session, customer_survey: Survey, sites: list[Site]) -> Survey:
    """The customer survey with a July too small to show, as on the second day of a month."""
    make_trend(db_session, customer_survey, JULY, responses=2, nps=-100.0)
    for site, n in zip(sites, (1, 1, 0), strict=True):
        if n:
            make_trend(db_session, customer_survey, JULY, segment_type="site", segment_value=str(site.id),
                       responses=n)
    make_trend(db_session, customer_survey, JULY, topic="delivery", responses=2, comments=2)
    return customer_survey


def _page(client: FlaskClient, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def test_objective_is_judged_on_the_latest_period_that_can_be_shown(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, with_young_month: Survey) -> None:
    db_session.add(Objective(survey_id=with_young_month.id, name="NPS 40", metric="nps", comparator=">=",
                             target=40.0))
    db_session.flush()
    client = login_as("analyst")
    dashboard = _page(client, f"/dashboard/surveys/{with_young_month.id}")
    # June's NPS is 35; July (2 people) is hidden and used to make every objective "no data".
    assert "no data" not in dashboard
    assert "Objective “NPS 40” (NPS ≥ 40): off track (2025-06: 35.0)" in dashboard
    objectives = _page(client, f"/dashboard/surveys/{with_young_month.id}/objectives")
    assert "off track" in objectives and "35.0" in objectives and "(2025-06)" in objectives
    # The report of May judges May (30.0), not a later month.
    may = _page(client, f"/dashboard/surveys/{with_young_month.id}/report/2025-05")
    assert "30.0 (2025-05)" in may and "off track" in may and "no data" not in may


def test_topic_and_segment_panels_open_on_the_latest_period_with_enough_people(
        login_as: Callable[[str | None], FlaskClient], with_young_month: Survey) -> None:
    html = _page(login_as("analyst"), f"/dashboard/surveys/{with_young_month.id}")
    topics = html.split('id="chart-topics"')[1].split("</section>")[0]
    segments = html.split('id="chart-segments"')[1].split("</section>")[0]
    for panel in (topics, segments):
        assert "2025-06" in panel and "2025-07 is still too small" in panel
    assert "Topics: volume and mean sentiment, 2025-06" in topics and "delivery" in topics
    assert "Site 1" in segments and "n=30" in segments


def _report(client: FlaskClient, survey: Survey, month: str = "2025-06") -> str:
    return _page(client, f"/dashboard/surveys/{survey.id}/report/{month}")


def _headline(html: str) -> dict[str, list[str]]:
    table = html.split("<h2>Headline figures</h2>")[1].split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table, flags=re.S)
    return {name: re.findall(r"<td>(.*?)</td>", cells, flags=re.S) for name, cells in rows}


def test_report_shows_counts_and_words_not_stored_values(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, customer_survey: Survey) -> None:
    db_session.add_all([
        Objective(survey_id=customer_survey.id, name="NPS 40", metric="nps", comparator=">=", target=40.0),
        CorrectiveAction(title="Call back detractors", source_type="topic", survey_id=customer_survey.id,
                         status="in_progress", created_at=datetime(2025, 6, 3, tzinfo=UTC)),
    ])
    db_session.flush()
    html = _report(login_as("analyst"), customer_survey)
    assert _headline(html)["Responses"][0] == "50"  # was "50.0"
    assert "in progress" in html and "in_progress" not in html
    assert "NPS ≥ 40" in html and "nps &gt;= 40" not in html and "nps >= 40" not in html
    # CSAT is a percentage: its axis runs 0–100 in quarters (was 0/24/47/71/95 from the data's range).
    csat_svg = re.search(r"<svg [^>]*aria-labelledby=\"report-csat-title.*?</svg>", html, flags=re.S)
    assert csat_svg is not None
    ticks = re.findall(r'text-anchor="end" font-size="11"[^>]*>([^<]+)</text>', csat_svg.group(0))
    assert ticks == ["0", "25", "50", "75", "100"]


def test_report_significance_is_per_metric_and_a_zero_change_is_not_negative(
        login_as: Callable[[str | None], FlaskClient], db_session: Session) -> None:
    survey = make_survey(db_session, title="Significance", audience="customer")
    # NPS from 10 to 40 on 400 answers a month: significant. CSAT 80.0 → 79.98: no change worth a flag,
    # though the row's single `significant` (any metric) is true.
    make_trend(db_session, survey, date(2025, 5, 1), responses=400, nps=10.0, nps_n=400, nps_promoters=120,
               nps_detractors=80, csat=80.0, csat_n=400, csat_satisfied=320)
    make_trend(db_session, survey, date(2025, 6, 1), responses=400, nps=40.0, nps_n=400, nps_promoters=200,
               nps_detractors=40, csat=79.98, csat_n=400, csat_satisfied=320, nps_change=30.0,
               csat_change=-0.02, sentiment_change=0.0, significant=True)
    head = _headline(_report(login_as("analyst"), survey))
    assert head["NPS"] == ["40.0", "+30.0", "yes"]
    assert head["CSAT (%)"] == ["80.0", "±0.0", ""]  # was "-0.0" and "yes"
    assert head["Mean sentiment"][2] == ""


def test_report_hides_the_change_when_the_previous_month_is_hidden(
        login_as: Callable[[str | None], FlaskClient], db_session: Session) -> None:
    survey = make_survey(db_session, title="Small May", audience="customer")
    make_trend(db_session, survey, date(2025, 5, 1), responses=2, nps=-50.0)
    make_trend(db_session, survey, date(2025, 6, 1), responses=50, nps=20.0, nps_change=70.0, significant=True)
    head = _headline(_report(login_as("analyst"), survey))
    # June's value minus its change would be May's hidden NPS.
    assert head["NPS"] == ["20.0", "", ""]


def _pdf_text(data: bytes) -> str:
    out = []
    """The text of a reportlab PDF's content streams (ASCII85, then Flate)."""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, flags=re.S):
        raw = stream.strip()
        if raw.endswith(b"~>"):
            try:
                out.append(zlib.decompress(base64.a85decode(raw[:-2])).decode("latin-1"))
            except (ValueError, zlib.error):
                continue
    return "\n".join(out)


def test_empty_report_tables_say_so_in_html_and_pdf(login_as: Callable[[str | None], FlaskClient],
                                                    customer_survey: Survey) -> None:
    client = login_as("analyst")
    html = _report(client, customer_survey)
    for heading in ("Emerging themes", "Open actions", "Actions closed this month"):
        section = html.split(f"<h2>{heading}</h2>")[1].split("</section>")[0]
        assert "None this month." in section, heading
    pdf = client.get(f"/dashboard/surveys/{customer_survey.id}/report/2025-06.pdf").data
    assert _pdf_text(pdf).count("(None this month.)") >= 3


def test_every_chart_on_a_page_has_its_own_accessible_name(
        login_as: Callable[[str | None], FlaskClient], customer_survey: Survey) -> None:
    client = login_as("analyst")
    for url in (f"/dashboard/surveys/{customer_survey.id}", f"/dashboard/surveys/{customer_survey.id}/report/2025-06"):
        html = _page(client, url)
        ids = Counter(re.findall(r'\sid="([^"]+)"', html))
        assert [i for i, n in ids.items() if n > 1] == [], url
        svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
        assert len(svgs) >= 3
        for svg in svgs:
            title_id, desc_id = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()  # type: ignore[union-attr]
            assert f'<title id="{title_id}">' in svg and f'<desc id="{desc_id}">' in svg


def test_weekly_axis_labels_do_not_run_together() -> None:
    points = [Point(f"2026-W{w:02d}", float(w)) for w in range(38, 50)]
    svg = line_chart("NPS by week", points)
    labels = re.findall(r'<text x="([\d.]+)" y="\d+" text-anchor="middle" font-size="11"[^>]*>(2026-W\d\d)</text>',
                        svg)
    xs = [float(x) for x, _ in labels]
    assert len(xs) >= 4 and labels[-1][1] == "2026-W49"
    width = len("2026-W38") * 6.9  # DejaVu Sans 11 px
    assert all(b - a > width for a, b in zip(xs, xs[1:], strict=False))


def test_exports_join_on_response_id_with_whole_numbers(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, commented: Survey) -> None:
    for i in range(3):
        make_response(db_session, commented, {"nps": 8}, day=date(2025, 6, 12 + i))
    client = login_as("analyst")
    responses = list(csv.DictReader(io.StringIO(
        client.get(f"/dashboard/surveys/{commented.id}/export/responses.csv").get_data(as_text=True))))
    analyses = list(csv.DictReader(io.StringIO(
        client.get(f"/dashboard/surveys/{commented.id}/export/analyses.csv").get_data(as_text=True))))
    assert {r["nps"] for r in responses if r["nps"]} == {"8"}  # was "8.0"
    by_id = {r["response_id"]: r for r in responses}
    assert len(by_id) == len(responses)
    assert analyses and all(a["response_id"] in by_id for a in analyses)
    for a in analyses:  # the two files agree on what they show of a response's group
        assert a["site"] == by_id[a["response_id"]]["site"]


def test_worker_report_exports_carry_its_random_id(
        login_as: Callable[[str | None], FlaskClient], db_session: Session) -> None:
    survey = make_survey(db_session, title="Reports", audience="worker")
    for i in range(12):
        make_comment(db_session, survey, f"Loose cable number {i} by the press", day=date(2025, 6, 2 + i))
    rows = list(csv.DictReader(io.StringIO(login_as("safety_officer").get(
        f"/dashboard/surveys/{survey.id}/export/analyses.csv").get_data(as_text=True))))
    assert len(rows) == 12 and all(int(r["response_id"]) < 0 for r in rows)
    assert {r["month"] for r in rows} == {"2025-06"}
