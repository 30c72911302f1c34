"""Fit and write the topic calibration of every shipped encoder (`nlp/weights/topic_calibration.json`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from nlp.inference.topic_calibration import CALIBRATIONS, encoder_key, fit_taxonomies
from nlp.inference.topics import Calibration, TextEncoder, fit_calibration


def save_calibrations(encoders: Sequence[TextEncoder], path: Path = CALIBRATIONS) -> dict[str, Calibration]:
    """Fit each encoder and write them all (the file keeps only these, so stale fits go)."""
    fits = {encoder_key(e): fit_calibration(e, fit_taxonomies()) for e in encoders}
    payload = {
        "fitted_on": "leave-one-out over the examples of the shipped customer and worker taxonomies",
        "encoders": {key: vars(c) for key, c in sorted(fits.items())},
    }
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return fits
