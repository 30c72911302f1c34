"""Alerts: urgent worker reports to safety officers, significant drops to the people who read the survey.

Raising is idempotent (Alert.dedup_key is unique: one alert per urgent answer, one per drop per period
and segment). Delivery happens outside any transaction: each channel is claimed with a compare-and-set
on its status ('pending'/'failed' → 'sending'), so two job threads never send the same alert twice;
then email (SMTP) and a signed webhook (HMAC-SHA256 of the body) are sent and their status recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, exists, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from common import stats
from common.mail import Mailer
from common.periods import previous_start
from jobs.context import JobContext
from jobs.runs import RunStats, recorded_run, with_retry
from jobs.trends.rollup import sentiment_n
from models.alert import Alert, urgent_alert_key
from models.analysis import TextAnalysis
from models.anonymity import day_stamp, unused_anonymous_ids
from models.org import Site
from models.response import Answer, Response
from models.settings import Settings
from models.survey import Survey
from models.trend import ALL, TrendRow
from models.user import AUDIENCE_ROLES, User

log = logging.getLogger(__name__)

URGENT_LOOKBACK_DAYS = 7  # a re-score flagging a months-old report is not an emergency any more
DROP_PERIOD = "week"
DROP_LOOKBACK_DAYS = 14
MAX_SEND_ATTEMPTS = 5
SEND_TIMEOUT_S = 10
SIGNATURE_HEADER = "X-Heedful-Signature"
TIMESTAMP_HEADER = "X-Heedful-Timestamp"


def is_worker_alert(audience: object) -> bool:
    """An alert about a worker survey: raised by the run after a report was scored, so it may hold
    neither a time nor a sequence id (models.anonymity)."""
    return audience == "worker"


def _insert_alerts(session: Session, values: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert the alerts not raised before; returns (created, of which about worker surveys)."""
    if not values:
        return 0, 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = worker = 0
    for v in values:
        if is_worker_alert(v["detail"].get("audience")):
            v = v | {"id": unused_anonymous_ids(session, Alert.id, 1)[0], "created_at": day_stamp(v["created_at"])}
        stmt = insert(Alert).values(**v).on_conflict_do_nothing(index_elements=["dedup_key"]).returning(Alert.id)
        new = len(session.execute(stmt).all())
        created += new
        worker += new if "id" in v else 0
    return created, worker


def raise_urgent_alerts(session: Session, now: datetime) -> tuple[int, int]:
    """One alert per urgent worker answer (recent ones), never a second one for the same answer."""
    key = literal(urgent_alert_key(0).removesuffix("0")) + cast(TextAnalysis.answer_id, String)
    rows = session.execute(
        select(TextAnalysis.answer_id, TextAnalysis.redacted_text, TextAnalysis.urgency_reason,
               TextAnalysis.urgency_score, Response.id.label("response_id"), Response.submitted_on,
               Survey.id.label("survey_id"), Survey.title, Site.name.label("site"))
        .join(Answer, Answer.id == TextAnalysis.answer_id).join(Response, Response.id == Answer.response_id)
        .join(Survey, Survey.id == Response.survey_id).outerjoin(Site, Site.id == Response.site_id)
        .where(TextAnalysis.urgent.is_(True), Survey.audience == "worker",
               Response.submitted_on >= (now - timedelta(days=URGENT_LOOKBACK_DAYS)).date(),
               ~exists().where(Alert.dedup_key == key))
        .order_by(TextAnalysis.answer_id)
    ).all()
    values = [
        {
            "kind": "urgent_report", "dedup_key": urgent_alert_key(r.answer_id), "survey_id": r.survey_id,
            "response_id": r.response_id, "created_at": now,
            "message": f"Urgent safety report in '{r.title}'" + (f" at {r.site}" if r.site else "")
                       + f": {r.urgency_reason or 'flagged as urgent'}",
            "detail": {"audience": "worker", "answer_id": r.answer_id, "text": r.redacted_text,
                       "reason": r.urgency_reason, "score": round(float(r.urgency_score), 3),
                       "site": r.site, "day": r.submitted_on.isoformat()},
        }
        for r in rows
    ]
    return _insert_alerts(session, values)


