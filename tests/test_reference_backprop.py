"""reference/backprop.py against torch autograd (float64) and the homework's worked numbers."""

import math

import numpy as np
import pytest
import torch

import reference.backprop as ref

TOL = dict(rtol=1e-10, atol=1e-12)
ACTS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda t: t}

W1 = np.array([[1.0, 0], [3, 4], [1, 2]])
WORKED = dict(x=np.array([2.0, 1.0]), y=10.0,
              weights=[W1, np.array([[2.0, 6, 1], [0, 3, 1]]), np.array([[-2.0, 3]])],
              biases=[np.array([0.0, -2, 5]), np.array([-23.0, -11]), np.array([18.0])])


def _t(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def _net(rng, sizes):
    ws = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=o) for o in sizes[1:]]
    return ws, bs


@pytest.mark.parametrize("xshape", [(1, 3), (4, 3), (3,)])
def test_dense_against_autograd(xshape):
    rng = np.random.default_rng(len(xshape) + xshape[0])
    x, W, b = rng.normal(size=xshape), rng.normal(size=(2, 3)), rng.normal(size=2)
    out = ref.dense_forward(x, W, b)
    xt, Wt, bt = _t(x, True), _t(W, True), _t(b, True)
    at = torch.nn.functional.linear(xt, Wt, bt)
    np.testing.assert_allclose(out, at.detach().numpy(), **TOL)
    da = rng.normal(size=out.shape)
    at.backward(_t(da))
    dx, dW, db = ref.dense_backward(da, x, W, b)
    assert dx.shape == x.shape and dW.shape == (2, 3) and db.shape == (2,)
    for mine, t in [(dx, xt), (dW, Wt), (db, bt)]:
        np.testing.assert_allclose(mine, t.grad.numpy(), **TOL)


def _torch_mlp(x, ws, bs, act, out_act):
    z = x
    for l, (W, b) in enumerate(zip(ws, bs)):
        z = ACTS[out_act if l == len(ws) - 1 else act](torch.nn.functional.linear(z, W, b))
    return z


@pytest.mark.parametrize("act,out_act,sizes,batch", [
    ("relu", "relu", [3, 4, 2], 5), ("sigmoid", "identity", [2, 3, 3, 1], 1),
    ("tanh", "sigmoid", [4, 1, 2], None), ("identity", "tanh", [1, 2, 1], 3),
])
def test_mlp_against_autograd(act, out_act, sizes, batch):
    rng = np.random.default_rng(sizes[0] * 10 + len(sizes))
    ws, bs = _net(rng, sizes)
    x = rng.normal(size=(sizes[0],) if batch is None else (batch, sizes[0]))
    fwd = ref.mlp_forward(x, ws, bs, act, out_act)
    y = rng.normal(size=fwd["z"][-1].shape)
    xt, wt, bt = _t(x, True), [_t(w, True) for w in ws], [_t(b, True) for b in bs]
    yhat = _torch_mlp(xt, wt, bt, act, out_act)
    np.testing.assert_allclose(fwd["z"][-1], yhat.detach().numpy(), **TOL)
    assert len(fwd["a"]) == len(fwd["z"]) == len(ws)
    ((yhat - _t(y)) ** 2).sum().backward()
    got = ref.mlp_backward(x, y, ws, bs, act, out_act)
    for l in range(len(ws)):
        np.testing.assert_allclose(got["dW"][l], wt[l].grad.numpy(), **TOL)
        np.testing.assert_allclose(got["db"][l], bt[l].grad.numpy(), **TOL)
        assert got["dW"][l].shape == ws[l].shape and got["db"][l].shape == bs[l].shape
    np.testing.assert_allclose(got["dx"], xt.grad.numpy(), **TOL)
    assert got["dx"].shape == x.shape


def test_mlp_relu_grad_zero_at_exact_zero():
    """Pre-activations that are exactly 0 pass no gradient, as in torch."""
    ws, bs = [np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([[1.0, 1.0]])], [np.zeros(2), np.zeros(1)]
    x = np.array([[1.0, 1.0], [2.0, -2.0]])         # both rows hit a pre-activation of 0
    got = ref.mlp_backward(x, np.zeros((2, 1)), ws, bs)
    xt, wt, bt = _t(x, True), [_t(w, True) for w in ws], [_t(b, True) for b in bs]
    (_torch_mlp(xt, wt, bt, "relu", "relu") ** 2).sum().backward()
    np.testing.assert_array_equal(got["dW"][0], wt[0].grad.numpy())
    np.testing.assert_array_equal(got["dx"], xt.grad.numpy())


