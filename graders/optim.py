"""Grader for ``optim``: Adam, RMSProp, SGD with momentum, GD on a quadratic, Newton's method.

Trajectories are checked step by step: each step feeds the student's own returned state back
in, with the gradient taken on the trusted trajectory, so the first wrong step is reported
(and the usual mistakes are named by comparing that step with their formulas).
"""

import numpy as np

import reference.optim as ref
from autograder import checks
from autograder.checks import Mismatch
from autograder.spec import Module
from autograder.symbolic import expect_equivalent
from autograder.tolerance import Tolerance

M = Module("optim", total=29, source="THW2 Q4-Q5, CSC413 Q2, Homework 1 P3")

SYMBOLS = {"beta1": ref.beta1, "g": ref.g, "t": ref.t}


def _run(step, theta0, grad_fn, steps, state_names):
    """The trajectory of ``step(theta, grad, *state, t)`` from zero state; grad_fn(theta) gives
    each step's gradient. Returns a list of (grad, theta_after, {name: state_after}).

    ``step`` is the reference's, which tests/test_reference_optim.py holds to torch.optim.Adam's
    and torch.optim.SGD's trajectories: grading needs no torch.optim, whose first optimizer
    would add its imports to every grading process (which never imports torch)."""
    theta, state, out = np.array(theta0, dtype=float), [np.zeros(np.shape(theta0))] * len(state_names), []
    for t in range(1, steps + 1):
        gr = grad_fn(theta.copy())
        theta, *state = step(theta, gr, *state, t)
        out.append((gr, np.array(theta), {n: np.array(v) for n, v in zip(state_names, state)}))
    return out


def _quadratic_grad(rng, shape):
    """The gradient of a random separable quadratic plus a fixed wiggle, scaled per entry."""
    a = rng.uniform(0.2, 3.0, size=shape)
    c = rng.normal(size=shape)
    scale = 10.0 ** rng.uniform(-3, 1, size=shape)
    return lambda th: scale * (a * (th - c) + 0.3 * np.sin(3 * th))


# ---------------------------------------------------------------- Adam

def _adam_mistakes(theta, gr, m, v, t, lr, b1, b2, eps):
    """The new theta of one Adam step as the usual mistakes compute it."""
    m1, v1 = b1 * m + (1 - b1) * gr, b2 * v + (1 - b2) * gr ** 2
    with np.errstate(all="ignore"):
        mh, vh = m1 / (1 - b1 ** t), v1 / (1 - b2 ** t)
        m0, v0 = m1 / (1 - b1 ** (t + 1)), v1 / (1 - b2 ** (t + 1))
        return {
            "no bias correction (theta - lr m / (sqrt(v) + eps))": theta - lr * m1 / (np.sqrt(v1) + eps),
            "counting t from 0 (bias correction 1 - beta**(t + 1); t is already 1-based)":
                theta - lr * m0 / (np.sqrt(v0) + eps),
            "bias correction with 1 - beta**(t - 1)":
                theta - lr * (m1 / (1 - b1 ** (t - 1))) / (np.sqrt(v1 / (1 - b2 ** (t - 1))) + eps),
            "eps inside the square root (sqrt(v_hat + eps))": theta - lr * mh / np.sqrt(vh + eps),
            "correcting only m (not v)": theta - lr * mh / (np.sqrt(v1) + eps),
            "the gradient instead of m_hat in the numerator": theta - lr * gr / (np.sqrt(vh) + eps),
        }


