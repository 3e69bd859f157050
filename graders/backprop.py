"""Grader for ``backprop``: dense layers, the MLP of Homework 1 P1, the graph f = ln x + exp(y)·z
and the regularized sigmoid unit.

Gradients are compared with the reference, which tests/test_reference_backprop.py holds to
torch autograd (float64). The homework's own instances (the 2-3-2-1 ReLU network at
x = (2, 1), y = 10 and the graph at (1, 3, 2)) are separate "worked" cases compared at
checks.HAND_RTOL, so hand-computed numbers earn them; the random cases need code. ReLU's
derivative at 0 is 0, as in torch: one random MLP instance has pre-activations that are
exactly 0.
"""

import numpy as np

import reference.backprop as ref
from autograder import checks
from autograder.checks import Mismatch
from autograder.spec import Args, Module

M = Module("backprop", total=40, source="Homework 1 P1, Assignment 3 §5, THW2 Q3")

WORKED_X = np.array([2.0, 1.0])
WORKED_Y = 10.0
WORKED_W = [np.array([[1.0, 0.0], [3.0, 4.0], [1.0, 2.0]]),
            np.array([[2.0, 6.0, 1.0], [0.0, 3.0, 1.0]]),
            np.array([[-2.0, 3.0]])]
WORKED_B = [np.array([0.0, -2.0, 5.0]), np.array([-23.0, -11.0]), np.array([18.0])]

# (hidden activation, output activation, layer sizes, batch size or None for a single x)
CONFIGS = [("relu", "relu", [3, 4, 2], 5), ("sigmoid", "identity", [2, 3, 3, 1], 1),
           ("tanh", "sigmoid", [4, 1, 2], None), ("identity", "tanh", [1, 2, 1], 3),
           ("relu", "identity", [5, 3], None), ("sigmoid", "relu", [2, 4, 3], 2)]


def _net(rng, sizes):
    ws = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=o) for o in sizes[1:]]
    return ws, bs


def _copies(arrays):
    return [np.array(a, dtype=np.float64) for a in arrays]


def _pre_activation_grads(x, y, ws, bs, act, out_act):
    """dL/da of every layer's pre-activation a, each (N, out) for a batch x, (out,) for one x:
    a sample's row is its own bias gradient (the batch's loss is the sum of its samples')."""
    if x.ndim == 1:
        return ref.mlp_backward(x, y, ws, bs, act, out_act)["db"]
    rows = [ref.mlp_backward(xn, yn, ws, bs, act, out_act)["db"] for xn, yn in zip(x, y)]
    return [np.stack([r[l] for r in rows]) for l in range(len(ws))]


def _grad_shape(got, shape, name, param, mistakes=None):
    """A gradient's shape, with the reason a gradient has its parameter's shape."""
    arr = checks.as_array(got, name)
    if arr.shape != tuple(shape):
        checks.fail(f"{name}: shape {arr.shape}, expected {tuple(shape)}: a gradient has its "
                    f"parameter's shape, and {param} is {tuple(shape)}", arr, mistakes,
                    hint=checks.shape_hint(arr.shape, tuple(shape)))
    return arr


def _db_mistakes(da):
    """The bias gradient as the usual mistakes compute it from dL/da of shape (N, out)."""
    if da.ndim < 2:
        return {}
    return {"summed over the features (axis 1) instead of the batch (axis 0)?": da.sum(axis=1)}


# ---------------------------------------------------------------- dense layer

@M.case("dense_forward", "random", points=1)
def dense_forward_random(f, rng):
    layers = [(rng.normal(size=(n, i)), rng.normal(size=(o, i)), rng.normal(size=o))
              for n, i, o in [(1, 1, 1), (1, 3, 2), (5, 4, 3), (2, 1, 6)]]
    for (x, W, b), got in zip(layers, f.each(_copies(layer) for layer in layers)):
        checks.expect_array(got, ref.dense_forward(x, W, b), name=f"x W^T + b for x {x.shape}, W {W.shape}")


