"""Optimizer specs: ``name[:key=value[,key=value]...]``, e.g. ``nesterov:lr=0.01,momentum=0.25``."""

from __future__ import annotations

from .errors import InvalidValueError
from .optimizers import OPTIMIZERS, Optimizer, check_hparam_names, make_optimizer

MAX_SPEC_LENGTH = 500


def parse_spec(text: str) -> Optimizer:
    """The optimizer a spec names, with its hyperparameters checked; raise on any malformation."""
    if not isinstance(text, str):
        raise InvalidValueError(f"an optimizer spec must be a string, not {type(text).__name__}")
    if len(text) > MAX_SPEC_LENGTH:
        raise InvalidValueError(
            f"optimizer spec is {len(text)} characters long; the limit is {MAX_SPEC_LENGTH}"
        )
    name, sep, rest = text.partition(":")
    if name.strip() == "optax":
        from .optax_bridge import optax_optimizer  # optax and jax load only for such a spec

        return optax_optimizer(text)
    if not name.strip():
        raise InvalidValueError(
            f"optimizer spec {text!r} has no optimizer name; write name[:key=value,...] "
            f"with name one of: {', '.join(OPTIMIZERS.names())}"
        )
    info = OPTIMIZERS[name]  # UnknownNameError with suggestions
    hparams: dict[str, str | float] = {}
    if sep:
        if not rest.strip():
            raise InvalidValueError(
                f"optimizer spec {text!r} ends with ':' but gives no key=value; "
                f"keys of {info.name}: {', '.join(info.defaults)}"
            )
        for item in rest.split(","):
            key, eq, value = item.partition("=")
            key, value = key.strip(), value.strip()
            if not eq or not key:
                raise InvalidValueError(
                    f"optimizer spec {text!r}: expected key=value, got {item!r}; "
                    f"keys of {info.name}: {', '.join(info.defaults)}"
                )
            if key in hparams:
                raise InvalidValueError(f"optimizer spec {text!r} sets {key} twice")
            if not value:
                raise InvalidValueError(f"optimizer spec {text!r}: {key}= has no value")
            hparams[key] = value
    try:
        check_hparam_names(info.name, hparams)
    except InvalidValueError as exc:
        raise InvalidValueError(f"optimizer spec {text!r}: {exc}") from None
    for key, value in hparams.items():
        try:
            hparams[key] = float(value)
        except ValueError:
            raise InvalidValueError(
                f"optimizer spec {text!r}: {key}={value!r} is not a number"
            ) from None
    try:
        return make_optimizer(info.name, **hparams)  # checks the names and the values
    except InvalidValueError as exc:
        raise InvalidValueError(f"optimizer spec {text!r}: {exc}") from None