def _check_adam(f, rng, shape, steps, kwargs):
    lr, b1 = kwargs.get("lr", 1e-3), kwargs.get("beta1", 0.9)
    b2, eps = kwargs.get("beta2", 0.999), kwargs.get("eps", 1e-8)
    theta0 = rng.normal(size=shape)
    run = _run(lambda th, gr, m, v, t: ref.adam_step(th, gr, m, v, t, lr, b1, b2, eps), theta0,
               _quadratic_grad(rng, shape), steps, ("exp_avg", "exp_avg_sq"))
    calls = f.feedback([theta0, np.zeros(shape), np.zeros(shape)],
                       [(gr, t) for t, (gr, _, _) in enumerate(run, start=1)],
                       [("state", 0), ("step", 0), ("state", 1), ("state", 2), ("step", 1)], **kwargs)
    for t, ((theta, gr, m, v, _), out), (_, want_theta, state) in zip(range(1, steps + 1), calls, run):
        got = checks.expect_sequence(out, 3)
        for name, g in zip("theta m v".split(), got):
            checks.expect_shape(g, shape, name=f"{name} at step t={t}")
        checks.expect_array(got[0], want_theta, name=f"theta after step t={t} (torch.optim.Adam)",
                            mistakes=_adam_mistakes(theta, gr, m, v, t, lr, b1, b2, eps))
        for name, g_val, key, corr in (("m", got[1], "exp_avg", 1 - b1 ** t),
                                       ("v", got[2], "exp_avg_sq", 1 - b2 ** t)):
            checks.expect_array(g_val, state[key], name=f"{name} after step t={t} (torch.optim.Adam)",
                                mistakes={f"this is the bias-corrected {name}_hat; return the raw running "
                                          f"average {name} (the next step corrects it again)": state[key] / corr})


@M.case("adam_step", "vs_torch", points=4)
def adam_step_vs_torch(f, rng):
    for shape in ((1,), (3, 4)):
        _check_adam(f, rng, shape, 50, {})


@M.case("adam_step", "hyperparams", points=2)
def adam_step_hyperparams(f, rng):
    _check_adam(f, rng, (5,), 50, dict(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-4))


@M.case("adam_bias_correction", "random", points=2)
def adam_bias_correction_random(f, rng):
    instances = []
    for shape in ((1,), (4,), (2, 3)):
        m, v = rng.normal(size=shape), rng.uniform(0, 2, size=shape)
        t = int(rng.integers(1, 60))
        instances.append((m, v, t, float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.9, 0.9999))))
    for (m, v, t, b1, b2), got in zip(instances, f.each((m.copy(), v.copy(), t, b1, b2)
                                                        for m, v, t, b1, b2 in instances)):
        got = checks.expect_sequence(got, 2)
        want = ref.adam_bias_correction(m, v, t, b1, b2)
        for name, g_val, w_val, raw, b in (("m_hat", got[0], want[0], m, b1),
                                           ("v_hat", got[1], want[1], v, b2)):
            checks.expect_array(g_val, w_val, name=name, mistakes={
                f"dividing by 1 - {b:g}**(t+1) (t is already 1-based)": raw / (1 - b ** (t + 1)),
                "multiplying by (1 - beta**t) instead of dividing": raw * (1 - b ** t)})


@M.case("adam_first_moment_expr", "symbolic", points=3)
def adam_first_moment_expr_symbolic(f, rng):
    expect_equivalent(f(), ref.adam_first_moment_expr(), SYMBOLS, name="m_t", rng=rng)


# ---------------------------------------------------------------- RMSProp

RMSPROP_DEFAULTS = {"beta2": 0.9, "eps": 1e-8}        # rmsprop_step's, as the contract states


def _check_rmsprop(f, theta0, grads, lr, **given):
    """A trajectory of rmsprop_step with the hyperparameters ``given``, the others left to
    their defaults (and named in the feedback)."""
    beta2, eps = (given.get(k, v) for k, v in RMSPROP_DEFAULTS.items())
    where = ", ".join(f"{k}={given[k]:g}" if k in given else f"{k}={v:g} by default"
                      for k, v in RMSPROP_DEFAULTS.items())
    calls = f.feedback([theta0, np.zeros_like(theta0)], [(gr, lr) for gr in grads],
                       [("state", 0), ("step", 0), ("state", 1), ("step", 1)], **given)
    for step, ((theta, gr, s, _), out) in enumerate(calls, start=1):
        got = checks.expect_sequence(out, 2)
        for name, g in zip(("theta", "s"), got):
            checks.expect_shape(g, theta0.shape, name=f"{name} at step {step}")
        s_new = beta2 * s + (1 - beta2) * gr ** 2
        s_swap = (1 - beta2) * s + beta2 * gr ** 2
        mistakes = {
            "eps outside the root, theta - lr g / (sqrt(s) + eps) (torch.optim.RMSprop's form; "
            "the homework's RMSProp divides by sqrt(s + eps))": theta - lr * gr / (np.sqrt(s_new) + eps),
            "the old s (before this step's update) in the denominator": theta - lr * gr / np.sqrt(s + eps),
            "beta2 and 1 - beta2 swapped in the running average": theta - lr * gr / np.sqrt(s_swap + eps)}
        if "beta2" not in given:
            for wrong, whose in ((0.99, "torch.optim.RMSprop's alpha"), (0.999, "Adam's beta2")):
                s_wrong = wrong * s + (1 - wrong) * gr ** 2
                mistakes[f"beta2 defaults to {beta2:g} (the homework's RMSProp), not {wrong:g} ({whose})"] = \
                    theta - lr * gr / np.sqrt(s_wrong + eps)
        checks.expect_array(got[0], theta - lr * gr / np.sqrt(s_new + eps),
                            name=f"theta after step {step} ({where})", mistakes=mistakes)
        checks.expect_array(got[1], s_new, name=f"s after step {step} ({where})")


