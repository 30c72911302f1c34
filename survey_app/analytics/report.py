"""The monthly management review report (ISO 9001 §9.3 inputs): trends, topics, objectives, actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from common import stats
from common.periods import label, period_end, previous_start
from models import CorrectiveAction, Objective, Survey, Theme, TrendRow
from survey_app.analytics import objectives, trends
from survey_app.analytics.charts import Point, line_chart


@dataclass(frozen=True)
class Headline:
    """One headline figure: its value, the change against the previous month, and whether that change is
    statistically significant for this metric (|z| > 1.96 on its own test)."""

    metric: str
    value: float | None
    change: float | None = None
    significant: bool = False
    digits: int = 1

    @property
    def value_text(self) -> str:
        return "hidden" if self.value is None else _number(self.value, self.digits)

    @property
    def change_text(self) -> str:
        if self.change is None:
            return ""
        shown = round(self.change, self.digits)
        return "±" + _number(0.0, self.digits) if shown == 0 else f"{shown:+.{self.digits}f}"


def _number(v: float, digits: int) -> str:
    return f"{round(v, digits) + 0.0:.{digits}f}"  # + 0.0 turns a rounded −0.0 into 0.0


@dataclass
class Report:
    survey: Survey
    month: date
    headline: list[Headline] = field(default_factory=list)
    charts: list[tuple[str, str]] = field(default_factory=list)  # (title, svg)
    topics: list[trends.Cell] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    objectives: list[tuple[Objective, objectives.Status]] = field(default_factory=list)
    open_actions: list[CorrectiveAction] = field(default_factory=list)
    closed_actions: list[CorrectiveAction] = field(default_factory=list)


# metric, name, chart domain, change column, decimals shown
HEADLINE_METRICS = (("nps", "NPS", (-100.0, 100.0), "nps_change", 1),
                    ("csat", "CSAT (%)", (0.0, 100.0), "csat_change", 1),
                    ("sentiment_mean", "Mean sentiment", (-1.0, 1.0), "sentiment_change", 2))


def _z(metric: str, row: TrendRow, prev: TrendRow) -> float | None:
    """The z statistic of one metric's change (the trend row's `significant` is any metric's)."""
    if metric == "nps":
        return stats.nps_z(row.nps_promoters, row.nps_detractors, row.nps_n,
                           prev.nps_promoters, prev.nps_detractors, prev.nps_n)
    if metric == "csat":
        return stats.two_proportion_z(row.csat_satisfied, row.csat_n, prev.csat_satisfied, prev.csat_n)
    if row.sentiment_mean is None or prev.sentiment_mean is None:
        return None

    def se(r: TrendRow) -> float | None:
        return stats.mean_se(r.sentiment_negative + r.sentiment_neutral + r.sentiment_positive,
                             r.sentiment_low, r.sentiment_high)

    return stats.mean_z(row.sentiment_mean, se(row), prev.sentiment_mean, se(prev))


def build_report(session: Session, survey: Survey, month: date) -> Report:
    end = period_end("month", month)
    rep = Report(survey, month)
    cells = trends.series(session, survey, "month", periods=12, until=month)
    current = next((c.row for c in cells if c.period_start == month), None)
    # A change is shown only when both months are: the change and this month's value would give a
    # hidden previous month away.
    prev_start = previous_start("month", month)
    previous = next((c.row for c in cells if c.period_start == prev_start), None)
    for metric, name, domain, change_col, digits in HEADLINE_METRICS:
        if not any(c.value(metric) is not None for c in cells):
            continue
        value = None if current is None else getattr(current, metric)
        change = None
        significant = False
        if current is not None and previous is not None and value is not None \
                and getattr(previous, metric) is not None:
            change = getattr(current, change_col)
            significant = change is not None and stats.significant(_z(metric, current, previous))
        rep.headline.append(Headline(name, value, change, significant, digits))
        low, high = trends.BANDS[metric]
        points = [Point(label("month", c.period_start), c.value(metric), c.value(low), c.value(high),
                        suppressed=c.suppressed) for c in cells]
        obj = objectives.for_chart(session, survey.id, metric, "month", "*", "*")
        rep.charts.append((f"{name}, last 12 months", line_chart(
            f"{name}, last 12 months", points, domain=domain, target=obj.target if obj else None,
            target_label=obj.name if obj else "", ident=f"report-{metric}")))
    if any(c.period_start == month for c in cells):
        rep.headline.insert(0, Headline("Responses", None if current is None else float(current.responses),
                                        digits=0))
    rep.topics = [c for c in trends.topic_table(session, survey, "month", month) if c.row is not None][:10]
    start_dt, end_dt = datetime.combine(month, time(), UTC), datetime.combine(end, time(), UTC)
    rep.themes = [t for t in session.scalars(
        select(Theme).where(Theme.survey_id == survey.id, Theme.discovered_at >= start_dt,
                            Theme.discovered_at < end_dt, Theme.status != "dismissed").order_by(Theme.size.desc())
    ) if t.size >= survey.min_group_size]
    rep.objectives = [(o, objectives.status(session, survey, o, until=month))
                      for o in objectives.for_survey(session, survey.id)]
    actions = session.scalars(select(CorrectiveAction).where(
        CorrectiveAction.survey_id == survey.id, CorrectiveAction.created_at < end_dt,
        or_(CorrectiveAction.closed_at.is_(None), CorrectiveAction.closed_at >= start_dt),
    ).order_by(CorrectiveAction.due_date, CorrectiveAction.id)).all()
    for a in actions:
        if a.closed_at is not None and a.closed_at < end_dt:
            rep.closed_actions.append(a)
        elif a.status not in ("done", "verified", "cancelled") or a.closed_at is None:
            rep.open_actions.append(a)
    return rep


