"""The monthly management review report (ISO 9001 §9.3 inputs): trends, topics, objectives, actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from common.periods import label, period_end
from models import CorrectiveAction, Objective, Survey, Theme
from survey_app.analytics import objectives, trends
from survey_app.analytics.charts import Point, line_chart


@dataclass
class Report:
    survey: Survey
    month: date
    headline: list[dict[str, Any]] = field(default_factory=list)
    charts: list[tuple[str, str]] = field(default_factory=list)  # (title, svg)
    topics: list[trends.Cell] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    objectives: list[tuple[Objective, str, float | None]] = field(default_factory=list)
    open_actions: list[CorrectiveAction] = field(default_factory=list)
    closed_actions: list[CorrectiveAction] = field(default_factory=list)


def build_report(session: Session, survey: Survey, month: date) -> Report:
    end = period_end("month", month)
    rep = Report(survey, month)
    cells = [c for c in trends.series(session, survey, "month", periods=24) if c.period_start <= month][-12:]
    current = next((c for c in cells if c.period_start == month), None)
    for metric, name, domain in (("nps", "NPS", (-100.0, 100.0)), ("csat", "CSAT", None),
                                 ("sentiment_mean", "Mean sentiment", (-1.0, 1.0))):
        if not any(c.value(metric) is not None for c in cells):
            continue
        low, high = trends.BANDS[metric]
        change_col = {"nps": "nps_change", "csat": "csat_change", "sentiment_mean": "sentiment_change"}[metric]
        rep.headline.append({"metric": name, "value": current.value(metric) if current else None,
                             "change": current.value(change_col) if current else None,
                             "significant": bool(current and current.row and current.row.significant)})
        points = [Point(label("month", c.period_start), c.value(metric), c.value(low), c.value(high),
                        suppressed=c.suppressed) for c in cells]
        obj = objectives.for_chart(session, survey.id, metric, "month", "*", "*")
        rep.charts.append((f"{name}, last 12 months", line_chart(
            f"{name}, last 12 months", points, domain=domain, target=obj.target if obj else None,
            target_label=obj.name if obj else "")))
    if current:
        rep.headline.insert(0, {"metric": "Responses", "value": current.value("responses"), "change": None,
                                "significant": False})
    rep.topics = [c for c in trends.topic_table(session, survey, "month", month) if c.row is not None][:10]
    start_dt, end_dt = datetime.combine(month, time(), UTC), datetime.combine(end, time(), UTC)
    rep.themes = [t for t in session.scalars(
        select(Theme).where(Theme.survey_id == survey.id, Theme.discovered_at >= start_dt,
                            Theme.discovered_at < end_dt, Theme.status != "dismissed").order_by(Theme.size.desc())
    ) if t.size >= survey.min_group_size]
    rep.objectives = [(o, *objectives.status(session, survey, o)) for o in objectives.for_survey(session, survey.id)]
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
        t = Table([[P(h) for h in head]] + [[P("" if v is None else v) for v in r] for r in rows] or [[""]],
                  repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0fb"))]))
        return t

    story += [P("Headline figures", "Heading2"), table(["Metric", "Value", "Change", "Significant"], [
        [h["metric"], "hidden" if h["value"] is None else f"{h['value']:.1f}",
         "" if h["change"] is None else f"{h['change']:+.1f}", "yes" if h["significant"] else ""]
        for h in rep.headline])]
    for title, svg in rep.charts:
        png = svg_to_png(svg, scale=1.5)
        story += [Spacer(1, 8), P(title, "Heading3"), Image(io.BytesIO(png), width=17 * cm, height=17 * cm * 300 / 720)]
    story += [P("Top topics", "Heading2"), table(["Topic", "Comments", "Mean sentiment"], [
        [c.topic, c.row.comments if c.row else "", f"{c.value('sentiment_mean') or 0:+.2f}"] for c in rep.topics])]
    story += [P("Emerging themes", "Heading2"), table(["Theme", "Keywords", "Size"], [
        [t.label, ", ".join(t.keywords), t.size] for t in rep.themes])]
    story += [P("Objectives", "Heading2"), table(["Objective", "Target", "Latest", "Status"], [
        [o.name, f"{o.metric} {o.comparator} {o.target:g}", "" if v is None else f"{v:.1f}", s]
        for o, s, v in rep.objectives])]
    for title, items in (("Open actions", rep.open_actions), ("Actions closed this month", rep.closed_actions)):
        story += [P(title, "Heading2"), table(["Action", "Status", "Due", "Effective"], [
            [a.title, a.status, a.due_date or "", {True: "yes", False: "no", None: ""}[a.effective]] for a in items])]
    doc.build(story)
    return buf.getvalue()