@M.case("rmsprop_step", "trajectory", points=3)
def rmsprop_step_trajectory(f, rng):
    # small gradients with the defaults (beta2 = 0.9, eps = 1e-8), then eps = 0.01 with
    # gradients near 0.1: in both, sqrt(s + eps) and sqrt(s) + eps differ far beyond the tolerance
    _check_rmsprop(f, rng.normal(size=(4,)), rng.normal(size=(15, 4)) * 1e-4, 0.01)
    _check_rmsprop(f, rng.normal(size=(2, 3)), rng.normal(size=(15, 2, 3)) * 0.1, 0.1, beta2=0.5, eps=0.01)
    _check_rmsprop(f, rng.normal(size=(1,)), rng.normal(size=(5, 1)), 0.05, beta2=0.99, eps=0.1)


def _effect(f, key, want):
    got = checks.expect_dict(f(), ("theta1", "theta2"))[key]
    if not isinstance(got, str) or got.strip().lower() not in ("slower", "faster"):
        raise Mismatch(f"{key}: expected \"slower\" or \"faster\", got {checks.show(got)}")
    if got.strip().lower() != want:
        raise Mismatch(f"{key}: wrong answer {got!r}")


@M.case("rmsprop_effect", "theta1", points=1)
def rmsprop_effect_theta1(f, rng):
    _effect(f, "theta1", "slower")


@M.case("rmsprop_effect", "theta2", points=1)
def rmsprop_effect_theta2(f, rng):
    _effect(f, "theta2", "faster")


# ---------------------------------------------------------------- SGD with momentum

def _check_momentum_step(out, w, gr, m, lr, mu, want_w, want_m, where):
    got = checks.expect_sequence(out, 2)
    for name, g in zip(("w", "m"), got):
        checks.expect_shape(g, w.shape, name=f"{name} {where}")
    checks.expect_array(got[0], want_w, name=f"w {where}", mistakes={
        "m <- mu m - g (a sign flipped: the step goes uphill)": w - lr * (mu * m - gr),
        "w <- w + lr m (a sign flipped: the step goes uphill)": w + lr * (mu * m + gr),
        "dampening, m <- mu m + (1 - mu) g (torch's SGD has no dampening by default)":
            w - lr * (mu * m + (1 - mu) * gr),
        "updating w with the old m": w - lr * m,
        "Nesterov's update (torch's default is nesterov=False)": w - lr * (gr + mu * (mu * m + gr))})
    checks.expect_array(got[1], want_m, name=f"m {where}", mistakes={
        "the velocity convention v <- mu v - lr g, w <- w + v (here the buffer is m <- mu m + g "
        "and w <- w - lr m)": mu * m - lr * gr,
        "m <- mu m - g": mu * m - gr})


@M.case("sgd_momentum_step", "vs_torch", points=2)
def sgd_momentum_step_vs_torch(f, rng):
    for shape, lr, mu in (((1,), 0.1, 0.9), ((2, 3), 0.03, 0.5)):
        w0 = rng.normal(size=shape)
        run = _run(lambda w, gr, m, t: ref.sgd_momentum_step(w, gr, m, lr, mu), w0,
                   _quadratic_grad(rng, shape), 30, ("momentum_buffer",))
        calls = f.feedback([w0, np.zeros(shape)], [(gr, lr, mu) for gr, _, _ in run],
                           [("state", 0), ("step", 0), ("state", 1), ("step", 1), ("step", 2)])
        for step, ((w, gr, m, _, _), out), (_, want_w, state) in zip(range(1, 31), calls, run):
            _check_momentum_step(out, w, gr, m, lr, mu, want_w, state["momentum_buffer"],
                                 f"after step {step} (torch.optim.SGD(lr={lr}, momentum={mu}))")


