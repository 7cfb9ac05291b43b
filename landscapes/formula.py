"""Surfaces typed as formulas, e.g. ``"x**2 + 3*sin(y)"``: parsed, never evaluated as Python.

The text goes through :func:`ast.parse` only after cheap checks on its length and bracket depth;
the syntax tree is then walked and every node must be one of a short allow-list. The walk builds the
function out of ``autograd.numpy`` closures, so a formula gets exact gradients and Hessians like a
built-in surface. What is allowed:

- the variables ``x`` and ``y``, the constants ``pi`` and ``e``, and plain numbers (``2``, ``0.5``,
  ``1e-3``);
- ``+ - * / **``, unary minus (and plus), parentheses;
- the functions ``abs sqrt exp log sin cos tan arctan sinh cosh tanh`` (one argument) and
  ``minimum maximum hypot`` (two arguments), called with positional arguments.

Everything else (other names, attributes, subscripts, strings, lambdas, comprehensions, keyword
arguments, comparisons, ``^``, ...) is an :class:`InvalidValueError` that quotes the offending
part; unknown names and syntax errors are its subclass :class:`FormulaWordError` (the text may be
a misspelt surface name). A pure parser: it knows nothing of surfaces
(``custom.surface_from_formula`` builds one). Resource bounds, so that no formula can hang the
machine or exhaust its memory: ``MAX_LENGTH`` characters, ``MAX_DEPTH`` levels of nesting,
constant exponents within ``±MAX_EXPONENT``. Numbers are floats throughout, so ``9**9`` is never
an exact big integer.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable

import autograd.numpy as anp
import numpy as np

from .errors import FormulaWordError, InvalidValueError

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 40  # nested operations, calls and parentheses
MAX_EXPONENT = 100.0  # |p| for a constant exponent p in a ** p

CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")
UNARY = {
    name: getattr(anp, name)
    for name in ("abs", "sqrt", "exp", "log", "sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh")
}
BINARY = {name: getattr(anp, name) for name in ("minimum", "maximum", "hypot")}

_HELP = "a formula may use x, y, numbers, + - * / **, parentheses, pi, e and " + ", ".join(
    [*UNARY, *BINARY]
)
_OPERATORS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}
_HINTS = {
    ast.BitXor: "'^' is not a power here; write ** (x**2)",
    ast.MatMult: "'@' is not allowed",
    ast.FloorDiv: "'//' is not allowed; write /",
    ast.Mod: "'%' is not allowed",
    ast.BitAnd: "'&' is not allowed",
    ast.BitOr: "'|' is not allowed",
    ast.LShift: "'<<' is not allowed",
    ast.RShift: "'>>' is not allowed",
    ast.Invert: "'~' is not allowed",
    ast.Not: "'not' is not allowed",
}
_KINDS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript",
    ast.Slice: "a slice",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "a conditional expression",
    ast.NamedExpr: "an assignment",
    ast.Starred: "a starred argument",
    ast.Tuple: "a tuple",
    ast.List: "a list",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "a string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}

Node = Callable[[object, object], object]  # (x, y) -> value: a compiled piece of the formula


def _short(text: str, limit: int = 60) -> str:
    """Long formulas are quoted by their start, so an error stays one readable line."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Piece:
    """A compiled sub-expression: its function of (x, y) and, if it has no x or y, its value."""

    __slots__ = ("fn", "const")

    def __init__(self, fn: Node, const: float | None = None) -> None:
        self.fn = fn
        self.const = const


def _const(value: float) -> _Piece:
    v = np.float64(value)
    return _Piece(lambda x, y: v, float(v))