def raise_drop_alerts(session: Session, now: datetime) -> tuple[int, int]:
    """One alert per significant weekly drop of NPS or sentiment in a segment (large enough to show)."""
    since = (now - timedelta(days=DROP_LOOKBACK_DAYS)).date()
    candidates = session.execute(
        select(TrendRow, Survey.title, Survey.audience, Survey.min_group_size)
        .join(Survey, Survey.id == TrendRow.survey_id)
        .where(TrendRow.period_type == DROP_PERIOD, TrendRow.topic == ALL, TrendRow.significant.is_(True),
               TrendRow.period_start >= since,
               or_(TrendRow.nps_change < 0, TrendRow.sentiment_change < 0))
    ).all()
    values: list[dict[str, Any]] = []
    for row, title, audience, min_group in candidates:
        prev = session.scalars(select(TrendRow).where(
            TrendRow.survey_id == row.survey_id, TrendRow.period_type == row.period_type,
            TrendRow.period_start == previous_start(row.period_type, row.period_start),
            TrendRow.segment_type == row.segment_type, TrendRow.segment_value == row.segment_value,
            TrendRow.topic == ALL)).first()
        if prev is None or min(row.responses, prev.responses) < min_group:
            continue  # a segment too small to show must not be revealed by an alert either
        segment = "all responses" if row.segment_type == ALL else f"{row.segment_type} = {row.segment_value}"
        where = f"'{title}', {segment}, week of {row.period_start.isoformat()}"
        base = {"survey_id": row.survey_id, "created_at": now}
        ident = (f"{row.survey_id}:{row.period_type}:{row.period_start.isoformat()}:"
                 f"{row.segment_type}:{row.segment_value}")
        z_nps = stats.nps_z(row.nps_promoters, row.nps_detractors, row.nps_n,
                            prev.nps_promoters, prev.nps_detractors, prev.nps_n)
        if row.nps_change is not None and row.nps_change < 0 and stats.significant(z_nps):
            values.append(base | {
                "kind": "nps_drop", "dedup_key": f"nps_drop:{ident}"[:200],
                "message": f"NPS fell from {prev.nps:.0f} to {row.nps:.0f} in {where}",
                "detail": {"audience": audience, "from": prev.nps, "to": row.nps, "z": z_nps,
                           "n": row.nps_n, "previous_n": prev.nps_n, "segment_type": row.segment_type,
                           "segment_value": row.segment_value, "period_start": row.period_start.isoformat()},
            })
        se_now = stats.mean_se(sentiment_n(_as_dict(row)), row.sentiment_low, row.sentiment_high)
        se_prev = stats.mean_se(sentiment_n(_as_dict(prev)), prev.sentiment_low, prev.sentiment_high)
        if row.sentiment_change is not None and row.sentiment_change < 0 and prev.sentiment_mean is not None \
                and row.sentiment_mean is not None:
            z_s = stats.mean_z(row.sentiment_mean, se_now, prev.sentiment_mean, se_prev)
            if stats.significant(z_s):
                values.append(base | {
                    "kind": "sentiment_drop", "dedup_key": f"sentiment_drop:{ident}"[:200],
                    "message": f"Comment sentiment fell from {prev.sentiment_mean:+.2f} to "
                               f"{row.sentiment_mean:+.2f} in {where}",
                    "detail": {"audience": audience, "from": prev.sentiment_mean, "to": row.sentiment_mean,
                               "z": z_s, "segment_type": row.segment_type, "segment_value": row.segment_value,
                               "period_start": row.period_start.isoformat()},
                })
    return _insert_alerts(session, values)


def _as_dict(row: TrendRow) -> dict[str, Any]:
    return {"sentiment_negative": row.sentiment_negative, "sentiment_neutral": row.sentiment_neutral,
            "sentiment_positive": row.sentiment_positive}


