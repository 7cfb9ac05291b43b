"""Marks the numerical test files ``numeric``: CI runs them a second time with numpy's SIMD loops
turned off (``NPY_DISABLE_CPU_FEATURES``, see .ci/run), so that a second kind of CPU rounding is
exercised on every submission: ``pytest -m numeric``."""

from pathlib import Path

import pytest

#: Files whose tests compute trajectories, gradients, responses or their exports.
NUMERIC_FILES = {
    "test_runs.py",
    "test_batch.py",
    "test_optimizers.py",
    "test_modern.py",
    "test_classic.py",
    "test_surfaces.py",
    "test_formula.py",
    "test_responses.py",
    "test_cli_engine.py",
    "test_lockstep.py",
    "test_sensitivity.py",
    "test_optax.py",
    "test_networks.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).name in NUMERIC_FILES:
            item.add_marker(pytest.mark.numeric)