@M.case("sgd_momentum_step", "random_state", points=1)
def sgd_momentum_step_random_state(f, rng):
    instances = [(*rng.normal(size=(3,) + shape), float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.1, 0.99)))
                 for shape in ((1,), (5,), (3, 2))]
    for (w, gr, m, lr, mu), got in zip(instances, f.each((w.copy(), gr.copy(), m.copy(), lr, mu)
                                                         for w, gr, m, lr, mu in instances)):
        want_w, want_m = ref.sgd_momentum_step(w, gr, m, lr, mu)
        _check_momentum_step(got, w, gr, m, lr, mu, want_w, want_m, "from a nonzero m")


# ---------------------------------------------------------------- GD on a quadratic, Newton

def _spd(rng, d, cond=None):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = 10.0 ** rng.uniform(-1, 1, size=d) if cond is None else np.logspace(0, -np.log10(cond), d)
    H = (Q * lam) @ Q.T
    return (H + H.T) / 2


def _instances(rng) -> list:
    """(H, w0, lr) for d = 1, 2, 5, with lr below 1 / the largest eigenvalue of H."""
    out = []
    for d in (1, 2, 5):
        H = _spd(rng, d)
        lr = float(rng.uniform(0.1, 0.9) / np.linalg.eigvalsh(H)[-1])
        out.append((H, rng.normal(size=d), lr))
    return out


@M.case("quadratic_gd", "random", points=3)
def quadratic_gd_random(f, rng):
    # odd step counts on d = 1 and d = 5: seven steps on d = 1 can shrink w below the tolerance,
    # and an update whose sign slips (2 lr H w - w) is right after an even number of steps
    instances = [(H, w0, lr, steps) for (H, w0, lr), steps in zip(_instances(rng), (7, 0, 31))]
    for (H, w0, lr, steps), got in zip(instances, f.each((H.copy(), w0.copy(), lr, steps)
                                                         for H, w0, lr, steps in instances)):
        checks.expect_shape(got, w0.shape)
        half = w0.copy()                   # the iterate with half the gradient
        for _ in range(steps):
            half = half - lr * H @ half
        checks.expect_array(got, ref.quadratic_gd(H, w0, lr, steps), name=f"w after {steps} steps",
                            mistakes={"the gradient H w (the gradient of w^T H w is 2 H w)": half})


def _closed_form_case(f, rng, steps):
    instances = _instances(rng)
    for (H, w0, lr), got in zip(instances, f.each((H.copy(), w0.copy(), lr, steps) for H, w0, lr in instances)):
        checks.expect_array(got, ref.quadratic_gd(H, w0, lr, steps), name=f"w_{steps} (the gradient-descent iterate)")


@M.case("quadratic_gd_closed_form", "t0", points=0.5)
def quadratic_gd_closed_form_t0(f, rng):
    _closed_form_case(f, rng, 0)


@M.case("quadratic_gd_closed_form", "t1", points=1)
def quadratic_gd_closed_form_t1(f, rng):
    _closed_form_case(f, rng, 1)


@M.case("quadratic_gd_closed_form", "t50", points=1)
def quadratic_gd_closed_form_t50(f, rng):
    _closed_form_case(f, rng, 50)


HADAMARD = np.kron([[1.0, 1.0], [1.0, -1.0]], [[1.0, 1.0], [1.0, -1.0]]) / 2     # orthogonal, exactly


