"""Formula surfaces: hostile input is rejected cleanly, valid input matches hand-written numpy."""

from __future__ import annotations

import json

import numpy as np
import pytest

from animator.cli.main import main
from landscapes import (
    SURFACES,
    InvalidValueError,
    UnknownNameError,
    add_surface,
    compile_formula,
    make_optimizer,
    resolve_surface,
    run,
    surface_from_formula,
)
from landscapes.formula import MAX_DEPTH, MAX_LENGTH
from landscapes.levels import auto_levels, parse_levels

HOSTILE = {
    "import call": "__import__('os').system('echo pwned')",
    "bare import": "__import__",
    "eval": "eval('1+1')",
    "exec": "exec('x=1')",
    "open": "open('/etc/passwd')",
    "attribute on variable": "x.__class__",
    "dunder chain": "().__class__.__bases__[0].__subclasses__()",
    "attribute on number": "(1).real",
    "attribute on function": "sin.__globals__",
    "module attribute": "anp.sin(x)",
    "lambda": "(lambda: 0)()",
    "list comprehension": "[x for x in range(9)]",
    "generator": "sum(x for x in range(9))",
    "dict comprehension": "{x: 1 for x in y}",
    "string": "'x**2'",
    "bytes": "b'x'",
    "f-string": "f'{x}'",
    "keyword argument": "sin(x=1)",
    "keyword to binary": "minimum(x, y=2)",
    "subscript": "x[0]",
    "slice": "x[1:2]",
    "starred": "sin(*x)",
    "tower of powers": "9**9**9",
    "big constant power": "x**1000",
    "huge exponent via folding": "x**(10*10*10)",
    "huge integer literal": "1" * 400 + " * x",
    "overflowing float": "1e999 * x",
    "ten thousand parentheses": "(" * 10_000 + "x" + ")" * 10_000,
    "parentheses within length": "(" * 300 + "x" + ")" * 300,
    "deep unary minus": "-" * 900 + "x",
    "deep calls": "sin(" * 100 + "x" + ")" * 100,
    "power chain": "x" + "**x" * 300,
    "huge length": "x+" * 5000 + "x",
    "walrus": "(z := x)",
    "comparison": "x < y",
    "boolean": "x and y",
    "conditional": "x if y else 1",
    "xor caret": "x^2",
    "floor division": "x // 2",
    "modulo formatting": "'%s' % x",
    "matmul": "x @ y",
    "bitwise not": "~x",
    "tuple": "x, y",
    "set": "{x, y}",
    "unknown name": "z + x",
    "unknown function": "gamma(x)",
    "wrong arity": "hypot(x)",
    "function not called": "sin + x",
    "constant only": "2 + 3",
    "division by zero constant": "x + 1/0",
    "log of zero constant": "log(0) * x",
    "statement": "import os",
    "assignment": "x = 1",
    "two statements": "x; y",
    "empty": "   ",
    "null byte": "x\x00",
    "unicode power": "x² + y²",
    "syntax error": "x +* y",
    "not a string": 42,
}


def test_at_least_thirty_hostile_formulas():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_formula_is_rejected_cleanly(text):
    with pytest.raises(InvalidValueError) as info:
        compile_formula(text)
    message = str(info.value)
    assert "\n" not in message and len(message) < 400


@pytest.mark.parametrize(
    "text, part",
    [
        ("x + y.real", "attribute access ('y.real')"),
        ("sin(x, y)", "sin takes 1 argument"),
        ("x**2 + foo(y)", "unknown function 'foo'"),
        ("x + q", "unknown name 'q'"),
        ("sin(x=1)", "keyword arguments ('x=1')"),
        ("x**2 + y[0]", "a subscript ('y[0]')"),
        ("9**9**9", "exponent '9**9' = 3.8742e+08 is too large"),
        ("x^2", "write ** (x**2)"),
        ("x + 'a'", "a string (\"'a'\")"),
    ],
)
def test_error_names_the_offending_part(text, part):
    with pytest.raises(InvalidValueError) as info:
        compile_formula(text)
    assert part in str(info.value)


