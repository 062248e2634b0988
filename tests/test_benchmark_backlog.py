"""The 5-minute run's verdict (benchmarks/pipeline.py: backlog_verdict) tells a backlog that
stays level from one that keeps growing."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from pipeline import backlog_verdict


def test_a_level_backlog_with_noise_is_bounded():
    samples = [(10.0 * i, 40 + (i % 3) * 20, i % 2) for i in range(1, 31)]
    assert backlog_verdict(samples).startswith("does not grow")


def test_a_backlog_that_keeps_growing_is_reported():
    samples = [(10.0 * i, 30 * i, 5 * i) for i in range(1, 31)]
    verdict = backlog_verdict(samples)
    assert verdict.startswith("GROWS")
    assert "+210.0 items/min" in verdict


def test_too_few_samples_say_so():
    assert backlog_verdict([(10.0, 5, 0), (20.0, 6, 0)]) == "too few samples to tell"
