"""Each encoder gets the topic calibration fitted for it (nlp.inference.topic_calibration)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.inference.topic_calibration import CALIBRATIONS, calibration_for, fit_taxonomies, load_calibrations
from nlp.inference.topics import DEFAULT_CALIBRATION, Calibration, fit_calibration
from tests.nlp.inference.test_topics import HashingEncoder


class Versioned(HashingEncoder):
    def __init__(self, version: str) -> None:
        self.version = version


def test_an_encoder_without_a_version_gets_the_default() -> None:
    assert calibration_for(HashingEncoder(), path=Path("/nonexistent.json")) is DEFAULT_CALIBRATION


def test_a_shipped_fit_is_used_and_int8_shares_it(tmp_path: Path) -> None:
    path = tmp_path / "cal.json"
    mine = Calibration(bias=-1.0, w_sim=2.0, w_margin=3.0, keyword_precision=0.5)
    path.write_text(json.dumps({"encoders": {"enc1": vars(mine)}}))
    assert calibration_for(Versioned("enc1"), path=path) == mine
    assert calibration_for(Versioned("enc1-int8"), path=path) == mine


def test_an_unfitted_encoder_is_fitted_when_loaded(tmp_path: Path) -> None:
    enc = Versioned("someone-elses-model")
    got = calibration_for(enc, path=tmp_path / "missing.json")
    assert got == fit_calibration(enc, fit_taxonomies()) and got != DEFAULT_CALIBRATION


@pytest.mark.slow
def test_shipped_calibrations_match_the_shipped_encoders() -> None:
    """New adapters without a refit would leave topics on the old encoder's calibration."""
    from nlp.training.urgency import shipped_encoders

    shipped = load_calibrations(CALIBRATIONS)
    encoders = shipped_encoders()
    assert {str(e.version) for e in encoders} == set(shipped)  # type: ignore[attr-defined]
    for encoder in encoders:
        refit = fit_calibration(encoder, fit_taxonomies())
        got = shipped[str(encoder.version)]  # type: ignore[attr-defined]
        assert refit.w_sim == pytest.approx(got.w_sim, rel=0.05)
        assert refit.w_margin == pytest.approx(got.w_margin, rel=0.05)
        assert refit.bias == pytest.approx(got.bias, rel=0.05)
    assert shipped[str(encoders[0].version)] == DEFAULT_CALIBRATION  # type: ignore[attr-defined]
