"""The survey dashboard is built from trend rows: real SVG charts, table views, downloads, thresholds."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from xml.etree import ElementTree

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models import Objective, Site, Survey, Theme
from tests.analysts.conftest import MONTHS
from tests.analysts.factories import make_trend


def test_dashboard_renders_svg_charts_with_tables(login_as: Callable[[str | None], FlaskClient],
                                                 customer_survey: Survey) -> None:
    html = login_as("analyst").get(f"/dashboard/surveys/{customer_survey.id}").get_data(as_text=True)
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(svgs) == 5  # nps, csat, sentiment, topics, segments
    for svg in svgs:
        ElementTree.fromstring(svg)  # well-formed XML
    nps = svgs[0]
    assert "<polyline" in nps and "<polygon" in nps  # the line and its confidence band
    assert nps.count("<circle") == len(MONTHS)
    assert "<caption>NPS by month</caption>" in html
    assert "2025-06" in html and "<td>35.0</td>" in html  # last month's NPS in the table view
    # Chart points link to the comments behind them.
    assert f"/dashboard/surveys/{customer_survey.id}/comments?period=month&amp;period_start=2025-06-01" in html
    assert 'style="' not in html and "<script" not in html  # CSP: no inline style or script


def test_segment_comparison_hides_small_site_and_its_complement(
        login_as: Callable[[str | None], FlaskClient], customer_survey: Survey, sites: list[Site]) -> None:
    resp = login_as("analyst").get(f"/dashboard/surveys/{customer_survey.id}/charts/segments.csv?compare=site")
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    by_site = {r[0]: r for r in rows[1:]}
    assert by_site["Site 1"][1] == "30"
    # Site 3 has 3 people; Site 2 is hidden too, or Site 3 = total − Site 1 − Site 2.
    assert by_site["Site 3"][1:] == ["hidden"] * 4 + ["2025-06-01"]  # the period shown, named in every row
    assert by_site["Site 2"][1:] == ["hidden"] * 4 + ["2025-06-01"]


def test_topic_view_shows_volume_sentiment_change_and_hides_tiny_topics(
        login_as: Callable[[str | None], FlaskClient], customer_survey: Survey) -> None:
    resp = login_as("analyst").get(f"/dashboard/surveys/{customer_survey.id}/charts/topics.csv")
    rows = {r[0]: r for r in csv.reader(io.StringIO(resp.get_data(as_text=True)))}
    assert rows["delivery"][1:4] == ["20", "-0.4", "-0.1"]
    assert rows["price"][1] == "hidden"


def test_chart_png_and_svg_downloads(login_as: Callable[[str | None], FlaskClient], customer_survey: Survey) -> None:
    client = login_as("analyst")
    png = client.get(f"/dashboard/surveys/{customer_survey.id}/charts/nps.png?period=month")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n" and len(png.data) > 2000
    svg = client.get(f"/dashboard/surveys/{customer_survey.id}/charts/sentiment.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")
    assert client.get(f"/dashboard/surveys/{customer_survey.id}/charts/nope.svg").status_code == 404


def test_period_selector_and_segment_filter(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                            customer_survey: Survey, sites: list[Site]) -> None:
    for day in (1, 2, 3):
        make_trend(db_session, customer_survey, date(2025, 6, day), period_type="day", responses=12, nps=float(day))
    client = login_as("analyst")
    html = client.get(f"/dashboard/surveys/{customer_survey.id}?period=day").get_data(as_text=True)
    assert "NPS by day" in html and "2025-06-03" in html
    seg = client.get(f"/dashboard/surveys/{customer_survey.id}?segment_type=site&segment_value={sites[0].id}")
    assert "NPS by month — site Site 1" in seg.get_data(as_text=True)
    bad = client.get(f"/dashboard/surveys/{customer_survey.id}?period=year")
    assert bad.status_code == 400 and "period must be one of day, week, month" in bad.get_data(as_text=True)
    half = client.get(f"/dashboard/surveys/{customer_survey.id}?segment_type=site")
    assert half.status_code == 400


def test_small_segment_series_is_hidden_on_the_chart(login_as: Callable[[str | None], FlaskClient],
                                                    customer_survey: Survey, sites: list[Site]) -> None:
    html = login_as("analyst").get(
        f"/dashboard/surveys/{customer_survey.id}?segment_type=site&segment_value={sites[2].id}"
    ).get_data(as_text=True)
    svg = re.findall(r"<svg .*?</svg>", html, flags=re.S)[0]
    assert "<circle" not in svg  # every month of s3 is under the threshold
    assert "No figures to show yet" in html or ">hidden<" in svg


def test_objective_target_line_and_status(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                          customer_survey: Survey) -> None:
    db_session.add(Objective(survey_id=customer_survey.id, name="NPS 40 by June", metric="nps", comparator=">=",
                             target=40.0))
    db_session.flush()
    html = login_as("analyst").get(f"/dashboard/surveys/{customer_survey.id}").get_data(as_text=True)
    assert 'class="target"' in html and "NPS 40 by June: 40" in html
    assert "off track" in html  # latest NPS is 35


def test_themes_and_response_rates(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                   customer_survey: Survey) -> None:
    db_session.add_all([Theme(survey_id=customer_survey.id, label="parking <b>lot</b>", keywords=["parking"], size=12),
                        Theme(survey_id=customer_survey.id, label="tiny theme", keywords=["x"], size=2)])
    db_session.flush()
    html = login_as("analyst").get(f"/dashboard/surveys/{customer_survey.id}").get_data(as_text=True)
    assert "parking &lt;b&gt;lot&lt;/b&gt;" in html and "tiny theme" not in html
    assert "1 smaller theme hidden" in html
    assert "No personal invitations" in html
