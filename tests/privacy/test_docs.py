"""docs/privacy.md is the operator's record of processing: it must keep up with the schema and the jobs."""

from __future__ import annotations

import re
from pathlib import Path

import models
from jobs.registry import JOBS
from models.privacy import ErasureCounts, PurgeCounts

DOC = (Path(__file__).parents[2] / "docs" / "privacy.md").read_text(encoding="utf-8")

# Tables that hold nothing about a person: configuration, organisation, queues, objectives.
NOT_PERSONAL = {"departments", "sites", "site_links", "surveys", "questions", "taxonomies", "objectives",
                "scheduler_leases", "trend_dirty"}


def test_every_table_that_may_hold_personal_data_is_in_the_record() -> None:
    missing = [t for t in sorted(models.Base.metadata.tables)
               if t not in NOT_PERSONAL and not re.search(rf"`{t}[`.]", DOC)]
    assert missing == [], f"say in docs/privacy.md what these tables hold about people: {missing}"


def test_the_purge_time_in_the_record_is_the_scheduled_one() -> None:
    (spec,) = [j for j in JOBS if j.id == "privacy_purge"]
    assert f"{spec.trigger_args['hour']:02d}:{spec.trigger_args['minute']:02d} UTC" in DOC


def test_what_is_deleted_is_described() -> None:
    # Each kind of row a purge or erasure removes is named in the record (by its plain-language name).
    words = {"text_answers": "free-text answers", "other_texts": '"other" text', "analyses": "analyses",
             "topic_tags": "topic tags", "corrections": "corrections", "alert_texts": "urgent alerts",
             "segments": "upload columns copied onto each response", "invitations": "e-mail address",
             "case_notes": "resolution notes", "trend_rows": "upload-column value", "responses": "responses",
             "cutoff": "retention_months", "survey_id": "survey", "slug": "survey",
             "answers": "answers", "complaints": "complaint cases", "alerts": "alerts",
             "trend_days": "trend days", "responses_in_purged_days": "already purged"}
    fields = (set(PurgeCounts.__dataclass_fields__) | set(ErasureCounts.__dataclass_fields__)) - {"next_after"}
    assert fields <= set(words), f"describe in docs/privacy.md: {sorted(fields - set(words))}"
    assert [w for w in words.values() if w not in DOC] == []
