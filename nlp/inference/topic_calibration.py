"""Which topic calibration goes with which encoder.

`nlp.inference.topics.Calibration` turns cosine similarities into probabilities, and cosines depend on the
encoder: the LoRA-merged sentiment encoder, which the analyzer shares with topics, spreads topics
differently from plain MiniLM (a fitted w_sim of about 3 against 6.6). A threshold of 0.5 only means
"more likely than not" with the calibration fitted for the encoder in use, so:

* every shipped encoder has its fit in `weights/topic_calibration.json`, keyed by encoder version and
  rewritten by `heedful nlp train` (new adapters, new fit: `nlp.training.topic_calibration`);
* an encoder no one fitted (another HEEDFUL_ENCODER) is fitted when it is loaded, on the shipped
  taxonomies' examples, which takes a second or two, and the fit is logged;
* an encoder without a version (test stubs) gets DEFAULT_CALIBRATION, the plain MiniLM fit.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from nlp.inference.topics import DEFAULT_CALIBRATION, Calibration, TextEncoder, fit_calibration
from nlp.taxonomy import Taxonomy, default_taxonomy

CALIBRATIONS = Path(__file__).resolve().parent.parent / "weights" / "topic_calibration.json"

log = logging.getLogger(__name__)


def encoder_key(encoder: object) -> str:
    # int8 is the same weights quantised at load: the fp32 fit applies.
    return str(getattr(encoder, "version", "") or "").removesuffix("-int8")


def fit_taxonomies() -> list[Taxonomy]:
    """The team-written taxonomies whose examples every calibration is fitted on."""
    return [default_taxonomy("customer"), default_taxonomy("worker")]


def load_calibrations(path: Path = CALIBRATIONS) -> dict[str, Calibration]:
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {key: Calibration(**values) for key, values in raw.get("encoders", {}).items()}


def calibration_for(encoder: TextEncoder, path: Path = CALIBRATIONS) -> Calibration:
    """The calibration fitted for `encoder` (see the module docstring)."""
    key = encoder_key(encoder)
    if not key:
        return DEFAULT_CALIBRATION
    shipped = load_calibrations(path).get(key)
    if shipped is not None:
        return shipped
    fitted = fit_calibration(encoder, fit_taxonomies())
    log.info("no topic calibration shipped for encoder %s: fitted one now (%s)", key, fitted)
    return fitted
