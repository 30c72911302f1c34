"""Personal data under control: retention purge, a data subject's export and erasure, and scrubbing the
SQLite file afterwards. Plain functions over a session; the caller (job, CLI, admin view) owns the
transaction and writes the audit entry's actor."""

from models.privacy.retention import PurgeCounts, months_before, purge_survey
from models.privacy.scrub import scrub_deleted_pages, secure_delete
from models.privacy.subject import (
    WORKER_NOTE,
    ErasureCounts,
    SubjectNotFound,
    erase_subject,
    export_subject,
    normalise_email,
)

__all__ = [
    "WORKER_NOTE",
    "ErasureCounts",
    "PurgeCounts",
    "SubjectNotFound",
    "erase_subject",
    "export_subject",
    "months_before",
    "normalise_email",
    "purge_survey",
    "scrub_deleted_pages",
    "secure_delete",
]
