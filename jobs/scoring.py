"""Score free-text answers: claim a bounded batch → analyze → write results → checkpoint (commit).

The queue lives on `answers.text_state`. A claim is a lease (`claimed_by`, `claimed_until`): when a
scorer dies its claims expire and any scorer takes them over; a write only lands while the claim is
still held, so an answer is never scored twice. On PostgreSQL several scorers share the queue through
SELECT … FOR UPDATE SKIP LOCKED; on SQLite BEGIN IMMEDIATE (models.db) serialises the claim.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from jobs.analyzer import TextAnalyzer
from jobs.context import JobContext
from jobs.runs import RunStats, recorded_run, with_retry
from models.analysis import TextAnalysis as AnalysisRow
from models.analysis import TopicTag as TagRow
from models.anonymity import day_stamp, unused_anonymous_ids
from models.queue import mark_trend_dirty
from models.response import Answer, Response
from models.survey import Survey, Taxonomy

if TYPE_CHECKING:
    from nlp.taxonomy import Taxonomy as NlpTaxonomy
    from nlp.types import TextAnalysis

log = logging.getLogger(__name__)

_EXPIRED = datetime(2000, 1, 1, tzinfo=UTC)
Progress = Callable[[int, int], None]  # (answers done so far, of which failed)


@dataclass(frozen=True)
class Claimed:
    answer_id: int
    text: str
    survey_id: int
    day: date
    audience: str
    taxonomy_yaml: str | None
    attempts: int  # including this claim
    had_analysis: bool  # a re-score (backfill): on failure the old result stays current
    language: str | None = None  # the page language the respondent chose: a hint for short answers

    @property
    def anonymous(self) -> bool:
        """A worker report's answer: its analysis and tags get anonymous ids and the day (models.anonymity)."""
        return self.audience == "worker"


@dataclass
class BatchOutcome:
    """Counts of one written batch. `scored` and `failed` include worker answers, whose share is also in
    `worker_scored` and `worker_failed`; `retried` and `lost` (stored in the run's detail) leave them out."""

    scored: int = 0
    failed: int = 0  # given up on (text_state failed, or old analysis kept)
    retried: int = 0  # failed this time, back in the queue
    lost: int = 0  # claim taken over by another scorer meanwhile: result dropped
    worker_scored: int = 0
    worker_failed: int = 0


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _new_work(now: datetime) -> Any:
    expired = and_(Answer.text_state == "claimed", Answer.claimed_until < now)
    return or_(Answer.text_state == "pending", expired)


def _backfill_work(model_name: str, model_version: str, max_attempts: int) -> Any:
    stale = exists().where(
        AnalysisRow.answer_id == Answer.id,
        or_(AnalysisRow.model_name != model_name, AnalysisRow.model_version != model_version),
    )
    gave_up = and_(Answer.last_error.is_not(None), Answer.attempts >= max_attempts)
    return and_(Answer.text_state == "scored", stale, ~gave_up)


def count_new(session: Session, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Answer).where(_new_work(now))) or 0


def count_backfill(session: Session, model_name: str, model_version: str, max_attempts: int) -> int:
    where = _backfill_work(model_name, model_version, max_attempts)
    return session.scalar(select(func.count()).select_from(Answer).where(where)) or 0


