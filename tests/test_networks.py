"""Networks: data sets, models (gradients, layout), training through the shared loop, planes,
lattices, exports and the ``net`` command."""

import csv
import io
import json
import math

import numpy as np
import pytest

import landscapes as L
from animator.cli.main import main
from animator.network import network_scene
from animator.output.exports import scene_to_csv, scene_to_json
from landscapes.datasets import DATASETS, as_dataset, make_dataset
from landscapes.networks import MinibatchOracle, ModelLoss, parse_model, train
from landscapes.plane import lattice, pca_plane, plane_surface, random_plane

# Two code paths that sum the same products in another order (a stack of parameter vectors
# through np.matmul against one vector at a time) differ by a few ulp per inner product of at
# most 16 terms; through the loss (condition about 1) that stays below 1e-13 relative. Measured
# here: 0.0 with AVX-512 and with NPY_DISABLE_CPU_FEATURES baseline loops.
CROSS_PATH_RTOL = 1e-13


def small(data="moons", spec="mlp:6,5", activation="tanh", n=60, seed=3):
    d = make_dataset(data, n, seed=seed)
    return ModelLoss(parse_model(spec, activation, d.dim, d.classes), d)


def reference_loss(model, theta, X, y):
    """An independent forward pass: one point at a time, plain loops over layers."""
    total = 0.0
    for x, label in zip(X, y, strict=True):
        h = x
        offset = 0
        for layer, (i, o) in enumerate(model.sizes):
            W = theta[offset : offset + i * o].reshape(i, o)
            offset += i * o
            b = theta[offset : offset + o]
            offset += o
            h = h @ W + b
            if layer < len(model.sizes) - 1:
                h = np.tanh(h) if model.activation == "tanh" else np.maximum(h, 0)
        if model.outputs == 1:
            z = float(h[0])
            total += math.log1p(math.exp(-abs(z))) + max(z, 0) - label * z
        else:
            m = h.max()
            total += m + math.log(np.exp(h - m).sum()) - h[label]
    return total / len(y)


# --- data sets ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATASETS.names())
def test_datasets_are_seeded_balanced_and_shaped(name):
    a = make_dataset(name, 101, seed=7)
    b = make_dataset(name, 101, seed=7)
    c = make_dataset(name, 101, seed=8)
    assert a.X.shape == (101, 2) and a.y.shape == (101,)
    assert a.X.tobytes() == b.X.tobytes() and not np.array_equal(a.X, c.X)
    counts = np.bincount(a.y)
    assert len(counts) == a.classes and counts.max() - counts.min() <= 1


def test_noise_free_moons_and_circles_lie_on_their_curves():
    moons = make_dataset("moons", 50, noise=0.0)
    outer = moons.X[moons.y == 0] + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, atol=1e-12)
    circles = make_dataset("circles", 50, noise=0.0)
    radius = np.hypot(*circles.X.T)
    np.testing.assert_allclose(radius, np.where(circles.y == 0, 1.0, 0.5), atol=1e-12)
    xor = make_dataset("xor", 40, noise=0.0)
    assert np.all((xor.X[:, 0] * xor.X[:, 1] < 0) == (xor.y == 1))


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: make_dataset("moonz"), "did you mean 'moons'"),
        (lambda: make_dataset("moons", 3), "points=3 is out of range"),
        (lambda: make_dataset("moons", 100, noise=-1), "noise=-1"),
        (lambda: as_dataset([[0, 1]] * 5, [0, 1, 0, 1]), "shape (5,)"),
        (lambda: as_dataset([[0, 1]] * 4, [0, 0, 0, 0]), "labels must be 0..C-1"),
        (lambda: as_dataset([[0, 1]] * 4, [0.5, 1, 0, 1]), "integer class labels"),
        (lambda: parse_model("mlp:16,x"), "whole numbers"),
        (lambda: parse_model("mlp:0"), "each 1 to 256"),
        (lambda: parse_model("cnn"), "choose logistic or mlp"),
        (lambda: parse_model("logistic", "sigmoid"), "unknown activation 'sigmoid'"),
    ],
)
def test_bad_inputs_are_one_line_errors(call, words):
    with pytest.raises(L.LandscapeError) as exc:
        call()
    assert words in str(exc.value) and "\n" not in str(exc.value)


