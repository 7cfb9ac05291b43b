"""An independent, scalar, plain-Python implementation of the update rules (Lasagne semantics).

Written from lasagne/updates.py and the article's formulas, one coordinate at a time with floats,
sharing no code with landscapes.optimizers; the gradient is passed in as a function.
"""

from __future__ import annotations

import math


def reference_run(name, hp, grad, start, steps):
    """List of (x, y) points, steps + 1 long."""
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
            gs = [grad([p[i] - f * mu * s1[i] for i in range(2)]) for f in fr]
            for i in range(2):
                acc = sum(wk * gk[i] for wk, gk in zip(w, gs, strict=True)) / sum(w)
                s1[i] = mu * s1[i] + lr * acc
                p[i] -= s1[i]
            pts.append(tuple(p))
            continue
        g = grad(p)
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