def claim_batch(
    session: Session, ctx: JobContext, size: int, backfill_model: tuple[str, str] | None = None
) -> list[Claimed]:
    """Claim up to `size` answers (new work first; stale-model re-scores only when asked)."""
    now = ctx.now()
    max_attempts = ctx.settings.score_max_attempts
    where = _new_work(now) if backfill_model is None else _backfill_work(*backfill_model, max_attempts)
    stmt = (
        select(
            Answer.id,
            Answer.text,
            Answer.attempts,
            Answer.text_state,
            Response.survey_id,
            Response.submitted_on,
            Response.language,
            Survey.audience,
            Taxonomy.source_yaml,
            exists().where(AnalysisRow.answer_id == Answer.id).label("had_analysis"),
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(Taxonomy, Taxonomy.id == Survey.taxonomy_id)
        .where(where)
        .order_by(Answer.id)
        .limit(size)
    )
    if _is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True, of=Answer)
    rows = session.execute(stmt).all()
    claimed: list[Claimed] = []
    poisoned: list[tuple[int, bool, int]] = []
    for r in rows:
        if r.text_state == "claimed" and r.attempts >= max_attempts:
            # Its scorer died (lease expired) on every try: likely the text itself kills the process.
            poisoned.append((r.id, bool(r.had_analysis), r.attempts))
            continue
        claimed.append(
            Claimed(
                r.id,
                r.text or "",
                r.survey_id,
                r.submitted_on,
                r.audience,
                r.source_yaml,
                r.attempts + 1,
                bool(r.had_analysis),
                r.language,
            )
        )
    for answer_id, had_analysis, attempts in poisoned:
        session.execute(
            update(Answer)
            .where(Answer.id == answer_id)
            .values(
                text_state="scored" if had_analysis else "failed",
                claimed_by=None,
                claimed_until=None,
                last_error=f"scorer stopped (crash or timeout) while scoring this answer {attempts} times",
            )
        )
    if claimed:
        session.execute(
            update(Answer)
            .where(Answer.id.in_([c.answer_id for c in claimed]))
            .values(
                text_state="claimed",
                claimed_by=ctx.worker,
                claimed_until=now + timedelta(seconds=ctx.settings.lease_seconds),
                attempts=Answer.attempts + 1,
            )
        )
    return claimed


def release_dead_local_claims(session: Session) -> int:
    """Give back claims of scorer processes on this host that no longer exist (crashed, killed).

    Other hosts' claims are left to expire: only here can we tell that a pid is gone.
    """
    host = socket.gethostname()[:60]
    holders = session.scalars(
        select(Answer.claimed_by).where(Answer.text_state == "claimed", Answer.claimed_by.like(f"{host}:%")).distinct()
    ).all()
    released = 0
    for holder in holders:
        if holder is None:
            continue
        try:
            pid = int(holder.split(":")[1])
        except (IndexError, ValueError):
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        # Expire the lease now; the claim step then applies the attempts rule like for any dead scorer.
        result = session.execute(
            update(Answer)
            .where(Answer.text_state == "claimed", Answer.claimed_by == holder)
            .values(claimed_until=_EXPIRED)
        )
        released += result.rowcount  # type: ignore[attr-defined]
    return released


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def resolve_taxonomy(yaml_text: str | None, audience: str, survey_id: int) -> tuple[NlpTaxonomy, str | None]:
    """The survey's own taxonomy, else the default for its audience (with the reason when it is broken)."""
    from nlp.taxonomy import TaxonomyError, default_taxonomy, parse_taxonomy

    if yaml_text:
        try:
            return parse_taxonomy(yaml_text, source=f"survey {survey_id} taxonomy"), None
        except TaxonomyError as exc:
            log.warning("survey %d: taxonomy is invalid, using the %s default: %s", survey_id, audience, exc)
            return default_taxonomy(audience), str(exc)
    return default_taxonomy(audience), None