class _Compiler:
    def __init__(self, text: str) -> None:
        self.text = text

    # --- errors -------------------------------------------------------------------------------

    def part(self, node: ast.AST) -> str:
        return _short(ast.get_source_segment(self.text, node) or type(node).__name__)

    def fail(
        self, node: ast.AST | None, why: str, kind: type[InvalidValueError] = InvalidValueError
    ) -> InvalidValueError:
        shown = _short(self.text)
        where = f" at column {node.col_offset + 1}" if hasattr(node, "col_offset") else ""
        return kind(f"formula {shown!r}{where}: {why}")

    # --- the walk ------------------------------------------------------------------------------

    def compile(self, node: ast.AST, depth: int) -> _Piece:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        kind = _KINDS.get(type(node), f"a {type(node).__name__} expression")
        raise self.fail(node, f"{kind} ({self.part(node)!r}) is not allowed; {_HELP}")

    def constant(self, node: ast.Constant) -> _Piece:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            what = "a string" if isinstance(value, (str, bytes)) else f"a {type(value).__name__}"
            raise self.fail(node, f"{what} ({self.part(node)!r}) is not allowed; {_HELP}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.fail(node, f"the number {self.part(node)!r} is too large")
        return _const(number)

    def name(self, node: ast.Name) -> _Piece:
        if node.id == "x":
            return _Piece(lambda x, y: x)
        if node.id == "y":
            return _Piece(lambda x, y: y)
        if node.id in CONSTANTS:
            return _const(CONSTANTS[node.id])
        if node.id in UNARY or node.id in BINARY:
            raise self.fail(node, f"{node.id!r} is a function; call it, e.g. {node.id}(x)")
        raise self.fail(node, f"unknown name {node.id!r}; {_HELP}", FormulaWordError)

    def unary(self, node: ast.UnaryOp, depth: int) -> _Piece:
        if isinstance(node.op, ast.USub):
            inner = self.compile(node.operand, depth + 1)
            return self.fold(node, lambda x, y, f=inner.fn: -f(x, y), inner)
        if isinstance(node.op, ast.UAdd):
            return self.compile(node.operand, depth + 1)
        raise self.fail(node, _HINTS.get(type(node.op), "this operator is not allowed"))

    def binop(self, node: ast.BinOp, depth: int) -> _Piece:
        op = type(node.op)
        if op not in _OPERATORS:
            raise self.fail(node, _HINTS.get(op, f"this operator is not allowed; {_HELP}"))
        if op is ast.Pow:
            return self.power(node, depth)
        # A left-leaning chain a + b - c + ... (or a * b / c ...) is flattened and evaluated in a
        # loop, so a long sum is not a deep recursion.
        group = (ast.Add, ast.Sub) if op in (ast.Add, ast.Sub) else (ast.Mult, ast.Div)
        terms: list[tuple[type, ast.AST]] = []
        head: ast.AST = node
        while isinstance(head, ast.BinOp) and isinstance(head.op, group):
            terms.append((type(head.op), head.right))
            head = head.left
        terms.reverse()
        first = self.compile(head, depth + 1)
        rest = [(o, self.compile(t, depth + 1)) for o, t in terms]
        fns = [(o, p.fn) for o, p in rest]
        f0 = first.fn

        def chain(x, y):
            acc = f0(x, y)
            for o, f in fns:
                v = f(x, y)
                if o is ast.Add:
                    acc = acc + v
                elif o is ast.Sub:
                    acc = acc - v
                elif o is ast.Mult:
                    acc = acc * v
                else:
                    acc = acc / v
            return acc

        return self.fold(node, chain, first, *(p for _, p in rest))

    def power(self, node: ast.BinOp, depth: int) -> _Piece:
        exponent = self.compile(node.right, depth + 1)
        if exponent.const is not None and not abs(exponent.const) <= MAX_EXPONENT:
            raise self.fail(
                node,
                f"the exponent {self.part(node.right)!r} = {exponent.const:g} is too large; "
                f"constant exponents must lie within ±{MAX_EXPONENT:g}",
            )
        base = self.compile(node.left, depth + 1)
        fb, fe = base.fn, exponent.fn
        return self.fold(node, lambda x, y: fb(x, y) ** fe(x, y), base, exponent)

    def call(self, node: ast.Call, depth: int) -> _Piece:
        if not isinstance(node.func, ast.Name):
            raise self.fail(
                node, f"only the listed functions can be called, not {self.part(node.func)!r}"
            )
        fname = node.func.id
        if fname in UNARY:
            arity, fn = 1, UNARY[fname]
        elif fname in BINARY:
            arity, fn = 2, BINARY[fname]
        else:
            raise self.fail(node, f"unknown function {fname!r}; {_HELP}")
        if node.keywords:
            keyword = node.keywords[0]
            raise self.fail(keyword, f"keyword arguments ({self.part(keyword)!r}) are not allowed")
        if len(node.args) != arity:
            raise self.fail(node, f"{fname} takes {arity} argument{'s' * (arity > 1)}")
        args = [self.compile(a, depth + 1) for a in node.args]
        fns = [a.fn for a in args]
        return self.fold(node, lambda x, y: fn(*(f(x, y) for f in fns)), *args)

    def fold(self, node: ast.AST, fn: Node, *parts: _Piece) -> _Piece:
        """Evaluate a sub-expression made only of constants now; it must be a finite number."""
        if any(p.const is None for p in parts):
            return _Piece(fn)
        with np.errstate(all="ignore"):
            value = float(fn(0.0, 0.0))
        if not math.isfinite(value):
            raise self.fail(node, f"the constant part {self.part(node)!r} is not a finite number")
        return _const(value)


def compile_formula(text: str) -> tuple[Callable, str]:
    """``(f, text)``: f(x, y) built from the formula (autograd-compatible), and the tidied text."""
    if not isinstance(text, str):
        raise InvalidValueError(f"a formula must be a string, not {type(text).__name__}")
    text = text.strip()
    if not text:
        raise InvalidValueError("the formula is empty; " + _HELP)
    if len(text) > MAX_LENGTH:
        raise InvalidValueError(
            f"the formula is {len(text)} characters long; the limit is {MAX_LENGTH}"
        )
    odd = next((i for i, c in enumerate(text) if not (c.isascii() and c.isprintable())), None)
    if odd is not None:
        hint = " (write powers as x**2)" if text[odd] in "²³" else ""
        raise InvalidValueError(
            f"formula {_short(text)!r}: the character {text[odd]!r} at column {odd + 1} is not "
            f"allowed{hint}; {_HELP}"
        )
    depth = deepest = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise InvalidValueError(
            f"formula {_short(text)!r}: parentheses nested {deepest} deep; the limit is {MAX_DEPTH}"
        )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise FormulaWordError(f"formula {_short(text)!r}{where}: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise InvalidValueError(f"formula {_short(text)!r} is too complex to read") from None
    piece = _Compiler(text).compile(tree.body, 1)
    if piece.const is not None:
        raise InvalidValueError(f"formula {_short(text)!r} is a constant; use x and/or y")
    fn = piece.fn

    def f(x, y):
        return fn(x, y)

    f.__name__ = "formula"
    f.__doc__ = f"f(x, y) = {text}"
    return f, text