def repeated_eigenvalue_instances(rng) -> list:
    """(H, w0, lr, steps) where H has a repeated eigenvalue, whose eigenvectors are any
    orthonormal basis of its eigenspace (np.linalg.eig returns a basis that is not orthogonal):
    d = 4 with an eigenvalue of multiplicity 3, exactly (a signed permutation of a Hadamard
    matrix, halved, and powers of 2: every product and sum exact), then Q from a QR with the
    spectra (a, b, b, b, c) and (a, a, a, b, b, b). Few steps: after many, every component
    has decayed below the tolerance, the wrong ones too."""
    signs = rng.choice([-1.0, 1.0], 4)[:, None] * np.eye(4)[rng.permutation(4)]
    Q = signs @ HADAMARD
    small, big = 2.0 ** rng.integers(-3, 0), 2.0 ** rng.integers(1, 3)
    exact = ((Q * [small, big, big, big]) @ Q.T, [small, big, big, big])
    spectra = [exact]
    for d, pattern in ((5, (0, 1, 1, 1, 2)), (6, (0, 0, 0, 1, 1, 1))):
        Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
        lam = (10.0 ** rng.uniform(-1, 1, size=3))[list(pattern)]
        H = (Q * lam) @ Q.T
        spectra.append(((H + H.T) / 2, lam))
    return [(H, rng.normal(size=len(lam)), float(rng.uniform(0.1, 0.9) / max(lam)), steps)
            for (H, lam), steps in zip(spectra, (1, 3, 5))]


def _closed_form_with_eig(H, w0, lr, steps):
    """The closed form with np.linalg.eig's eigenvectors, as if they were orthonormal."""
    lam, Q = np.linalg.eig(H)
    return np.real(Q @ ((1 - 2 * lr * lam) ** steps * (Q.T @ w0)))


@M.case("quadratic_gd_closed_form", "repeated_eigenvalue", points=0.5)
def quadratic_gd_closed_form_repeated_eigenvalue(f, rng):
    instances = repeated_eigenvalue_instances(rng)
    for (H, w0, lr, steps), got in zip(instances, f.each((H.copy(), w0.copy(), lr, steps)
                                                         for H, w0, lr, steps in instances)):
        checks.expect_array(got, ref.quadratic_gd(H, w0, lr, steps),
                            name=f"w_{steps} (H has a repeated eigenvalue)", mistakes={
            "np.linalg.eig's eigenvectors are not orthonormal when an eigenvalue repeats, so Q^T is "
            "not Q^{-1}: use np.linalg.eigh for a symmetric H": _closed_form_with_eig(H, w0, lr, steps)})


@M.case("quadratic_gd_max_lr", "random", points=2)
def quadratic_gd_max_lr_random(f, rng):
    hessians = [_spd(rng, d) for d in (1, 3, 4)]
    for H, got in zip(hessians, f.each((H.copy(),) for H in hessians)):
        lam = np.linalg.eigvalsh(H)
        checks.expect_close(got, 1 / lam[-1], name="the largest learning rate", mistakes={
            "2 / lambda_max, the bound for J = w^T H w / 2 (here grad J = 2 H w)": 2 / lam[-1],
            "1 / lambda_min (the bound comes from the largest eigenvalue)": 1 / lam[0]})


# a solve with H of condition number 1e8 loses up to 8 digits: about 1e-7 |w| here, whichever
# way (solve, inv, pinv, lstsq, eigh); the mistakes below differ by more than 0.1 |w|
ILL_CONDITIONED = Tolerance(checks.RTOL, 1e-5)


def _newton_case(f, rng, conds, tolerance=checks.DEFAULT):
    instances = []
    for d, cond in conds:
        H = _spd(rng, d, cond)
        w = rng.normal(size=d)
        instances.append((H, w, float(rng.uniform(0.1, 1.0))))
    for (H, w, eta), got in zip(instances, f.each((H.copy(), w.copy(), eta) for H, w, eta in instances)):
        # the exact answer, (1 - eta) w, never a solve that may have lost digits
        checks.expect_array(got, (1 - eta) * w, rtol=tolerance.rtol, atol=tolerance.atol,
                            name=f"the Newton step (condition number of H {np.linalg.cond(H):.1e})",
                            mistakes={"w - eta H^{-1} grad J: the Hessian of w^T H w is 2H": w - eta * 2 * w,
                                      "w - eta grad J (a gradient step, not Newton's)": w - eta * 2 * H @ w})


@M.case("newton_step", "random", points=1)
def newton_step_random(f, rng):
    _newton_case(f, rng, ((1, None), (3, None), (5, None)))


@M.case("newton_step", "ill_conditioned", points=1, tolerance=ILL_CONDITIONED)
def newton_step_ill_conditioned(f, rng):
    _newton_case(f, rng, ((4, 1e7), (6, 1e8)), ILL_CONDITIONED)