def recipients(session: Session, settings: Settings, alert: Alert) -> list[str]:
    roles = ("safety_officer",) if alert.kind == "urgent_report" else \
        AUDIENCE_ROLES.get(str(alert.detail.get("audience", "customer")), ("admin",))
    emails = session.scalars(select(User.email).where(User.role.in_(roles), User.active.is_(True))).all()
    return sorted({*emails, *settings.alert_emails})


def sign(body: bytes, secret: str) -> str:
    """The signature header value: 'sha256=' + hex HMAC-SHA256 of the exact request body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(alert: Alert, sent_at: datetime) -> bytes:
    payload = {"id": alert.id, "kind": alert.kind, "survey_id": alert.survey_id, "message": alert.message,
               "detail": alert.detail, "created_at": alert.created_at.isoformat(),
               "sent_at": sent_at.isoformat()}  # inside the signed body, so a replay is visible
    return json.dumps(payload, sort_keys=True).encode()


def send_email(settings: Settings, to: list[str], alert: Alert) -> None:
    smtp = settings.smtp
    if smtp is None:
        raise _Skip("HEEDFUL_SMTP_HOST is not set")
    if not to:
        raise _Skip("no recipients: no active user with the role and no HEEDFUL_ALERT_EMAILS")
    with Mailer(replace(smtp, timeout=SEND_TIMEOUT_S)) as mail:
        mail.send_to_many(to, f"[Heedful] {alert.message}"[:200], email_body(settings, alert))


def email_body(settings: Settings, alert: Alert) -> str:
    """The alert e-mail's text. It gives the day, never a time: an urgent report's alert goes out
    minutes after the report, and the report itself keeps the day only. (No Date header is set here
    either; the mail server adds one, as it does to any mail, which the recipient sees in any case.)"""
    lines = [alert.message, ""]
    if alert.kind == "urgent_report":
        lines += [f"Report (personal data removed): {alert.detail.get('text', '')}",
                  f"Day: {alert.detail.get('day')}", ""]
    else:
        lines += [f"Day: {alert.created_at.date().isoformat()}", ""]
    # Worker alerts' ids are random (models.anonymity): a reference, not a count of alerts.
    lines += [f"Open Heedful: {settings.base_url}/", "", f"Alert {alert.id} ({alert.kind})"]
    return "\n".join(lines)


def send_webhook(settings: Settings, alert: Alert, now: datetime) -> None:
    if not settings.webhook_url:
        raise _Skip("HEEDFUL_WEBHOOK_URL is not set")
    if not settings.webhook_secret:
        raise _Skip("HEEDFUL_WEBHOOK_SECRET is not set: unsigned webhooks are not sent")
    body = webhook_body(alert, now)
    request = urllib.request.Request(settings.webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "heedful-alerts",
        TIMESTAMP_HEADER: str(int(now.timestamp())), SIGNATURE_HEADER: sign(body, settings.webhook_secret),
        "X-Heedful-Event": alert.kind,
    })
    with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_S) as response:  # noqa: S310 - configured URL
        if not 200 <= response.status < 300:
            raise RuntimeError(f"webhook answered HTTP {response.status}")


class _Skip(Exception):
    """The channel is not configured: record it as skipped, don't retry."""


