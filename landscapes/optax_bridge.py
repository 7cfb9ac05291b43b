"""Any optax optimizer through the same run loop: ``optax:NAME[:key=value,...]``.

``NAME`` is the optax function's name (``adabelief``, ``lion``, ``contrib.prodigy``, ...) and the
keyword arguments are spelled as optax spells them (``learning_rate``, ``b1``, ``eps_root``).
Values are Python literals: numbers, ``true``/``false``, ``none`` and tuples such as
``betas=(0.9,0.99)``. optax and jax are an optional extra (``pip install
'landscape-animator[optax]'``), imported only when such a spec is used. jax computes in float32
unless told otherwise; the updates here run with 64-bit floats switched on for those calls only
(``jax.enable_x64``), so optax's numbers match ours to rounding. A batch of starts is vmapped:
each start is an independent run, as with our own optimizers.
"""

from __future__ import annotations

import ast
import difflib
from typing import Any

import numpy as np

from .errors import InvalidValueError

INSTALL = "pip install 'landscape-animator[optax]'"
PREFIX = "optax"


def _libraries():
    try:
        import jax
        import optax
    except ImportError as exc:
        raise InvalidValueError(
            f"optax specs need optax and jax ({exc.name} is not installed): {INSTALL}"
        ) from None
    return jax, optax


def _x64(jax):
    """A context in which jax computes in float64 (its config is restored afterwards)."""
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64  # jax < 0.6

    return enable_x64()


def split_items(text: str) -> list[str]:
    """``a=1,b=(2,3)`` -> ``["a=1", "b=(2,3)"]``: commas inside brackets do not split."""
    items, depth, current = [], 0, ""
    for c in text:
        depth += c in "(["
        depth -= c in ")]"
        if c == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += c
    items.append(current)
    return items


def parse_value(spec: str, key: str, text: str) -> Any:
    """A keyword argument's value: a number, a bool, None or a tuple of those."""
    words = {"true": "True", "false": "False", "none": "None"}
    try:
        value = ast.literal_eval(words.get(text.lower(), text))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = None
        ok = False
    else:
        ok = _plain(value)
    if not ok:
        raise InvalidValueError(
            f"optimizer spec {spec!r}: {key}={text!r} is not a number, true/false, none or a "
            "tuple such as (0.9,0.99)"
        )
    return value


def _plain(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float))


def _public(module, name: str) -> bool:
    return not name.startswith("_") and callable(getattr(module, name, None))


def _resolve(optax, spec: str, name: str):
    target: Any = optax
    for part in name.split("."):
        target = getattr(target, part, None) if part and not part.startswith("_") else None
    if not callable(target):
        names = [n for n in dir(optax) if _public(optax, n)]
        names += [f"contrib.{n}" for n in dir(optax.contrib) if _public(optax.contrib, n)]
        near = difflib.get_close_matches(name, names, n=4)
        hint = f"; did you mean: {', '.join(near)}?" if near else ""
        raise InvalidValueError(
            f"optimizer spec {spec!r}: optax has no optimizer {name!r}{hint} "
            "(write optax:NAME[:key=value,...] with an optax function name, e.g. "
            "optax:adabelief:learning_rate=0.25)"
        )
    return target


def optax_optimizer(spec: str):
    """The :class:`~landscapes.optimizers.Optimizer` an ``optax:NAME[:k=v,...]`` spec names."""
    from .optimizers import Optimizer

    _, _, rest = spec.partition(":")
    name, sep, args = rest.partition(":")
    name = name.strip()
    if not name:
        raise InvalidValueError(
            f"optimizer spec {spec!r} names no optax optimizer; write optax:NAME[:key=value,...]"
        )
    kwargs: dict[str, Any] = {}
    if sep:
        for item in split_items(args):
            key, eq, value = (s.strip() for s in item.partition("="))
            if not eq or not key.isidentifier() or not value:
                raise InvalidValueError(
                    f"optimizer spec {spec!r}: expected key=value, got {item!r}"
                )
            if key in kwargs:
                raise InvalidValueError(f"optimizer spec {spec!r} sets {key} twice")
            kwargs[key] = parse_value(spec, key, value)
    jax, optax = _libraries()
    factory = _resolve(optax, spec, name)
    with _x64(jax):
        try:
            tx = factory(**kwargs)
        except TypeError as exc:
            raise InvalidValueError(f"optimizer spec {spec!r}: optax.{name}: {exc}") from None
    if not (hasattr(tx, "init") and hasattr(tx, "update")):
        raise InvalidValueError(
            f"optimizer spec {spec!r}: optax.{name} is not an optimizer (it returned "
            f"{type(tx).__name__}, not a GradientTransformation)"
        )
    init, update = _functions(jax, tx)
    hparams = {
        k: float(v)
        for k, v in kwargs.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }
    return Optimizer(f"{PREFIX}:{name}", hparams, init, update)


def _functions(jax, tx):
    """``init``/``update`` in our protocol around an optax GradientTransformation."""
    import jax.numpy as jnp

    # compiled once per optimizer: optax op by op costs ~70 ms a step, compiled ~0.1 ms
    single, batch = jax.jit(tx.update), jax.jit(jax.vmap(tx.update))

    # Points of any batch shape (N, 2), (M, N, 2), ... (a run's rounding ensemble adds an axis)
    # are independent runs: their rows are vmapped; a single point (2,) is one run.
    def init(xy):
        xy = np.asarray(xy, dtype=float)
        with _x64(jax):
            p = jnp.asarray(xy.reshape(-1, 2))
            return jax.vmap(tx.init)(p) if xy.ndim >= 2 else tx.init(p[0])

    def update(xy, state, oracle):
        g = np.asarray(oracle.grad(xy), dtype=float)
        with _x64(jax):
            p, gj = jnp.asarray(xy.reshape(-1, 2)), jnp.asarray(g.reshape(-1, 2))
            if xy.ndim >= 2:
                updates, state = batch(gj, state, p)
            else:
                updates, state = single(gj[0], state, p[0])
            return xy + np.asarray(updates, dtype=float).reshape(xy.shape), state

    return init, update
