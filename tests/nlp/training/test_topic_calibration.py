"""Writing the topic calibrations of the shipped encoders."""

from __future__ import annotations

import json
from pathlib import Path

from nlp.inference.topic_calibration import fit_taxonomies, load_calibrations
from nlp.inference.topics import DEFAULT_CALIBRATION, fit_calibration
from nlp.training.topic_calibration import save_calibrations
from tests.nlp.inference.test_topic_calibration import Versioned


def test_save_keeps_exactly_the_given_encoders(tmp_path: Path) -> None:
    path = tmp_path / "cal.json"
    path.write_text(json.dumps({"encoders": {"stale": vars(DEFAULT_CALIBRATION)}}))
    fits = save_calibrations([Versioned("a"), Versioned("b-int8")], path=path)
    assert set(fits) == {"a", "b"} and set(load_calibrations(path)) == {"a", "b"}
    assert load_calibrations(path)["a"] == fit_calibration(Versioned("a"), fit_taxonomies())