def _claim(session: Session, alert_id: int, column: str) -> bool:
    col = getattr(Alert, column)
    attempts_key = f"{column}_attempts"
    alert = session.get(Alert, alert_id)
    if alert is None or int(alert.detail.get(attempts_key, 0)) >= MAX_SEND_ATTEMPTS:
        return False
    result = session.execute(
        update(Alert).where(Alert.id == alert_id, col.in_(("pending", "failed"))).values({column: "sending"})
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass
class Delivered:
    sent: int = 0
    failed: int = 0
    worker_sent: int = 0  # of `sent`, alerts about worker surveys
    worker_failed: int = 0


def deliver_pending(ctx: JobContext) -> Delivered:
    """Send every alert channel still pending (or failed, with attempts left)."""
    with ctx.sessions() as s:
        pending = s.execute(select(Alert.id, Alert.detail).where(or_(
            Alert.email_status.in_(("pending", "failed")), Alert.webhook_status.in_(("pending", "failed"))
        )).order_by(Alert.id)).all()
    out = Delivered()
    for alert_id, detail in pending:
        worker = is_worker_alert((detail or {}).get("audience"))
        for column in ("email_status", "webhook_status"):
            def claim(alert_id: int = alert_id, column: str = column) -> tuple[Alert, list[str]] | None:
                with ctx.sessions() as s, s.begin():
                    if not _claim(s, alert_id, column):
                        return None
                    alert = s.get(Alert, alert_id)
                    assert alert is not None
                    return alert, recipients(s, ctx.settings, alert)

            claimed = with_retry(claim, f"alerts: claim {alert_id}")
            if claimed is None:
                continue
            alert, to = claimed
            status, error = "sent", None
            try:
                if column == "email_status":
                    send_email(ctx.settings, to, alert)
                else:
                    send_webhook(ctx.settings, alert, ctx.now())
            except _Skip as exc:
                status, error = "skipped", str(exc)
            except (OSError, urllib.error.URLError, RuntimeError) as exc:  # MailError is a RuntimeError
                status, error = "failed", f"{type(exc).__name__}: {exc}"[:300]
                log.warning("alert %d: %s failed: %s", alert_id, column.removesuffix("_status"), error)
            out.sent += status == "sent"
            out.failed += status == "failed"
            out.worker_sent += worker and status == "sent"
            out.worker_failed += worker and status == "failed"

            def record(alert_id: int = alert_id, column: str = column, status: str = status,
                       error: str | None = error, to: list[str] = to) -> None:
                with ctx.sessions() as s, s.begin():
                    alert = s.get(Alert, alert_id)
                    assert alert is not None
                    name = column.removesuffix("_status")
                    detail = dict(alert.detail)
                    detail[f"{column}_attempts"] = int(detail.get(f"{column}_attempts", 0)) + (status == "failed")
                    detail[f"{name}_error"] = error
                    if name == "email" and status == "sent":
                        detail["email_recipients"] = len(to)
                    s.execute(update(Alert).where(Alert.id == alert_id).values({column: status, "detail": detail}))

            with_retry(record, f"alerts: record {alert_id}")
    return out


def run_alerts(ctx: JobContext) -> RunStats:
    """Raise new alerts (urgent reports, significant drops) and deliver every pending one."""
    with recorded_run(ctx, "alerts") as run:
        def raise_new() -> tuple[tuple[int, int], tuple[int, int]]:
            with ctx.sessions() as s, s.begin():
                now = ctx.now()
                return raise_urgent_alerts(s, now), raise_drop_alerts(s, now)

        (urgent, worker_urgent), (drops, worker_drops) = with_retry(raise_new, "alerts: raise")
        # Alerts about worker surveys are counted in the totals but never stored on the run (RunStats).
        run.claimed, run.worker_claimed = urgent + drops, worker_urgent + worker_drops
        run.detail.update(urgent=urgent - worker_urgent, drops=drops - worker_drops)
        delivered = deliver_pending(ctx)
        run.processed, run.failed = delivered.sent, delivered.failed
        run.worker_processed, run.worker_failed = delivered.worker_sent, delivered.worker_failed
    return run


def reset_stuck_sending(session: Session, now: datetime, older_than: timedelta = timedelta(hours=1)) -> int:
    """A process that died mid-send leaves 'sending'; after an hour that counts as a failed try."""
    total = 0
    for column in (Alert.email_status, Alert.webhook_status):
        result = session.execute(
            update(Alert).where(and_(column == "sending", Alert.created_at < now - older_than))
            .values({column.key: "failed"})
        )
        total += result.rowcount  # type: ignore[attr-defined]
    return total