# --- models ---------------------------------------------------------------------------------


def test_layout_is_documented_order():
    m = parse_model("mlp:16,16", "tanh", 2, 2)
    layout = m.layout()
    assert [(n, off, s) for n, off, s in layout] == [
        ("W1", 0, (2, 16)), ("b1", 32, (16,)), ("W2", 48, (16, 16)), ("b2", 304, (16,)),
        ("W3", 320, (16, 1)), ("b3", 336, (1,)),
    ]  # fmt: skip
    assert m.n_params == 337
    assert parse_model("logistic", classes=3).n_params == 2 * 3 + 3


@pytest.mark.parametrize(
    "data, spec, activation",
    [("moons", "mlp:6,5", "tanh"), ("spirals3", "mlp:7", "relu"), ("xor", "logistic", "tanh")],
)
def test_loss_matches_independent_forward_pass(data, spec, activation):
    loss = small(data, spec, activation)
    theta = loss.start + 0.3 * np.random.default_rng(0).standard_normal(loss.dim)
    ref = reference_loss(loss.model, theta, loss.data.X, loss.data.y)
    np.testing.assert_allclose(loss.value(theta), ref, rtol=1e-13)


@pytest.mark.parametrize(
    "data, spec, activation",
    [("moons", "mlp:6,5", "tanh"), ("spirals3", "mlp:7", "tanh"), ("circles", "logistic", "tanh")],
)
def test_gradient_matches_central_differences(data, spec, activation):
    loss = small(data, spec, activation)
    theta = loss.start + 0.3 * np.random.default_rng(1).standard_normal(loss.dim)
    g = loss.grad(theta)
    h = 1e-5
    fd = np.array(
        [
            (loss.value(theta + h * e) - loss.value(theta - h * e)) / (2 * h)
            for e in np.eye(loss.dim)
        ]
    )
    # central differences: truncation h²·f'''/6 ~ 1e-11, rounding eps·|f|/h ~ 1e-11
    np.testing.assert_allclose(g, fd, rtol=0, atol=1e-8)
    # a stack of parameter vectors gives the stack of their gradients
    stack = np.stack([theta, theta * 0.5])
    np.testing.assert_allclose(loss.grad(stack)[1], loss.grad(theta * 0.5), rtol=CROSS_PATH_RTOL)


@pytest.mark.parametrize(
    "data, spec, activation",
    [("moons", "mlp:6,5", "tanh"), ("spirals3", "mlp:7", "relu"), ("circles", "logistic", "tanh")],
)
def test_value_and_grad_is_value_and_grad_to_the_bit(data, spec, activation):
    """The one forward pass that full-batch training uses gives the bits of ``value`` and
    ``grad``, for one parameter vector and a stack of them."""
    loss = small(data, spec, activation)
    theta = loss.start + 0.3 * np.random.default_rng(2).standard_normal(loss.dim)
    for t in (theta, np.stack([theta, 0.5 * theta, -theta])):
        value, grad = loss.value_and_grad(t)
        np.testing.assert_array_equal(value, loss.value(t))
        np.testing.assert_array_equal(grad, loss.grad(t))


def test_accuracy_counts_correct_points():
    loss = small("xor", "logistic")
    theta = np.zeros(loss.dim)  # every logit 0: class 0 predicted everywhere
    assert loss.accuracy(theta) == pytest.approx(np.mean(loss.data.y == 0))
    assert np.isnan(loss.accuracy(np.full(loss.dim, np.nan)))


