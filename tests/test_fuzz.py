"""Fuzzing in the normal suite, on a modest budget: mutated briefs and templates through the real
command line never break the error contract (issue 13). The long run: python bench/fuzz_briefs.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("fuzz_briefs", ROOT / "bench" / "fuzz_briefs.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_briefs"] = fuzz  # dataclasses look their module up
_spec.loader.exec_module(fuzz)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_mutated_briefs_and_templates_keep_the_error_contract(seed, tmp_path, monkeypatch):
    monkeypatch.setattr("mapgen.sandbox.BUDGET_SECONDS", 2.0)  # hostile templates hit it: keep the suite fast
    outcome = fuzz.run_case(fuzz.make_case(seed, template_every=3), tmp_path, "md,json", slow=30.0)
    assert not outcome.problems, (seed, outcome.problems, outcome.err[-2000:])


@pytest.mark.slow
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_hostile_text_in_a_valid_brief_builds_every_format(seed, tmp_path):
    outcome = fuzz.run_case(fuzz.make_text_case(seed), tmp_path, "md,json,pptx,docx,xlsx", slow=60.0)
    assert outcome.code == 0 and not outcome.problems, (seed, outcome.problems, outcome.err[-2000:])


def test_the_fuzzer_finds_what_it_should():
    """The oracle itself: an unlocated error, an internal error and non-strict JSON are each caught."""
    brief = ROOT / "b.yaml"
    assert fuzz.judge(1, f"{brief}: error: not UTF-8 text", brief, None, ROOT / "none", 0.1, 30)
    assert fuzz.judge(1, "mapgen: error: internal error: KeyError", brief, None, ROOT / "none", 0.1, 30)
    assert not fuzz.judge(1, f"{brief}:3: error: deal.amount: bad", brief, None, ROOT / "none", 0.1, 30)
    assert fuzz.judge(0, "", brief, None, ROOT / "none", 31, 30)
