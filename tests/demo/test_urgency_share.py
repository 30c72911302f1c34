"""The demo's urgent queue holds what the demo generator meant to be urgent, scored by the real pipeline."""

from __future__ import annotations

import random
from datetime import date

import pytest

from nlp.analyzer import Analyzer
from nlp.settings import NLPSettings
from survey_app.demo.generate import Timeline, split_counts, worker_plans
from survey_app.demo.seed import DEFAULT_RESPONSES, DEFAULT_SEED


@pytest.mark.slow
def test_share_of_worker_reports_flagged_urgent_is_what_the_generator_intends() -> None:
    _customers, workers = split_counts(DEFAULT_RESPONSES)
    plans = worker_plans(random.Random(DEFAULT_SEED), workers, Timeline(date(2026, 12, 1)))
    reports = list({(p.report.text, p.language): p.report for p in plans}.items())
    analyzer = Analyzer(NLPSettings()).load()
    results = analyzer.analyze([text for (text, _), _r in reports], audience="worker",
                               hints=[language for (_, language), _r in reports])
    flagged = {key: r.urgency.urgent for (key, _report), r in zip(reports, results, strict=True)}

    intended = sum(p.report.urgent for p in plans) / len(plans)
    share = sum(flagged[(p.report.text, p.language)] for p in plans) / len(plans)

    assert 0.0 < intended < 0.1  # urgent reports are rare, as on a real site
    assert abs(share - intended) <= 0.01, f"flagged {share:.3f} of worker reports, the generator intends {intended:.3f}"
    wrong = [(report.text, report.urgent) for (key, report) in reports if flagged[key] != report.urgent]
    assert len(wrong) <= 2, wrong