# --- training -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", L.OPTIMIZERS.names())
def test_every_registered_optimizer_trains_a_model_unchanged(name):
    loss = small("moons", "logistic", n=40)
    info = L.OPTIMIZERS[name]
    opt = L.make_optimizer(name, **({"lr": 0.05} if "lr" in info.defaults else {}))
    tr = train(loss, [(name, opt)], steps=30)
    (traj,) = tr.runs
    assert traj.xy.shape == (31, loss.dim) and not traj.diverged
    # the recorded loss is the model's true loss at the recorded parameters
    np.testing.assert_array_equal(traj.loss, loss.value(traj.xy))
    # the first step is the optimizer's own update with the model's gradient
    first, _ = opt.update(tr.start, opt.init(tr.start), loss)
    np.testing.assert_array_equal(traj.xy[1], first)
    assert traj.loss[-1] < traj.loss[0]


def test_minibatches_are_seeded_and_shared_by_the_optimizers():
    loss = small("moons", "mlp:4", n=50)
    sgd = L.make_optimizer("sgd", lr=0.3)
    a = train(loss, [("a", sgd), ("b", sgd)], steps=12, batch=16, seed=5)
    b = train(loss, [("a", sgd)], steps=12, batch=16, seed=5)
    full = train(loss, [("a", sgd)], steps=12, seed=5)
    assert a.runs[0].xy.tobytes() == a.runs[1].xy.tobytes() == b.runs[0].xy.tobytes()
    assert not np.array_equal(a.runs[0].xy, full.runs[0].xy)
    # step 1 used the first 16 points of the seeded permutation
    rows = np.sort(np.random.default_rng([5, 2]).permutation(50)[:16])
    np.testing.assert_array_equal(a.runs[0].xy[1], a.start - 0.3 * loss.grad(a.start, rows))
    # an epoch visits every point once: 50 = 16 + 16 + 16 + 2
    oracle = MinibatchOracle(loss, 16, seed=5)
    for left in (34, 18, 2, 0):
        oracle.grad(a.start)
        assert len(oracle.order) == left


# --- planes ---------------------------------------------------------------------------------


def trained(plane="pca", grid=9, n=60):
    loss = small(n=n)
    opts = [("sgd", L.parse_spec("sgd:lr=0.5")), ("adam", L.parse_spec("adam:lr=0.05"))]
    tr = train(loss, opts, steps=40)
    surface, runs = plane_surface(
        loss, tr.start, tr.runs, plane=plane, grid=grid,
        filters=loss.model.filters(), zero=loss.model.bias_indices(),
    )  # fmt: skip
    return loss, tr, surface, runs


def test_pca_plane_holds_the_start_and_the_true_start_loss():
    loss, tr, surface, runs = trained()
    # the start lies on the plane (PCA about the start): its plane loss IS the start loss
    assert surface.value(np.zeros(2)) == loss.value(tr.start)
    for traj in runs:
        assert traj.xy[0].tolist() == [0.0, 0.0]
        np.testing.assert_array_equal(
            traj.loss, next(t for t in tr.runs if t.label == traj.label).loss
        )
    d = surface.plane.directions
    np.testing.assert_allclose(d @ d.T, np.eye(2), atol=1e-12)
    e1, e2 = surface.plane.explained
    assert 1 >= e1 >= e2 >= 0 and e1 + e2 <= 1 + 1e-12
    assert surface.axis_labels[0] == f"PC1 ({100 * e1:.0f} % of variance)"


def test_pca_recovers_a_plane_that_holds_the_runs():
    rng = np.random.default_rng(0)
    origin = rng.standard_normal(6)
    basis = np.linalg.qr(rng.standard_normal((6, 2)))[0].T
    coords = [rng.standard_normal((20, 2)) * [3, 1], rng.standard_normal((20, 2)) * [3, 1]]
    for c in coords:
        c[0] = 0
    paths = [origin + c @ basis for c in coords]
    plane = pca_plane(origin, paths)
    assert sum(plane.explained) == pytest.approx(1.0, abs=1e-12)
    for c, p in zip(coords, paths, strict=True):
        ab = plane.project(p)
        np.testing.assert_allclose(plane.point(ab), p, atol=1e-12)  # nothing off the plane
        np.testing.assert_allclose(np.abs(ab), np.abs(c @ basis @ plane.directions.T), atol=1e-12)