def test_limits_are_checked_before_parsing():
    with pytest.raises(InvalidValueError, match=f"the limit is {MAX_LENGTH}"):
        compile_formula("x" * (MAX_LENGTH + 1))
    with pytest.raises(InvalidValueError, match=f"the limit is {MAX_DEPTH}"):
        compile_formula("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))


def test_a_long_flat_sum_is_fine():
    f, _ = compile_formula("+".join(["x", "y"] * 200))  # 799 characters, depth 2
    assert float(f(np.float64(1.0), np.float64(2.0))) == 600.0


VALID = [
    ("x**2 + 3*sin(y)", lambda x, y: x**2 + 3 * np.sin(y)),
    ("(1 - x)**2 + 100*(y - x**2)**2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    ("-x*y + e**(-x**2) / 2", lambda x, y: -x * y + np.e ** (-(x**2)) / 2),
    (
        "sqrt(x**2 + y**2 + 1) - log(2 + cos(x))",
        lambda x, y: np.sqrt(x**2 + y**2 + 1) - np.log(2 + np.cos(x)),
    ),
    ("tanh(x) * sinh(y/3) + cosh(x/4)", lambda x, y: np.tanh(x) * np.sinh(y / 3) + np.cosh(x / 4)),
    ("arctan(x*y) + tan(y/4) - pi", lambda x, y: np.arctan(x * y) + np.tan(y / 4) - np.pi),
    ("abs(x - 0.5) + exp(-y**2)", lambda x, y: np.abs(x - 0.5) + np.exp(-(y**2))),
    (
        "minimum(x**2, y**2 + 1) + maximum(x, y)",
        lambda x, y: np.minimum(x**2, y**2 + 1) + np.maximum(x, y),
    ),
    ("hypot(x, y) + hypot(x - 1, 2)", lambda x, y: np.hypot(x, y) + np.hypot(x - 1, 2)),
    ("x / (1 + y**2) - -y", lambda x, y: x / (1 + y**2) + y),
    ("2**x + (x**2 + 1)**-1.5 + +y", lambda x, y: 2**x + (x**2 + 1) ** -1.5 + y),
    ("1e-3*x**4 - 2.5e0*y", lambda x, y: 1e-3 * x**4 - 2.5 * y),
]


def _numeric_grad(f, x, y, h=1e-6):
    return np.array([(f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h)])


@pytest.mark.parametrize("text, reference", VALID, ids=[t for t, _ in VALID])
def test_valid_formula_values_and_gradients_match_numpy(text, reference):
    surface = surface_from_formula(text)
    rng = np.random.default_rng(0)
    pts = rng.uniform(-2, 2, size=(7, 2))
    pts[:, 0] = np.where(np.abs(pts[:, 0] - 0.5) < 0.05, 0.7, pts[:, 0])  # away from kinks
    expected = reference(pts[:, 0], pts[:, 1])
    np.testing.assert_allclose(surface.value(pts), expected, rtol=1e-12, atol=1e-12)
    grads = surface.grad(pts)
    for p, g in zip(pts, grads, strict=True):
        np.testing.assert_allclose(g, _numeric_grad(reference, *p), rtol=1e-5, atol=1e-6)


def test_formula_hessian_matches_hand_derivation():
    # f = x²y + sin(y): H = [[2y, 2x], [2x, −sin y]]
    surface = surface_from_formula("x**2*y + sin(y)")
    H = surface.hessian(np.array([1.5, 0.3]))
    np.testing.assert_allclose(H, [[0.6, 3.0], [3.0, -np.sin(0.3)]], rtol=1e-12)


def test_formula_surface_defaults():
    surface = surface_from_formula("  x**2 + y**2  ")
    assert surface.name == surface.formula == "x**2 + y**2"
    assert surface.window == (-3.0, 3.0, -3.0, 3.0)
    assert surface.start == (-2.8, -2.5)  # the article's start, for the article's window
    assert surface.levels == tuple(float(v) for v in range(0, 20, 2))  # 0..18, round steps
    traj = run(surface, make_optimizer("sgd"), steps=50)
    assert np.linalg.norm(traj.xy[-1]) < 1e-4


def test_window_moves_start_and_levels():
    surface = surface_from_formula("x**2 + y**2", window=(0, 10, -1, 1), levels=5)
    assert surface.start == pytest.approx((0 + 10 / 30, -1 + 2 * 0.5 / 6))
    assert surface.levels == (0.0, 25.0, 50.0, 75.0, 100.0, 125.0)


def test_auto_levels_switch_to_one_two_five_when_the_range_is_huge():
    levels = surface_from_formula("(1-x)**2 + 100*(y-x**2)**2").levels
    assert levels[:4] == (2.0, 5.0, 10.0, 20.0) and levels[-1] == 10000.0
    assert auto_levels(np.linspace(0, 10, 50), 5) == (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)
    with pytest.raises(InvalidValueError, match="flat"):
        auto_levels(np.ones(10))


@pytest.mark.parametrize(
    "text, expected",
    [("20", 20), ("0,0.5,1,2", (0.0, 0.5, 1.0, 2.0)), (" -1 , 3 ", (-1.0, 3.0))],
)
def test_parse_levels(text, expected):
    assert parse_levels(text) == expected


@pytest.mark.parametrize("text", ["1", "0", "5000", "9" * 5000, "a,b", "2,1", "1,nan", "x", ""])
def test_parse_levels_rejects(text):
    with pytest.raises(InvalidValueError):
        parse_levels(text)


def test_resolve_surface_names_formulas_and_typos():
    assert resolve_surface("hills-and-canyon") is SURFACES["hills_and_canyon"]
    assert resolve_surface("giant_plateu").name == "giant_plateau"
    assert resolve_surface("x - y").formula == "x - y"
    with pytest.raises(UnknownNameError, match="did you mean 'rosenbrock'"):
        resolve_surface("rosenbrok")
    with pytest.raises(UnknownNameError, match="did you mean 'hills_and_canyon'"):
        resolve_surface("hills-and-canon")
    zoomed = resolve_surface("rosenbrock", window=(0, 2, 0, 2), levels=(0.5, 1, 2))
    assert zoomed.window == (0.0, 2.0, 0.0, 2.0) and zoomed.levels == (0.5, 1.0, 2.0)
    assert SURFACES["rosenbrock"].window == (-2.0, 2.0, -1.0, 3.0)  # the registry is untouched


def test_add_surface_as_decorator_and_function():
    @add_surface(window=(-2, 2, -2, 2))
    def test_tilted_bowl(x, y):
        """A bowl tipped towards +x."""
        return x**2 + 2 * y**2 - x

    try:
        surface = SURFACES["test-tilted-bowl"]
        assert surface.description == "A bowl tipped towards +x."
        assert surface.grad(np.array([0.5, 0.0])) == pytest.approx([0.0, 0.0])
        made = add_surface("x**4 + y**2", name="test_quartic", start=(1, 1))
        assert made.start == (1.0, 1.0) and SURFACES["test_quartic"] is made
        with pytest.raises(InvalidValueError, match="already registered"):
            add_surface(lambda x, y: x, name="test_quartic")
        with pytest.raises(InvalidValueError, match="name"):
            add_surface(lambda x, y: x + y)
        with pytest.raises(InvalidValueError, match="autograd"):
            add_surface(lambda x, y: np.float64(float(np.sum(x))) + y, name="test_not_ad")
    finally:
        for name in ("test_tilted_bowl", "test_quartic"):
            SURFACES._items.pop(name, None)


def test_add_surface_rejects_a_function_that_fails_on_arrays():
    with pytest.raises(InvalidValueError, match="failed"):
        add_surface(lambda x, y: float(x) + y, name="test_scalar_only")
    assert "test_scalar_only" not in SURFACES


# --- the command line -------------------------------------------------------------------------


def test_cli_renders_a_formula_with_window_and_levels(tmp_path, capsys):
    out = tmp_path / "f.json"
    argv = ["render", "x**2 + 3*sin(y)", "-O", "adam", "--steps", "3", "-o", str(out)]
    assert main([*argv, "--window", "-2", "2", "-1", "3", "--levels", "0,1,2,4"]) == 0
    doc = json.loads(out.read_text())
    assert doc["surface"]["formula"] == "x**2 + 3*sin(y)"
    assert doc["surface"]["window"] == [-2.0, 2.0, -1.0, 3.0]
    assert len(doc["runs"][0]["xy"]) == 4


@pytest.mark.parametrize(
    "surface, extra, message",
    [
        ("__import__('os')", [], "unknown function '__import__'"),
        ("x.__class__", [], "attribute access"),
        ("rosenbrok", [], "did you mean 'rosenbrock'"),
        ("rosenbrock", ["--levels", "2,1"], "strictly increasing"),
        ("rosenbrock", ["--levels", "1"], "from 2 to"),
        ("rosenbrock", ["--window", "1", "0", "0", "1"], "x0 < x1"),
    ],
)
def test_cli_rejects_with_exit_2(tmp_path, capsys, surface, extra, message):
    code = main(["render", surface, "-O", "sgd", "-o", str(tmp_path / "x.json"), *extra])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "x.json").exists()


def test_noise_and_seed_are_recorded_and_reproducible(tmp_path):
    def render(name, *extra):
        path = tmp_path / name
        argv = ["render", "simple_quad", "-O", "sgd", "-O", "adam", "--steps", "5", *extra]
        assert main([*argv, "-o", str(path)]) == 0
        return json.loads(path.read_text())

    a = render("a.json", "--noise", "0.5", "--seed", "3")
    b = render("b.json", "--noise", "0.5", "--seed", "3")
    c = render("c.json", "--noise", "0.5", "--seed", "4")
    quiet = render("d.json")
    assert a == b
    assert (a["noise"], a["seed"]) == (0.5, 3)
    assert all((r["noise"], r["seed"]) == (0.5, 3) for r in a["runs"])
    assert a["runs"][0]["xy"] != c["runs"][0]["xy"]
    assert a["runs"][0]["xy"] != quiet["runs"][0]["xy"]
    # sgd from (-2.8, -2.5) with lr 0.1 and no noise: p1 = 0.8·p0 exactly
    assert quiet["runs"][0]["xy"][1] == pytest.approx([-2.24, -2.0])


def test_a_formula_with_no_finite_value_in_view_is_rejected():
    with pytest.raises(InvalidValueError, match="no finite value"):
        surface_from_formula("log(-1 - x**2) + y")


def test_flat_formula_with_a_dash_is_not_an_unknown_name():
    from landscapes import resolve_surface

    with pytest.raises(InvalidValueError, match="flat"):
        resolve_surface("x-x")
    with pytest.raises(UnknownNameError, match="did you mean 'hills_and_canyon'"):
        resolve_surface("hils-and-canyon")


def test_formula_errors_are_typed_not_told_apart_by_their_words():
    from landscapes import FormulaWordError, compile_formula

    for text in ("foo + x", "x +* y", "hills-and-canyon"):
        with pytest.raises(FormulaWordError):
            compile_formula(text)
    for text in ("x ^ 2", "sin(x, y)", "9**999 + x"):
        with pytest.raises(InvalidValueError) as info:
            compile_formula(text)
        assert not isinstance(info.value, FormulaWordError), text