@M.case("dense_forward", "single", points=1)
def dense_forward_single(f, rng):
    layers = [(rng.normal(size=i), rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in [(1, 1), (3, 2), (2, 5)]]
    for (x, W, b), got in zip(layers, f.each(_copies(layer) for layer in layers)):
        checks.expect_array(got, ref.dense_forward(x, W, b), name=f"W x + b for a single x {x.shape}, W {W.shape}")


def _dense_backward_case(f, rng, xshapes):
    instances = []
    for xshape, o in xshapes:
        x, W, b = rng.normal(size=xshape), rng.normal(size=(o, xshape[-1])), rng.normal(size=o)
        instances.append((rng.normal(size=xshape[:-1] + (o,)), x, W, b))
    for (da, x, W, b), got in zip(instances, f.each(_copies(inst) for inst in instances)):
        want_dx, want_dW, want_db = ref.dense_backward(da, x, W, b)
        dx, dW, db = checks.expect_sequence(
            got, 3, "(dx, dW, db)",
            mistakes={"the bias gradient db is missing": (want_dx, want_dW)})
        where = f" (x {x.shape}, W {W.shape})"
        checks.expect_array(dx, want_dx, name="dx" + where)
        _grad_shape(dW, W.shape, "dW" + where, "W")
        checks.expect_array(dW, want_dW, name="dW" + where)
        _grad_shape(db, b.shape, "db" + where, "b", _db_mistakes(da))
        checks.expect_array(db, want_db, name="db" + where)


@M.case("dense_backward", "batch", points=2)
def dense_backward_batch(f, rng):
    _dense_backward_case(f, rng, [((1, 3), 2), ((4, 3), 2), ((6, 1), 4), ((3, 5), 1)])


@M.case("dense_backward", "single", points=2)
def dense_backward_single(f, rng):
    _dense_backward_case(f, rng, [((3,), 2), ((1,), 1), ((2,), 4)])


# ---------------------------------------------------------------- MLP

# mlp_forward and mlp_backward called without activations: their defaults, ReLU and ReLU, on a
# network where another default (identity, sigmoid or tanh, hidden or output) changes the output
# and every gradient (pre-activations of both signs in both layers)
DEFAULT_NET = ([np.array([[1.0, -1.0], [0.5, 1.0], [-1.0, 0.25]]), np.array([[1.0, -2.0, 0.5]])],
               [np.array([0.5, -1.0, 0.25]), np.array([0.25])],
               np.array([[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0]]), np.array([[1.0], [0.0], [-1.0]]))


def _activations(given):
    """(activation, output_activation) of a call with the keywords ``given`` ({}: the defaults)."""
    return given.get("activation", "relu"), given.get("output_activation", "relu")


def _mlp_where(given, x):
    act, out_act = _activations(given)
    by_default = "" if given else " by default"
    return f" (activation={act!r}, output_activation={out_act!r}{by_default}, x {x.shape})"


def _other_defaults(given, reference):
    """For a call that left the activations to their defaults: {the mistake: what ``reference``
    (a function of the two activations) gives with another default}; else {}."""
    if given:
        return {}
    out = {}
    for other in ("identity", "sigmoid", "tanh"):
        out[f"output_activation defaults to 'relu' (the homework's network), not {other!r}"] = \
            reference("relu", other)
        out[f"activation defaults to 'relu', not {other!r}"] = reference(other, "relu")
    return out


def _mlp_out(got, n_layers, keys, name="result"):
    got = checks.expect_dict(got, keys, name)
    return {k: checks.expect_sequence(got[k], n_layers, f'["{k}"]') if k != "dx" else got[k]
            for k in keys}


@M.case("mlp_forward", "worked", points=4)
def mlp_forward_worked(f, rng):
    out = _mlp_out(f(WORKED_X.copy(), _copies(WORKED_W), _copies(WORKED_B),
                     activation="relu", output_activation="relu"), 3, ("a", "z"))
    yhat = checks.as_array(out["z"][-1], 'ŷ = ["z"][-1]')
    if yhat.shape != (1,) or not checks.all_close(yhat, 8.0, rtol=checks.HAND_RTOL):
        raise Mismatch(f"ŷ = z[-1]: expected [8.], got {checks.show(yhat)}: ŷ = ReLU(a3) with "
                       f"a3 = W3 z2 + b3 = −2·38 + 3·22 + 18 = 8 (z1 = (2, 8, 9), z2 = (38, 22))")
    want = ref.mlp_forward(WORKED_X, WORKED_W, WORKED_B)
    for key in ("a", "z"):
        for l in range(3):
            checks.expect_array(out[key][l], want[key][l], rtol=checks.HAND_RTOL,
                                name=f'["{key}"][{l}] ({key}{l + 1})')


@M.case("mlp_forward", "random", points=4)
def mlp_forward_random(f, rng):
    instances = []
    for act, out_act, sizes, batch in CONFIGS:
        ws, bs = _net(rng, sizes)
        x = rng.normal(size=(sizes[0],) if batch is None else (batch, sizes[0]))
        instances.append((dict(activation=act, output_activation=out_act), ws, bs, x))
    instances.append(({}, *DEFAULT_NET[:3]))
    calls = f.each(Args(x.copy(), _copies(ws), _copies(bs), **given) for given, ws, bs, x in instances)
    for (given, ws, bs, x), got in zip(instances, calls):
        out = _mlp_out(got, len(ws), ("a", "z"))
        want = ref.mlp_forward(x, ws, bs, *_activations(given))
        others = _other_defaults(given, lambda a, o: ref.mlp_forward(x, ws, bs, a, o))
        where = _mlp_where(given, x)
        for l in range(len(ws)):
            for key in ("a", "z"):
                checks.expect_array(out[key][l], want[key][l], name=f'["{key}"][{l}]{where}',
                                    mistakes={name: other[key][l] for name, other in others.items()})


WORKED_GRADS = ref.mlp_backward(WORKED_X, WORKED_Y, WORKED_W, WORKED_B)


@M.case("mlp_backward", "worked", points=6)
def mlp_backward_worked(f, rng):
    got = _mlp_out(f(WORKED_X.copy(), WORKED_Y, _copies(WORKED_W), _copies(WORKED_B),
                     activation="relu", output_activation="relu"), 3, ("dW", "db", "dx"))
    for l in range(3):
        _grad_shape(got["dW"][l], WORKED_W[l].shape, f'["dW"][{l}] (dW{l + 1})', f"W{l + 1}")
    db = [_grad_shape(got["db"][l], WORKED_B[l].shape, f'["db"][{l}] (db{l + 1})', f"b{l + 1}")
          for l in range(3)]
    _grad_shape(got["dx"], (2,), '["dx"]', "x")
    if not checks.all_close(db[2], -4.0, rtol=checks.HAND_RTOL):
        checks.fail(f'["db"][2] (db3): expected [-4.], got {checks.show(db[2])}: '
                    f"db3 = dL/da3 = 2(ŷ − y)·ReLU'(a3) = 2(8 − 10)·1 = −4, since ŷ = 8", db[2],
                    {"−2 is what ŷ = 9, or a loss with ½, gives": [-2.0]})
    for key, l in [("dW", 2), ("db", 1), ("dW", 1), ("db", 0), ("dW", 0)]:
        checks.expect_array(got[key][l], WORKED_GRADS[key][l], rtol=checks.HAND_RTOL,
                            name=f'["{key}"][{l}] ({key}{l + 1})')
    checks.expect_array(got["dx"], WORKED_GRADS["dx"], rtol=checks.HAND_RTOL, name='["dx"]')


@M.case("mlp_backward", "random", points=6)
def mlp_backward_random(f, rng):
    instances = []
    for act, out_act, sizes, batch in CONFIGS:
        ws, bs = _net(rng, sizes)
        x = rng.normal(size=(sizes[0],) if batch is None else (batch, sizes[0]))
        shape = (sizes[-1],) if batch is None else (batch, sizes[-1])
        instances.append((dict(activation=act, output_activation=out_act), ws, bs, x, rng.normal(size=shape)))
    # pre-activations exactly 0, where ReLU passes no gradient (as in torch)
    instances.append((dict(activation="relu", output_activation="relu"),
                      [np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([[1.0, 1.0]])],
                      [np.zeros(2), np.zeros(1)], np.array([[1.0, 1.0], [2.0, -2.0]]), np.zeros((2, 1))))
    instances.append(({}, *DEFAULT_NET))
    calls = f.each(Args(x.copy(), y.copy(), _copies(ws), _copies(bs), **given)
                   for given, ws, bs, x, y in instances)
    for (given, ws, bs, x, y), got in zip(instances, calls):
        got = _mlp_out(got, len(ws), ("dW", "db", "dx"))
        act, out_act = _activations(given)
        want = ref.mlp_backward(x, y, ws, bs, act, out_act)
        dW, db, dx = want["dW"], want["db"], want["dx"]
        da = _pre_activation_grads(x, y, ws, bs, act, out_act)
        others = _other_defaults(given, lambda a, o: ref.mlp_backward(x, y, ws, bs, a, o))
        where = _mlp_where(given, x)
        for l in range(len(ws)):
            _grad_shape(got["dW"][l], ws[l].shape, f'["dW"][{l}]{where}', f"W{l + 1}")
            checks.expect_array(got["dW"][l], dW[l], name=f'["dW"][{l}]{where}',
                                mistakes={name: other["dW"][l] for name, other in others.items()})
            _grad_shape(got["db"][l], bs[l].shape, f'["db"][{l}]{where}', f"b{l + 1}", _db_mistakes(da[l]))
            checks.expect_array(got["db"][l], db[l], name=f'["db"][{l}]{where}',
                                mistakes={name: other["db"][l] for name, other in others.items()})
        checks.expect_array(got["dx"], dx, name=f'["dx"]{where}',
                            mistakes={name: other["dx"] for name, other in others.items()})


# ---------------------------------------------------------------- computational graph

GRAPH_KEYS = ("h1", "h2", "h3", "f")
GRAPH_GRAD_KEYS = ("df_dh1", "df_dh2", "df_dh3", "df_dx", "df_dy", "df_dz")


def _graph_check(got, want, keys, rtol):
    got = checks.expect_dict(got, keys)
    for k in keys:
        checks.expect_close(got[k], float(want[k]), rtol=rtol, name=f'["{k}"]')


def _graph_points(rng):
    return [(float(rng.uniform(0.2, 5.0)), float(rng.uniform(-2, 2)), float(rng.uniform(-3, 3)))
            for _ in range(4)]


@M.case("graph_forward", "worked", points=2)
def graph_forward_worked(f, rng):
    _graph_check(f(1.0, 3.0, 2.0), ref.graph_forward(1.0, 3.0, 2.0), GRAPH_KEYS, checks.HAND_RTOL)


@M.case("graph_forward", "random", points=1)
def graph_forward_random(f, rng):
    points = _graph_points(rng)
    for p, got in zip(points, f.each(points)):
        _graph_check(got, ref.graph_forward(*p), GRAPH_KEYS, checks.RTOL)


@M.case("graph_backward", "worked", points=3)
def graph_backward_worked(f, rng):
    _graph_check(f(1.0, 3.0, 2.0), ref.graph_backward(1.0, 3.0, 2.0), GRAPH_GRAD_KEYS,
                 checks.HAND_RTOL)


@M.case("graph_backward", "random", points=1)
def graph_backward_random(f, rng):
    points = _graph_points(rng)
    for p, got in zip(points, f.each(points)):
        _graph_check(got, ref.graph_backward(*p), GRAPH_GRAD_KEYS, checks.RTOL)


# ---------------------------------------------------------------- regularized sigmoid unit

def _unit_instances(rng):
    return [(rng.normal(size=d), float(rng.normal()), rng.normal(size=d), float(rng.uniform(0, 1)),
             float(rng.uniform(0.0, 0.5))) for d in (1, 3, 6)]


@M.case("reg_unit_grads", "vs_torch", points=4)
def reg_unit_grads_vs_torch(f, rng):
    instances = _unit_instances(rng)
    for (w, b, x, t, lam), got in zip(instances, f.each((w.copy(), b, x.copy(), t, lam)
                                                         for w, b, x, t, lam in instances)):
        want = ref.reg_unit_grads(w, b, x, t, lam)
        got = checks.expect_dict(got, ("dL_dy", "dL_dz", "dw", "db", "dx"))
        where = f" (D = {w.size})"
        for k in ("dL_dy", "dL_dz"):
            checks.expect_close(got[k], want[k], name=f'["{k}"]{where}')
        checks.expect_array(got["dw"], want["dw"], name=f'["dw"]{where}', mistakes={
            "the penalty term λw is missing (dw is of L_reg = L + λ·½‖w‖²)": want["dw"] - lam * w})
        checks.expect_close(got["db"], want["db"], name=f'["db"]{where}')
        checks.expect_array(got["dx"], want["dx"], name=f'["dx"]{where}')


@M.case("reg_unit_step", "random", points=3)
def reg_unit_step_random(f, rng):
    instances = [(*inst, {} if i == 0 else {"lr": float(rng.uniform(0.05, 1.0))})
                 for i, inst in enumerate(_unit_instances(rng))]
    for (w, b, x, t, lam, kwargs), got in zip(instances, f.each(Args(w.copy(), b, x.copy(), t, lam, **kwargs)
                                                                for w, b, x, t, lam, kwargs in instances)):
        got = checks.expect_sequence(got, 2, "(w_new, b_new)")
        w_new, b_new = ref.reg_unit_step(w, b, x, t, lam, **kwargs)
        checks.expect_array(got[0], w_new, name="w_new")
        checks.expect_close(got[1], b_new, name="b_new")