def analyze_items(
    analyzer: TextAnalyzer, items: list[Claimed], taxonomies: dict[int, NlpTaxonomy]
) -> dict[int, TextAnalysis | str]:
    """Analyze the whole batch in one model call (a group per survey); when it fails, retry survey by
    survey, then item by item, so one text that breaks the model fails alone."""
    out: dict[int, TextAnalysis | str] = {}
    groups: dict[int, list[Claimed]] = defaultdict(list)
    for item in items:
        groups[item.survey_id].append(item)
    try:
        per_group = analyzer.analyze_many(
            [([c.text for c in group], taxonomies[sid], group[0].audience) for sid, group in groups.items()],
            hints=[[c.language for c in group] for group in groups.values()],
        )
        if len(per_group) != len(groups):
            raise RuntimeError(f"analyzer returned {len(per_group)} groups for {len(groups)}")
        checked = [_checked(results, len(group)) for results, group in zip(per_group, groups.values(), strict=True)]
    except Exception as exc:  # noqa: BLE001 - any model error: fall back to one call per survey below
        log.warning("batch of %d answers failed (%s); scoring survey by survey", len(items), exc)
    else:
        for results, group in zip(checked, groups.values(), strict=True):
            for c, result in zip(group, results, strict=True):
                out[c.answer_id] = result
        return out
    for survey_id, group in groups.items():
        taxonomy = taxonomies[survey_id]
        audience = group[0].audience
        try:
            hints = [c.language for c in group]
            results = _checked(analyzer.analyze([c.text for c in group], taxonomy, audience, hints), len(group))
        except Exception as exc:  # noqa: BLE001 - any model error: fall back to one call per item below
            log.warning("survey %d: batch of %d failed (%s); scoring one by one", survey_id, len(group), exc)
            for c in group:
                try:
                    out[c.answer_id] = _checked(analyzer.analyze([c.text], taxonomy, audience, [c.language]), 1)[0]
                except Exception as item_exc:  # noqa: BLE001 - recorded on the answer as last_error
                    out[c.answer_id] = f"{type(item_exc).__name__}: {item_exc}"[:1000]
            continue
        for c, result in zip(group, results, strict=True):
            out[c.answer_id] = result
    return out


def _checked(results: list[TextAnalysis], expected: int) -> list[TextAnalysis]:
    if len(results) != expected:
        raise RuntimeError(f"analyzer returned {len(results)} results for {expected} texts")
    return results


def write_results(
    session: Session, ctx: JobContext, items: list[Claimed], results: dict[int, TextAnalysis | str]
) -> BatchOutcome:
    """Store analyses of answers this worker still holds; record failures; queue the touched trend days."""
    outcome = BatchOutcome()
    ids = [c.answer_id for c in items]
    mine_stmt = select(Answer.id).where(
        Answer.id.in_(ids), Answer.text_state == "claimed", Answer.claimed_by == ctx.worker
    )
    if _is_postgres(session):
        mine_stmt = mine_stmt.with_for_update()
    mine = set(session.scalars(mine_stmt))
    outcome.lost = sum(1 for c in items if c.answer_id not in mine and not c.anonymous)
    ok = [c for c in items if c.answer_id in mine and not isinstance(results.get(c.answer_id), str)]
    bad = [c for c in items if c.answer_id in mine and isinstance(results.get(c.answer_id), str)]

    ok_ids = [c.answer_id for c in ok]
    existing = {a.answer_id: a for a in session.scalars(select(AnalysisRow).where(AnalysisRow.answer_id.in_(ok_ids)))}
    if existing:
        # Analyst-made tags survive a re-score; model tags are replaced.
        session.execute(
            delete(TagRow).where(TagRow.analysis_id.in_([a.id for a in existing.values()]), TagRow.source == "taxonomy")
        )
        for row in existing.values():
            session.expire(row, ["tags"])
    dirty: set[tuple[int, date]] = set()
    filled: list[tuple[AnalysisRow, TextAnalysis]] = []
    now = ctx.now()
    new_worker = [c for c in ok if c.anonymous and c.answer_id not in existing]
    fresh_ids = iter(unused_anonymous_ids(session, AnalysisRow.id, len(new_worker)) if new_worker else ())
    for c in ok:
        result = results[c.answer_id]
        assert not isinstance(result, str)
        row = existing.get(c.answer_id) or AnalysisRow(
            answer_id=c.answer_id, id=next(fresh_ids) if c.anonymous else None
        )
        _fill(row, result, day_stamp(now) if c.anonymous else now)
        filled.append((row, result))
        dirty.add((c.survey_id, c.day))
    # One flush gives every new analysis row its id (a multi-row INSERT … RETURNING), then all tags go
    # in one executemany: per-row flushes cost more than the model on short answers.
    session.add_all([row for row, _ in filled])
    session.flush()
    # Two executemanys: a worker answer's tags carry their own (anonymous) ids, the others take the sequence.
    worker_ids = {c.answer_id for c in ok if c.anonymous}
    tags = [(row.answer_id in worker_ids, tag) for row, result in filled for tag in _tags(row.id, result)]
    customer_tags = [tag for anonymous, tag in tags if not anonymous]
    worker_tags = [tag for anonymous, tag in tags if anonymous]
    if worker_tags:
        for tag, tag_id in zip(worker_tags, unused_anonymous_ids(session, TagRow.id, len(worker_tags)), strict=True):
            tag["id"] = tag_id
    for group in (customer_tags, worker_tags):
        if group:
            session.execute(insert(TagRow), group)
    if ok_ids:
        session.execute(
            update(Answer)
            .where(Answer.id.in_(ok_ids))
            .values(text_state="scored", claimed_by=None, claimed_until=None, attempts=0, last_error=None)
        )
    outcome.scored = len(ok)
    outcome.worker_scored = len(worker_ids)
    max_attempts = ctx.settings.score_max_attempts
    for c in bad:
        give_up = c.attempts >= max_attempts
        state = "scored" if c.had_analysis else ("failed" if give_up else "pending")
        session.execute(
            update(Answer)
            .where(Answer.id == c.answer_id)
            .values(text_state=state, claimed_by=None, claimed_until=None, last_error=str(results[c.answer_id]))
        )
        if give_up or c.had_analysis:
            outcome.failed += 1
            outcome.worker_failed += c.anonymous
        elif not c.anonymous:
            outcome.retried += 1
    for survey_id, day in sorted(dirty):
        mark_trend_dirty(session, survey_id, day)
    session.flush()
    return outcome