def test_random_plane_is_filter_normalised():
    loss, tr, surface, runs = trained("random")
    plane = surface.plane
    for idx in loss.model.filters():
        for d in plane.directions:
            assert np.linalg.norm(d[idx]) == pytest.approx(np.linalg.norm(tr.start[idx]), rel=1e-12)
    assert not plane.directions[:, loss.model.bias_indices()].any()
    assert surface.window[0] <= -1 and surface.window[1] >= 1
    assert surface.value(np.zeros(2)) == loss.value(tr.start)


def test_lattice_matches_a_slow_reference_loop():
    loss, tr, surface, runs = trained(grid=7)
    A, B, Z = surface.mesh()
    assert Z.shape == (7, 7)
    for j in range(7):
        for i in range(7):
            theta = (
                tr.start
                + A[j, i] * surface.plane.directions[0]
                + B[j, i] * surface.plane.directions[1]
            )
            ref = reference_loss(loss.model, theta, loss.data.X, loss.data.y)
            assert Z[j, i] == pytest.approx(ref, rel=1e-12)  # independent forward pass


def test_lattice_loops_for_a_loss_that_takes_one_vector():
    loss, tr, surface, runs = trained(grid=6)

    def one_at_a_time(theta):
        assert theta.ndim == 1
        return float(loss.value(theta))

    A, B, Z = lattice(one_at_a_time, surface.plane, surface.window, 6)
    np.testing.assert_allclose(Z, surface.mesh()[2], rtol=CROSS_PATH_RTOL)


def test_plane_surface_takes_plain_arrays_and_a_users_loss():
    """Bring your own model: any autograd loss, flat start, recorded parameter arrays."""
    import autograd.numpy as anp

    def quartic(theta):
        return anp.sum(theta**4, axis=-1) + anp.sum(theta, axis=-1)

    start = np.array([1.0, -1.0, 0.5])
    path = np.array([start * (1 - k / 10) for k in range(11)])
    surface, (ab,) = plane_surface(quartic, start, [path], grid=5)
    assert ab.shape == (11, 2)
    assert surface.value(ab[3]) == pytest.approx(float(quartic(path[3])), rel=1e-12)


def test_random_plane_is_seeded():
    origin = np.arange(1.0, 7.0)
    a, b = random_plane(origin, seed=1), random_plane(origin, seed=1)
    assert a.directions.tobytes() == b.directions.tobytes()
    assert not np.array_equal(a.directions, random_plane(origin, seed=2).directions)


# --- scenes, exports, command -----------------------------------------------------------------


def tiny_scene(**kw):
    args = dict(points=60, model="mlp:5", steps=15, grid=6, seed=2)
    return network_scene("moons", ["sgd:lr=0.5", "adam:lr=0.05"], **{**args, **kw})


def test_csv_round_trip():
    scene = tiny_scene()
    rows = list(csv.DictReader(io.StringIO(scene_to_csv(scene))))
    assert list(rows[0]) == ["label", "optimizer", "step", "a", "b", "loss", "accuracy"]
    assert len(rows) == 2 * 16
    for traj in scene.trajectories:
        mine = [r for r in rows if r["label"] == traj.label]
        ab = np.array([[float(r["a"]), float(r["b"])] for r in mine])
        assert ab.tobytes() == traj.xy.tobytes()
        assert [float(r["loss"]) for r in mine] == traj.loss.tolist()
        assert [float(r["accuracy"]) for r in mine] == traj.extra["accuracy"]


def test_json_round_trip():
    scene = tiny_scene()
    doc = json.loads(scene_to_json(scene))
    assert doc["kind"] == "network"
    plane = doc["surface"]["plane"]
    assert plane["explained"] == list(scene.surface.plane.explained)
    assert np.array(plane["directions"]).tobytes() == scene.surface.plane.directions.tobytes()
    assert (
        np.array(doc["surface"]["lattice"]["loss"]).tobytes() == scene.surface.mesh()[2].tobytes()
    )
    assert doc["surface"]["network"]["parameters"] == 21
    for run, traj in zip(doc["runs"], scene.trajectories, strict=True):
        assert np.array(run["xy"]).tobytes() == traj.xy.tobytes()
        assert run["loss"] == traj.loss.tolist() and run["accuracy"] == traj.extra["accuracy"]