def test_worked_mlp():
    fwd = ref.mlp_forward(WORKED["x"], WORKED["weights"], WORKED["biases"])
    assert [a.tolist() for a in fwd["a"]] == [[2, 8, 9], [38, 22], [8]]
    assert fwd["z"][-1].tolist() == [8.0]                     # ŷ = 8, not 9
    g = ref.mlp_backward(**WORKED)
    assert g["dW"][2].tolist() == [[-152, -88]] and g["db"][2].tolist() == [-4]
    assert g["dW"][1].tolist() == [[16, 64, 72], [-24, -96, -108]] and g["db"][1].tolist() == [8, -12]
    assert g["dW"][0].shape == (3, 2)
    assert g["dW"][0].tolist() == [[32, 16], [24, 12], [-8, -4]] and g["db"][0].tolist() == [16, 12, -4]
    assert g["dx"].tolist() == [48, 40]


def _graph_torch(x, y, z):
    v = [_t(x, True), _t(y, True), _t(z, True)]
    h1, h2 = torch.log(v[0]), torch.exp(v[1])
    for h in (h1, h2):
        h.retain_grad()
    h3 = h2 * v[2]
    h3.retain_grad()
    f = h1 + h3
    f.backward()
    return f, (h1, h2, h3), v


@pytest.mark.parametrize("xyz", [(1.0, 3.0, 2.0), (0.37, -1.2, 2.9), (5.5, 0.4, -0.8)])
def test_graph_against_autograd(xyz):
    f, hs, v = _graph_torch(*xyz)
    fwd, bwd = ref.graph_forward(*xyz), ref.graph_backward(*xyz)
    for key, h in zip(("h1", "h2", "h3"), hs):
        assert math.isclose(fwd[key], h.item(), rel_tol=1e-12, abs_tol=1e-15)
        assert math.isclose(bwd["df_d" + key], h.grad.item(), rel_tol=1e-12)
    assert math.isclose(fwd["f"], f.item(), rel_tol=1e-12)
    for key, t in zip("xyz", v):
        assert math.isclose(bwd["df_d" + key], t.grad.item(), rel_tol=1e-12)


def test_graph_worked():
    e3 = math.exp(3)
    assert math.isclose(ref.graph_forward(1.0, 3.0, 2.0)["f"], 2 * e3, rel_tol=1e-15)
    assert round(float(ref.graph_forward(1.0, 3.0, 2.0)["f"]), 4) == 40.1711
    b = ref.graph_backward(1.0, 3.0, 2.0)
    assert b["df_dx"] == 1 and math.isclose(b["df_dy"], 2 * e3) and round(float(b["df_dz"]), 4) == 20.0855


@pytest.mark.parametrize("d", [1, 4])
def test_reg_unit_against_autograd(d):
    rng = np.random.default_rng(d)
    w, x = rng.normal(size=d), rng.normal(size=d)
    b, t, lam = 0.3, 0.8, 0.05
    wt, bt, xt = _t(w, True), _t(b, True), _t(x, True)
    zt = wt @ xt + bt
    zt.retain_grad()
    yt = torch.sigmoid(zt)
    yt.retain_grad()
    L = 0.5 * (yt - t) ** 2
    L.backward(retain_graph=True)
    dL_dy, dL_dz = yt.grad.item(), zt.grad.item()
    for v in (wt, bt, xt):
        v.grad = None
    (L + lam * 0.5 * (wt ** 2).sum()).backward()
    g = ref.reg_unit_grads(w, b, x, t, lam)
    assert math.isclose(g["dL_dy"], dL_dy, rel_tol=1e-12) and math.isclose(g["dL_dz"], dL_dz, rel_tol=1e-12)
    np.testing.assert_allclose(g["dw"], wt.grad.numpy(), **TOL)
    np.testing.assert_allclose(g["dx"], xt.grad.numpy(), **TOL)
    assert math.isclose(g["db"], bt.grad.item(), rel_tol=1e-12)
    w_new, b_new = ref.reg_unit_step(w, b, x, t, lam, lr=0.3)
    np.testing.assert_allclose(w_new, w - 0.3 * wt.grad.numpy(), **TOL)
    assert math.isclose(b_new, b - 0.3 * bt.grad.item(), rel_tol=1e-12)
