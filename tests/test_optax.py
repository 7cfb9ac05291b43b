"""optax optimizers through our run loop (the optional extra, installed in CI)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from animator.cli.main import main
from landscapes import InvalidValueError, parse_spec, run

START = [[-2.8, -2.5], [1.0, 1.0]]


def test_optax_sgd_equals_ours():
    ours = run("hills_and_canyon", parse_spec("sgd:lr=0.1"), steps=125)
    theirs = run("hills_and_canyon", parse_spec("optax:sgd:learning_rate=0.1"), steps=125)
    np.testing.assert_allclose(theirs.xy, ours.xy, rtol=0, atol=1e-12)
    assert theirs.optimizer == "optax:sgd" and theirs.hparams == {"learning_rate": 0.1}


def test_optax_adabelief_equals_ours_to_1e_12():
    """With matched eps (optax's eps_root is the eps we add inside s), 125 steps from the
    article's start agree to 1e-12 (measured: 9e-16) — only possible in float64."""
    spec = "optax:adabelief:learning_rate=0.25,eps=1e-16,eps_root=1e-16"
    ours = run("hills_and_canyon", parse_spec("adabelief:lr=0.25,eps=1e-16"), steps=125)
    theirs = run("hills_and_canyon", parse_spec(spec), steps=125)
    assert np.abs(theirs.xy - ours.xy).max() <= 1e-12
    assert np.abs(ours.xy[-1] - ours.xy[0]).max() > 1  # the run went somewhere


def test_a_batch_is_vmapped_into_independent_runs():
    spec = parse_spec("optax:contrib.prodigy")  # global statistics: a batch must not mix them
    batch = run("hills_and_canyon", spec, START, 30)
    for i, start in enumerate(START):
        single = run("hills_and_canyon", parse_spec("optax:contrib.prodigy"), start, 30)
        np.testing.assert_allclose(batch.xy[:, i], single.xy, rtol=0, atol=1e-12)


def test_contrib_optimizers_and_tuple_values_render(tmp_path):
    out = tmp_path / "o.png"
    argv = ["render", "hills_and_canyon", "--steps", "20", "--size", "320x240", "--dpi", "40"]
    argv += ["-O", "optax:contrib.prodigy:betas=(0.9,0.99)"]
    argv += ["-O", "optax:contrib.ademamix:learning_rate=0.1"]
    argv += ["--show", "grad,step", "-o", str(out)]
    assert main(argv) == 0 and out.stat().st_size > 1000


@pytest.mark.parametrize(
    "spec, words",
    [
        ("optax:adabelif", "did you mean: adabelief"),
        ("optax:adabelief", "learning_rate"),
        ("optax:sgd:learning_rate=fast", "'fast' is not a number"),
        ("optax:sgd:learning_rate", "expected key=value"),
        ("optax:", "names no optax optimizer"),
    ],
)
def test_bad_optax_specs_are_one_clear_line(spec, words):
    with pytest.raises(InvalidValueError) as info:
        parse_spec(spec)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_without_optax_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "optax", None)  # import optax -> ImportError
    with pytest.raises(InvalidValueError, match=r"pip install 'landscape-animator\[optax\]'"):
        parse_spec("optax:sgd:learning_rate=0.1")


def test_jax_is_left_in_float32_for_everyone_else():
    import jax
    import jax.numpy as jnp

    run("simple_quad", parse_spec("optax:adam:learning_rate=0.1"), steps=2)
    assert jnp.asarray(1.0).dtype == jnp.float32
    assert not jax.config.jax_enable_x64