def test_seeded_scenes_are_byte_identical():
    a, b = tiny_scene(batch=20), tiny_scene(batch=20)
    assert scene_to_json(a) == scene_to_json(b)
    assert scene_to_json(a) != scene_to_json(tiny_scene(batch=20, seed=3))


def test_net_command_writes_png_and_csv(tmp_path, capsys):
    out = tmp_path / "n.csv"
    argv = ["net", "--points", "60", "--model", "mlp:5", "--steps", "10", "--grid", "6"]
    assert main([*argv, "-o", str(out)]) == 0
    assert out.read_text().splitlines()[0] == "label,optimizer,step,a,b,loss,accuracy"
    assert len(out.read_text().splitlines()) == 1 + 3 * 11  # default sgd, momentum, adam
    png = tmp_path / "n.png"
    assert main([*argv, "--size", "480x320", "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "args, words",
    [
        (["--data", "spiral"], "unknown data set 'spiral'"),
        (["--model", "mlp:16;16"], "model 'mlp:16;16'"),
        (["--grid", "401"], "--grid: 401 is out of range"),
        (["--points", "20001"], "--points: 20001 is out of range"),
        (["--batch", "61", "--points", "60"], "batch=61 is larger than the data set"),
        (["-O", "adam:lr=0"], "lr must be a finite number > 0"),
        (["--plane", "tsne"], "invalid choice: 'tsne'"),
    ],
)
def test_net_command_bad_input_exits_2_without_a_file(tmp_path, capsys, args, words):
    out = tmp_path / "bad.png"
    assert main(["net", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not out.exists()


def test_network_frames_blit_exactly_like_a_full_redraw():
    """The decision-boundary inset moves with the runs: a fast frame equals a full redraw."""
    from animator.draw.frames import FrameRenderer
    from animator.scene import RenderOptions

    scene = tiny_scene()
    assert scene.insets  # the inset is there
    renderer = FrameRenderer(scene, RenderOptions(size=(480, 320), dpi=50))
    for k in (0, 7, 15):
        fast = np.array(renderer.frame(k))
        assert np.array_equal(fast, renderer.full_redraw(k)), k
    assert not np.array_equal(renderer.frame(1), renderer.full_redraw(15))


def test_inset_boundary_is_where_the_logit_changes_sign():
    scene = tiny_scene()
    inset = scene.insets[0]
    theta = inset.paths[0][-1]
    verts = inset.boundary(0, 15)
    verts = verts[np.isfinite(verts).all(1)]
    assert len(verts) > 2
    z = inset.loss.model.logits(theta, verts)[:, 0]
    # linear interpolation on a 60-point grid: |z| at the line is small against z's range
    span = np.ptp(inset.loss.model.logits(theta, inset.points))
    assert np.max(np.abs(z)) < 0.05 * span


@pytest.mark.parametrize("shape", [(90, 12), (12, 90)])
def test_pca_directions_are_the_top_singular_vectors(shape):
    """The subspace iteration gives what numpy's SVD gives (up to sign)."""
    from landscapes.plane import _top_two

    rng = np.random.default_rng(4)
    disp = rng.standard_normal(shape) * np.geomspace(10, 1, shape[1])
    d, top = _top_two(disp)
    _, s, vt = np.linalg.svd(disp, full_matrices=False)
    np.testing.assert_allclose(np.abs(d @ vt[:2].T), np.eye(2), atol=1e-10)
    np.testing.assert_allclose(top, s[:2] ** 2, rtol=1e-12)


def test_api_net_returns_an_animation_whose_html_is_the_video_page():
    """The player draws only the runs in the browser; the moving inset needs drawn frames."""
    import animator
    from animator.api import Animation

    anim = animator.net("xor", ["adam:lr=0.05"], points=40, model="logistic", steps=5, grid=5)
    assert isinstance(anim, Animation)
    assert anim.options.html == "video" and anim.scene.insets
    assert anim.scene.trajectories[0].xy.shape == (6, 2)
