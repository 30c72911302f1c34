"""Entry points for the process-level tests: the real CLI commands with the stub analyzer injected.

    python -m tests.jobs.procs pipeline run --quiet     # `heedful pipeline run`, stub model
    python -m tests.jobs.procs scheduler                # `heedful scheduler`, jobs every second

Settings come from HEEDFUL_* like in production; STUB_DELAY slows the stub (seconds per text).
"""

from __future__ import annotations

import dataclasses
import os
import sys

from jobs.cli import pipeline_cli, scheduler_cmd
from jobs.context import JobContext
from models.settings import load_settings
from tests.jobs.stubs import StubAnalyzer


def _context() -> JobContext:
    delay = float(os.environ.pop("STUB_DELAY", "0"))
    settings = load_settings()
    return JobContext.from_settings(settings, analyzer_factory=lambda _s: StubAnalyzer(delay=delay))


def main() -> None:
    which, args = sys.argv[1], sys.argv[2:]
    if which == "pipeline":
        pipeline_cli.main(args, obj=_context, prog_name="heedful pipeline")
    elif which == "scheduler":
        import jobs.registry as registry
        import jobs.scheduler as scheduler

        fast = tuple(
            dataclasses.replace(j, trigger="interval", trigger_args={"seconds": 1})
            for j in registry.JOBS if j.id in ("score", "trends")
        )
        scheduler.HEARTBEAT_SECONDS = 1
        original = scheduler.run_scheduler
        scheduler.run_scheduler = lambda ctx: original(ctx, jobs=fast)  # type: ignore[assignment]
        scheduler_cmd.main(args, obj=_context, prog_name="heedful scheduler")
    else:
        raise SystemExit(f"unknown entry point {which!r}")


if __name__ == "__main__":
    main()
