"""Backprop in plain Python loops over lists."""

import math


def L(a):
    return a.tolist() if hasattr(a, "tolist") else a


def matvec(W, x):
    return [sum(W[i][j] * x[j] for j in range(len(x))) for i in range(len(W))]


def dense_forward(x, W, b):
    x, W, b = L(x), L(W), L(b)
    if isinstance(x[0], list):
        return [dense_forward(row, W, b) for row in x]
    return [s + bi for s, bi in zip(matvec(W, x), b)]


def dense_backward(da, x, W, b):
    da, x, W = L(da), L(x), L(W)
    single = not isinstance(x[0], list)
    if single:
        da, x = [da], [x]
    out, inp = len(W), len(W[0])
    dx = [[sum(d[o] * W[o][i] for o in range(out)) for i in range(inp)] for d in da]
    dW = [[sum(d[o] * xn[i] for d, xn in zip(da, x)) for i in range(inp)] for o in range(out)]
    db = [sum(d[o] for d in da) for o in range(out)]
    return (dx[0] if single else dx), dW, db


def _act(name, a):
    if name == "relu":
        return (a if a > 0 else 0.0), (1.0 if a > 0 else 0.0)
    if name == "sigmoid":
        s = 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))
        return s, s * (1 - s)
    if name == "tanh":
        t = math.tanh(a)
        return t, 1 - t * t
    return a, 1.0


def _forward1(x, Ws, bs, act, out_act):
    a_list, z_list, d_list, h = [], [], [], x
    for l, (W, b) in enumerate(zip(Ws, bs)):
        name = out_act if l == len(Ws) - 1 else act
        a = [s + bi for s, bi in zip(matvec(W, h), b)]
        pairs = [_act(name, v) for v in a]
        h = [p[0] for p in pairs]
        a_list.append(a)
        z_list.append(h)
        d_list.append([p[1] for p in pairs])
    return a_list, z_list, d_list


def mlp_forward(x, weights, biases, activation="relu", output_activation="relu"):
    x, Ws, bs = L(x), [L(W) for W in weights], [L(b) for b in biases]
    if isinstance(x[0], list):
        runs = [_forward1(row, Ws, bs, activation, output_activation) for row in x]
        return {"a": [[r[0][l] for r in runs] for l in range(len(Ws))],
                "z": [[r[1][l] for r in runs] for l in range(len(Ws))]}
    a, z, _ = _forward1(x, Ws, bs, activation, output_activation)
    return {"a": a, "z": z}


def _backward1(x, y, Ws, bs, act, out_act):
    _, z, d = _forward1(x, Ws, bs, act, out_act)
    y = y if isinstance(y, list) else [y]
    delta = [2 * (zi - yi) * di for zi, yi, di in zip(z[-1], y, d[-1])]
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        prev = z[l - 1] if l > 0 else x
        dWs[l] = [[delta[o] * prev[i] for i in range(len(prev))] for o in range(len(delta))]
        dbs[l] = list(delta)
        back = [sum(Ws[l][o][i] * delta[o] for o in range(len(delta))) for i in range(len(prev))]
        delta = [g * di for g, di in zip(back, d[l - 1])] if l > 0 else back
    return dWs, dbs, delta


def _add(a, b):
    if isinstance(a, list):
        return [_add(u, v) for u, v in zip(a, b)]
    return a + b


def mlp_backward(x, y, weights, biases, activation="relu", output_activation="relu"):
    x, y, Ws, bs = L(x), L(y), [L(W) for W in weights], [L(b) for b in biases]
    if not isinstance(x[0], list):
        dW, db, dx = _backward1(x, y, Ws, bs, activation, output_activation)
        return {"dW": dW, "db": db, "dx": dx}
    total, dxs = None, []
    for xn, yn in zip(x, y):
        dW, db, dx = _backward1(xn, yn, Ws, bs, activation, output_activation)
        total = (dW, db) if total is None else (_add(total[0], dW), _add(total[1], db))
        dxs.append(dx)
    return {"dW": total[0], "db": total[1], "dx": dxs}


def graph_forward(x, y, z):
    h1, h2 = math.log(x), math.exp(y)
    h3 = h2 * z
    return {"h1": h1, "h2": h2, "h3": h3, "f": h1 + h3}


def graph_backward(x, y, z):
    h2 = math.exp(y)
    return {"df_dh1": 1.0, "df_dh2": z, "df_dh3": 1.0, "df_dx": 1 / x, "df_dy": h2 * z, "df_dz": h2}


def reg_unit_grads(w, b, x, t, lam):
    w, x = L(w), L(x)
    zz = sum(wi * xi for wi, xi in zip(w, x)) + b
    y = 1 / (1 + math.exp(-zz))
    dL_dy = y - t
    dL_dz = dL_dy * y * (1 - y)
    return {"dL_dy": dL_dy, "dL_dz": dL_dz, "dw": [dL_dz * xi + lam * wi for wi, xi in zip(w, x)],
            "db": dL_dz, "dx": [dL_dz * wi for wi in w]}


def reg_unit_step(w, b, x, t, lam, lr=0.1):
    g = reg_unit_grads(w, b, x, t, lam)
    return [wi - lr * gi for wi, gi in zip(L(w), g["dw"])], b - lr * g["db"]