EMPTY = "None this month."


def status_label(status: str) -> str:
    """'in progress' for the stored 'in_progress'."""
    return status.replace("_", " ")


def latest_text(objective: Objective, st: objectives.Status) -> str:
    """'-1.8 (2025-11)': the value judged and the period it is from."""
    if st.value is None or st.period_start is None:
        return ""
    return f"{st.value:.1f} ({label(objective.period_type, st.period_start)})"


def report_pdf(rep: Report) -> bytes:
    """The same report as a PDF (reportlab; charts embedded as PNG through cairosvg)."""
    import io
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from survey_app.analytics.charts import svg_to_png

    styles = getSampleStyleSheet()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=f"{rep.survey.title} {rep.month:%Y-%m}",
                            leftMargin=1.8 * cm, rightMargin=1.8 * cm)
    P = lambda text, style="BodyText": Paragraph(escape(str(text)), styles[style])  # noqa: E731
    story: list[Any] = [P(f"Management review: {rep.survey.title}", "Title"), P(f"Month {rep.month:%Y-%m}")]

    def table(head: list[str], rows: list[list[Any]]) -> Table:
        if not rows:  # a header over nothing reads as a broken table
            rows = [[EMPTY] + [""] * (len(head) - 1)]
            spans = [("SPAN", (0, 1), (-1, 1))]
        else:
            spans = []
        t = Table([[P(h) for h in head]] + [[P("" if v is None else v) for v in r] for r in rows], repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0fb")), *spans]))
        return t

    story += [P("Headline figures", "Heading2"), table(["Metric", "Value", "Change", "Significant"], [
        [h.metric, h.value_text, h.change_text, "yes" if h.significant else ""] for h in rep.headline])]
    for title, svg in rep.charts:
        png = svg_to_png(svg, scale=1.5)
        story += [Spacer(1, 8), P(title, "Heading3"), Image(io.BytesIO(png), width=17 * cm, height=17 * cm * 300 / 720)]
    story += [P("Top topics", "Heading2"), table(["Topic", "Comments", "Mean sentiment"], [
        [c.topic, c.row.comments if c.row else "", f"{c.value('sentiment_mean') or 0:+.2f}"] for c in rep.topics])]
    story += [P("Emerging themes", "Heading2"), table(["Theme", "Keywords", "Size"], [
        [t.label, ", ".join(t.keywords), t.size] for t in rep.themes])]
    story += [P("Objectives", "Heading2"), table(["Objective", "Target", "Latest", "Status"], [
        [o.name, objectives.describe_target(o), latest_text(o, st), st.state] for o, st in rep.objectives])]
    for title, items in (("Open actions", rep.open_actions), ("Actions closed this month", rep.closed_actions)):
        story += [P(title, "Heading2"), table(["Action", "Status", "Due", "Effective"], [
            [a.title, status_label(a.status), a.due_date or "", {True: "yes", False: "no", None: ""}[a.effective]]
            for a in items])]
    doc.build(story)
    return buf.getvalue()
