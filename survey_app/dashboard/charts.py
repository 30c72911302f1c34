"""The dashboard's charts, each built once as data + SVG, then served as HTML, SVG, PNG or CSV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from common.periods import label
from models import Survey
from models.trend import ALL
from survey_app.analytics import objectives, segments, trends
from survey_app.analytics.charts import Bar, Point, bar_chart, line_chart
from survey_app.dashboard.filters import Filters

CHART_NAMES = ("nps", "csat", "sentiment", "topics", "segments")
LINE_METRICS = {"nps": ("nps", "NPS", (-100.0, 100.0)), "csat": ("csat", "CSAT (%)", (0.0, 100.0)),
                "sentiment": ("sentiment_mean", "Mean sentiment", (-1.0, 1.0))}
HIDDEN = "hidden"


@dataclass
class Chart:
    name: str
    title: str
    svg: str
    columns: list[str]
    rows: list[list[object]]
    links: list[str | None] = field(default_factory=list)  # drill-down per table row
    note: str = ""
    has_data: bool = True
    status: str = ""


UrlFor = Callable[..., str]


def build(session: Session, survey: Survey, name: str, f: Filters, comments_url: UrlFor) -> Chart:
    if name in LINE_METRICS:
        return metric_chart(session, survey, name, f, comments_url)
    if name == "topics":
        return topics_chart(session, survey, f, comments_url)
    return segments_chart(session, survey, f, comments_url)


def _r(v: float | None, digits: int = 1) -> object:
    return HIDDEN if v is None else round(v, digits)


def metric_chart(session: Session, survey: Survey, name: str, f: Filters, comments_url: UrlFor) -> Chart:
    metric, title, domain = LINE_METRICS[name]
    cells = trends.series(session, survey, f.period, f.segment_type, f.segment_value)
    low_col, high_col = trends.BANDS[metric]
    points, rows, links = [], [], []
    for c in cells:
        href = None if c.suppressed else comments_url(**f.args(period_start=c.period_start.isoformat()))
        points.append(Point(label(f.period, c.period_start), c.value(metric), c.value(low_col), c.value(high_col),
                            href, c.suppressed))
        n = HIDDEN if c.row is None else c.row.responses
        rows.append([label(f.period, c.period_start), _r(c.value(metric), 2), _r(c.value(low_col), 2),
                     _r(c.value(high_col), 2), n])
        links.append(href)
    objective = objectives.for_chart(session, survey.id, metric, f.period, f.segment_type, f.segment_value)
    status = ""
    if objective is not None:
        judged = objectives.status(session, survey, objective)
        status = (f"Objective “{objective.name}” ({objectives.describe_target(objective)}): "
                  f"{judged.describe(objective.period_type)}")
    seg = "" if f.segment_type == ALL else \
        f" — {f.segment_type} {segments.labels(session, f.segment_type, [f.segment_value])[f.segment_value]}"
    full_title = f"{title} by {f.period}{seg}"
    svg = line_chart(full_title, points, domain=domain, target=objective.target if objective else None,
                     target_label=objective.name if objective else "",
                     desc=f"{title} per {f.period} with 95% confidence band; hidden periods have too few people.",
                     ident=f"svg-{name}")
    has = any(p.value is not None for p in points)
    return Chart(name, full_title, svg, ["Period", title, "95% low", "95% high", "Responses"], rows, links,
                 has_data=has, status=status)


def topics_chart(session: Session, survey: Survey, f: Filters, comments_url: UrlFor) -> Chart:
    start, cells = trends.latest_shown(session, survey, f.period,
                                       lambda s: trends.topic_table(session, survey, f.period, s))
    bars, rows, links = [], [], []
    for c in cells:
        r = c.row
        href = None if r is None else comments_url(**f.args(period_start=start.isoformat() if start else None,
                                                            topic=c.topic))
        mean = c.value("sentiment_mean")
        change = c.value("sentiment_change")
        tone = None if mean is None else ("negative" if mean < -0.05 else "positive" if mean > 0.05 else "neutral")
        note = "" if r is None else f"n={r.comments}" + (f", Δ {change:+.2f}" if change is not None else "")
        bars.append(Bar(c.topic, mean, href, c.suppressed, tone, note))
        rows.append([c.topic, HIDDEN if r is None else r.comments, _r(mean, 2), _r(change, 2),
                     HIDDEN if r is None else r.sentiment_negative, HIDDEN if r is None else r.sentiment_positive,
                     c.period_start.isoformat()])
        links.append(href)
    when = label(f.period, start) if start else "no data"
    title = f"Topics: volume and mean sentiment, {when}"
    svg = bar_chart(title, bars, domain=(-1.0, 1.0),
                    desc="Mean sentiment per topic (−1 negative to +1 positive) with the number of comments.",
                    ident="svg-topics")
    return Chart("topics", title, svg,
                 ["Topic", "Comments", "Mean sentiment", "Change vs previous", "Negative", "Positive",
                  "Period start"],
                 rows, links, note=_period_note(session, survey, f.period, start), has_data=bool(cells))


def segments_chart(session: Session, survey: Survey, f: Filters, comments_url: UrlFor) -> Chart:
    start, cells = trends.latest_shown(session, survey, f.period,
                                       lambda s: trends.segment_table(session, survey, f.period, s, f.compare))
    use_nps = any(c.value("nps") is not None for c in cells)
    metric, mlabel, domain = ("nps", "NPS", (-100.0, 100.0)) if use_nps else ("sentiment_mean", "Mean sentiment",
                                                                              (-1.0, 1.0))
    names = segments.labels(session, f.compare, [c.segment_value for c in cells])
    bars, rows, links = [], [], []
    for c in cells:
        href = None if c.row is None else comments_url(
            period=f.period, period_start=start.isoformat() if start else None,
            segment_type=f.compare, segment_value=c.segment_value)
        bars.append(Bar(names[c.segment_value], c.value(metric), href, c.suppressed,
                        note="" if c.row is None else f"n={c.row.responses}"))
        rows.append([names[c.segment_value], HIDDEN if c.row is None else c.row.responses, _r(c.value("nps")),
                     _r(c.value("csat")), _r(c.value("sentiment_mean"), 2), c.period_start.isoformat()])
        links.append(href)
    when = label(f.period, start) if start else "no data"
    title = f"{mlabel} by {f.compare}, {when}"
    svg = bar_chart(title, bars, domain=domain, desc=f"{mlabel} for each {f.compare}; small groups are hidden.",
                    ident="svg-segments")
    return Chart("segments", title, svg, [f.compare.capitalize(), "Responses", "NPS", "CSAT", "Mean sentiment",
                                          "Period start"],
                 rows, links, note=_period_note(session, survey, f.period, start), has_data=bool(cells))


def _period_note(session: Session, survey: Survey, period_type: str, shown: date | None) -> str:
    """Say which period a one-period panel shows, and why when it is not the newest."""
    if shown is None:
        return ""
    newest = trends.latest_period(session, survey.id, period_type)
    if newest is None or newest == shown:
        return f"Showing {label(period_type, shown)}."
    return (f"Showing {label(period_type, shown)}, the latest {period_type} with enough people to show: "
            f"{label(period_type, newest)} is still too small.")
