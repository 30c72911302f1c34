"""The respond blueprint and the per-process state it keeps (rate limit buckets, cached questions)."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from survey_app.respond.definitions import DefinitionCache
from survey_app.respond.ratelimit import SubmissionLimiter

bp = Blueprint("respond", __name__)

LIMITER_KEY = "heedful.respond.limiter"
DEFINITIONS_KEY = "heedful.respond.definitions"


@bp.record_once
def _init_process_state(state: BlueprintSetupState) -> None:
    # Both live in this process's memory only: the rate limit buckets and the cached survey questions.
    # Defaults: a burst of 20 submissions per client and survey, then 10 a minute.
    cfg = state.app.config
    state.app.extensions[LIMITER_KEY] = SubmissionLimiter(
        burst=int(cfg.get("RESPOND_RATE_BURST", 20)), per_minute=float(cfg.get("RESPOND_RATE_PER_MINUTE", 10))
    )
    state.app.extensions[DEFINITIONS_KEY] = DefinitionCache()
