"""An independent, scalar, plain-Python implementation of the update rules (Lasagne semantics).

Written from lasagne/updates.py and the article's formulas, one coordinate at a time with floats,
sharing no code with landscapes.optimizers; the gradient is passed in as a function.

Its rounding ensemble (``reference_ensemble``) measures, independently of ``landscapes``, from
which step a run stops being reproducible across CPUs: companions whose every gradient is off by
about one ulp (scaled by 1 ± 2⁻⁵², as when another CPU's exp/sin round differently) run beside
the run; the step at which one of them is farther than 1e-6 x the window's larger side is the
run's ``sensitive_from``.
"""

from __future__ import annotations

import math

import numpy as np

#: Gradient scales of the companions, one per coordinate: every sign pattern of 1 ± 2⁻⁵².
ULP_SCALES = tuple((1 + a * 2.0**-52, 1 + b * 2.0**-52) for a in (1, -1) for b in (1, -1))
#: A companion farther than this fraction of the window's larger side has left the run.
SPREAD_FRACTION = 1e-6


def _rule(name, hp, start, steps):
    """Generator of one run: yields each point whose gradient it needs and is sent the gradient.

    Returns the list of (x, y) points, steps + 1 long.
    """
    p = list(start)
    pts = [tuple(p)]
    s1 = [0.0, 0.0]
    s2 = [0.0, 0.0]
    for t in range(1, steps + 1):
        if name in ("smoothed_nesterov", "weighted_nesterov"):
            mu, lr = hp["momentum"], hp["lr"]
            if name == "smoothed_nesterov":
                fr, w = (1 / 3, 2 / 3, 1.0), (1.0, 1.0, 1.0)
            else:
                fr, w = (1 / 2, 3 / 4, 1.0), (1.0, 2.0, 4.0)
            gs = []
            for f in fr:
                gs.append((yield [p[i] - f * mu * s1[i] for i in range(2)]))
            for i in range(2):
                acc = sum(wk * gk[i] for wk, gk in zip(w, gs, strict=True)) / sum(w)
                s1[i] = mu * s1[i] + lr * acc
                p[i] -= s1[i]
            pts.append(tuple(p))
            continue
        g = yield list(p)
        for i in range(2):
            gi = g[i]
            if name == "sgd":
                p[i] = p[i] - hp["lr"] * gi
            elif name == "momentum":
                s1[i] = hp["momentum"] * s1[i] - hp["lr"] * gi
                p[i] = p[i] + s1[i]
            elif name == "nesterov":
                s1[i] = hp["momentum"] * s1[i] - hp["lr"] * gi
                p[i] = p[i] + hp["momentum"] * s1[i] - hp["lr"] * gi
            elif name == "adagrad":
                s1[i] += gi * gi
                p[i] -= hp["lr"] * gi / math.sqrt(s1[i] + hp["eps"])
            elif name == "rmsprop":
                s1[i] = hp["rho"] * s1[i] + (1 - hp["rho"]) * gi * gi
                p[i] -= hp["lr"] * gi / math.sqrt(s1[i] + hp["eps"])
            elif name == "adadelta":
                rho, eps = hp["rho"], hp["eps"]
                s1[i] = rho * s1[i] + (1 - rho) * gi * gi
                u = gi * math.sqrt(s2[i] + eps) / math.sqrt(s1[i] + eps)
                p[i] -= hp["lr"] * u
                s2[i] = rho * s2[i] + (1 - rho) * u * u
            elif name == "adam":
                b1, b2 = hp["beta1"], hp["beta2"]
                s1[i] = b1 * s1[i] + (1 - b1) * gi
                s2[i] = b2 * s2[i] + (1 - b2) * gi * gi
                a_t = hp["lr"] * math.sqrt(1 - b2**t) / (1 - b1**t)
                p[i] -= a_t * s1[i] / (math.sqrt(s2[i]) + hp["eps"])
            elif name == "adamax":
                b1, b2 = hp["beta1"], hp["beta2"]
                s1[i] = b1 * s1[i] + (1 - b1) * gi
                s2[i] = max(b2 * s2[i], abs(gi))
                p[i] -= hp["lr"] / (1 - b1**t) * s1[i] / (s2[i] + hp["eps"])
            else:
                raise KeyError(name)
        pts.append(tuple(p))
    return pts


def _drive(runs, grads):
    """Advance generator runs in lockstep; ``grads(points)`` answers all their requests at once."""
    runs = list(runs)
    done = [None] * len(runs)
    asks = [next(r, None) for r in runs]  # never None: every run asks at least once (steps >= 1)
    while any(d is None for d in done):
        answers = grads(asks)
        for i, r in enumerate(runs):
            try:
                asks[i] = r.send(answers[i])
            except StopIteration as stop:
                done[i] = stop.value
    return done


def reference_run(name, hp, grad, start, steps):
    """List of (x, y) points, steps + 1 long; ``grad(point)`` gives the gradient at one point."""
    return _drive([_rule(name, hp, start, steps)], lambda ps: [grad(ps[0])])[0]


def reference_ensemble(name, hp, grads, start, steps):
    """The reference run and one companion per ULP_SCALES, an array of shape (5, steps + 1, 2).

    ``grads(points)`` gives the gradients at a list of points (one call per step for all five).
    """
    scales = [(1.0, 1.0), *ULP_SCALES]

    def scaled(points):
        return [
            [gi * si for gi, si in zip(g, s, strict=True)]
            for g, s in zip(grads(points), scales, strict=True)
        ]

    return np.array(_drive([_rule(name, hp, start, steps) for _ in scales], scaled), dtype=float)


def spread(ensemble):
    """Per step, the largest distance of a companion from the run (``ensemble[0]``)."""
    return np.max(np.hypot(*np.moveaxis(ensemble[1:] - ensemble[0], -1, 0)), axis=0)


def sensitive_from(ensemble, window):
    """First step at which a companion is farther than SPREAD_FRACTION x the window's larger side
    from the run, or None if none ever is."""
    far = spread(ensemble) > SPREAD_FRACTION * max(window[1] - window[0], window[3] - window[2])
    return int(np.argmax(far)) if far.any() else None