def _fill(row: AnalysisRow, r: TextAnalysis, now: datetime) -> None:
    overall = r.sentiment.overall
    row.redacted_text = r.redacted.text
    row.redacted_kinds = list(r.redacted.kinds)
    row.no_text = r.no_text
    row.sentiment_label = overall.label
    row.sentiment_score = float(overall.score)
    row.sentiment_confidence = float(overall.confidence)
    row.mixed = r.sentiment.mixed
    row.sentences = [
        {
            "text": s.text,
            "start": s.start,
            "end": s.end,
            "label": s.sentiment.label,
            "score": round(float(s.sentiment.score), 4),
        }
        for s in r.sentiment.sentences
    ]
    row.urgent = r.urgency.urgent
    row.urgency_score = float(r.urgency.score)
    row.urgency_reason = r.urgency.reason[:300] if r.urgency.reason else None
    row.model_name = r.model_name[:200]
    row.model_version = r.model_version[:80]
    row.analyzed_at = now
    row.language = r.language or None
    row.not_analysed = r.not_analysed[:60] if r.not_analysed else None


def _tags(analysis_id: int, r: TextAnalysis) -> Iterable[dict[str, Any]]:
    """The model's topic tags of one analysis, as topic_tags rows (one per topic)."""
    if r.topics is None:
        return []
    seen: set[str] = set()
    tags = []
    for t in r.topics.tags:
        if t.topic in seen:
            continue
        seen.add(t.topic)
        tags.append(
            {
                "analysis_id": analysis_id,
                "topic": t.topic[:120],
                "score": float(t.score),
                "is_top": t.topic == r.topics.top_topic,
                "sentiment_label": t.sentiment.label if t.sentiment else None,
                "sentiment_score": float(t.sentiment.score) if t.sentiment else None,
                "sentence_indexes": list(t.sentence_indexes),
                "source": "taxonomy",
            }
        )
    return tags


def score_pending(
    ctx: JobContext,
    *,
    limit: int | None = None,
    backfill: bool = False,
    deadline: float | None = None,
    progress: Progress | None = None,
    on_batch: Callable[[list[Claimed]], None] | None = None,
) -> RunStats:
    """Score new answers in batches until the queue is empty (then stale-model ones when `backfill`).

    New answers always come first: before each re-score batch the queue is checked again, so a
    backfill never delays fresh (possibly urgent) reports by more than one batch.

    The model runs in a helper thread while this thread writes the previous batch and claims the next
    one, so database time hides behind the forward pass (torch releases the GIL). All database work
    stays on this thread, in the same order as without the overlap: claim, write, claim, write; each
    write is still its own transaction, so a crash loses at most the batches in hand, whose claims
    expire. A stop request is honoured between batches: nothing more is claimed, what was analysed is
    written.
    """
    with recorded_run(ctx, "score") as stats, ThreadPoolExecutor(1, thread_name_prefix="heedful-analyze") as pool:
        analyzer = ctx.analyzer()
        stats.model_name, stats.model_version = analyzer.name, analyzer.version
        model = (analyzer.name[:200], analyzer.version[:80])

        def release() -> int:
            with ctx.sessions() as s, s.begin():
                return release_dead_local_claims(s)

        released = with_retry(release, "score: release dead claims")
        if released:
            stats.detail["released_dead_claims"] = released
        taxonomies: dict[int, NlpTaxonomy] = {}
        size = max(1, ctx.settings.score_batch_size)
        stats.detail["backfilled"] = 0

        def next_batch() -> tuple[list[Claimed], bool]:
            if ctx.stop.is_set() or (limit is not None and stats.claimed >= limit):
                return [], False
            if deadline is not None and time.monotonic() >= deadline:
                return [], False
            n = size if limit is None else min(size, limit - stats.claimed)

            def claim() -> tuple[list[Claimed], bool]:
                with ctx.sessions() as s, s.begin():
                    got = claim_batch(s, ctx, n)
                    if got or not backfill:
                        return got, False
                    return claim_batch(s, ctx, n, backfill_model=model), True

            items, is_backfill = with_retry(claim, "score: claim")
            stats.claimed += len(items)
            stats.worker_claimed += sum(c.anonymous for c in items)
            for c in items:
                if c.survey_id not in taxonomies:
                    taxonomies[c.survey_id], error = resolve_taxonomy(c.taxonomy_yaml, c.audience, c.survey_id)
                    # A worker survey's broken taxonomy is logged only: on the run it would say that a
                    # report of that survey was scored in this minute.
                    if error and not c.anonymous:
                        stats.detail.setdefault("taxonomy_errors", {})[str(c.survey_id)] = error
            return items, is_backfill

        def store(items: list[Claimed], results: dict[int, TextAnalysis | str], is_backfill: bool) -> None:
            def write() -> BatchOutcome:
                with ctx.sessions() as s, s.begin():
                    return write_results(s, ctx, items, results)

            outcome = with_retry(write, "score: write")
            stats.processed += outcome.scored
            stats.failed += outcome.failed
            stats.worker_processed += outcome.worker_scored
            stats.worker_failed += outcome.worker_failed
            if is_backfill:
                stats.detail["backfilled"] += outcome.scored - outcome.worker_scored
            if outcome.retried:
                stats.detail["retried"] = stats.detail.get("retried", 0) + outcome.retried
            if outcome.lost:
                stats.detail["lost_claims"] = stats.detail.get("lost_claims", 0) + outcome.lost
            if progress:
                progress(stats.processed + stats.failed, stats.failed)
            if on_batch:
                on_batch(items)

        done: tuple[list[Claimed], dict[int, TextAnalysis | str], bool] | None = None
        items, is_backfill = next_batch()
        while items:
            analysis = pool.submit(analyze_items, analyzer, items, dict(taxonomies))
            if done is not None:
                store(*done)  # the previous batch, while the model works on this one
            following = next_batch()
            done = (items, analysis.result(), is_backfill)
            if not following[0]:
                # The queue looked empty, but writing this batch may put failed answers back in it.
                store(*done)
                done = None
                following = next_batch()
            items, is_backfill = following
        if done is not None:
            store(*done)
    return stats
