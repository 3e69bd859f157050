"""Grader for ``deep_linear``: the two-weight linear network of CSC413 Q4.

``loss_after_steps`` is compared on a log scale over a learning-rate grid. Grid points whose
trajectory is chaotic (a 1e-12 relative nudge of the learning rates changes the result beyond
the tolerance, or flips it between converging, vanishing and diverging) are skipped, so two
correct implementations that round differently both pass.
"""

import numpy as np
import sympy

import reference.deep_linear as ref
from autograder import checks
from autograder.checks import Mismatch
from autograder.spec import Module
from autograder.symbolic import expect_equivalent
from autograder.tolerance import DEFAULT, Tolerance

M = Module("deep_linear", total=28, source="CSC413 Q4")

SYMBOLS = {"w1": ref.w1, "w2": ref.w2, "x": ref.x}

LOG_TOL = 1e-6            # |log10(got) - log10(expected)|, about 2.3e-6 relative
LOG = Tolerance(0.0, LOG_TOL, "log10 of a finite loss")
HUGE, TINY = 1e250, 1e-250  # beyond these a loss counts as diverged / as zero
NUDGE = 1e-12


@M.case("pointwise_loss_expr", "symbolic", points=3)
def pointwise_loss_expr_symbolic(f, rng):
    expect_equivalent(f(), ref.pointwise_loss_expr(), SYMBOLS, name="l(x; w1, w2)", rng=rng)


@M.case("population_loss_expr", "symbolic", points=4)
def population_loss_expr_symbolic(f, rng):
    expect_equivalent(f(), ref.population_loss_expr(), SYMBOLS, name="L(w1, w2)", rng=rng)


@M.case("population_grad_expr", "symbolic", points=4)
def population_grad_expr_symbolic(f, rng):
    expect_equivalent(f(), ref.population_grad_expr(), SYMBOLS, shape="vector", name="grad L", rng=rng)


@M.case("population_hessian_expr", "symbolic", points=4)
def population_hessian_expr_symbolic(f, rng):
    expect_equivalent(f(), ref.population_hessian_expr(), SYMBOLS, name="Hessian of L", rng=rng)


@M.case("population_loss_is_convex", "bool", points=2)
def population_loss_is_convex_bool(f, rng):
    checks.expect_bool(f(), False, name="is the population loss convex")


@M.case("population_min_value", "number", points=1)
def population_min_value_number(f, rng):
    got = f()
    if isinstance(got, str):          # a sympy number, or a string such as "0"
        expect_equivalent(got, sympy.Integer(0), SYMBOLS, name="the minimum value", rng=rng)
    else:
        checks.expect_close(got, 0.0, name="the minimum value")


@M.case("is_minimizer", "axes", points=2)
def is_minimizer_axes(f, rng):
    a, b = (float(v) for v in rng.uniform(0.5, 3.0, size=2) * rng.choice([-1, 1], size=2))
    points = [(0.0, b), (a, 0.0), (0.0, 0.0), (-0.0, b), (a, b), (1e-9, b), (a, -1e-12), (1e-8, 1e-8)]
    for (u, v), got in zip(points, f.each(points)):
        checks.expect_bool(got, u == 0 or v == 0, name=f"is_minimizer({u!r}, {v!r})")


@M.case("gd_step", "scalar", points=1)
def gd_step_scalar(f, rng):
    steps = []
    for _ in range(3):
        u, v, a1, a2 = (float(z) for z in rng.uniform(-2, 2, size=4))
        steps.append((u, v, abs(a1), abs(a2)))
    for (u, v, a1, a2), got in zip(steps, f.each(steps)):
        got = checks.expect_sequence(got, 2)
        want = ref.gd_step(u, v, a1, a2)
        checks.expect_close(got[0], want[0], name="new w1")
        checks.expect_close(got[1], want[1], name="new w2", mistakes=_sequential(u, v, a1, a2))


@M.case("gd_step", "broadcast", points=2)
def gd_step_broadcast(f, rng):
    u, v = rng.normal(size=(2, 4, 1))
    a1, a2 = rng.uniform(0, 1, size=(2, 1, 3))
    got = checks.expect_sequence(f(u.copy(), v.copy(), a1.copy(), a2.copy()), 2)
    want = ref.gd_step(u, v, a1, a2)
    where = " (w1 of shape (4, 1), alpha1 of shape (1, 3))"
    checks.expect_array(got[0], want[0], name="new w1" + where)
    checks.expect_array(got[1], want[1], name="new w2" + where, mistakes=_sequential(u, v, a1, a2))


def _sequential(u, v, a1, a2):
    """The new w2 computed from the already-updated w1, as a known mistake."""
    u1 = u - a1 * u * v ** 2
    return {"w2 was updated with the already-updated w1; both updates use the old weights":
            v - a2 * u1 ** 2 * v}


def _classes(loss):
    """0 vanished (below TINY, or exactly 0), 1 ordinary, 2 diverged (inf or above HUGE), 3
    what no loss is (negative, -inf or nan)."""
    out = np.ones(loss.shape, dtype=int)
    out[loss < TINY] = 0
    out[loss > HUGE] = 2
    out[~(loss >= 0)] = 3
    return out


def _log(loss):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.where((loss >= TINY) & (loss <= HUGE), loss, 1.0))


def _stable_reference(a1, a2, w10, w20, k):
    """The reference grid, its classes, log10 values, and the mask of non-chaotic points."""
    base = ref.loss_after_steps(a1, a2, w10, w20, k)
    cls, lg = _classes(base), _log(base)
    stable = np.ones(base.shape, dtype=bool)
    for s1, s2 in ((1, 1), (-1, -1), (1, -1), (-1, 1)):
        other = ref.loss_after_steps(a1 * (1 + s1 * NUDGE), a2 * (1 + s2 * NUDGE), w10, w20, k)
        oc = _classes(other)
        stable &= (oc == cls) & ((cls != 1) | (np.abs(_log(other) - lg) <= LOG_TOL / 10))
    return base, cls, lg, stable


def _grid_calls(grids) -> list:
    """loss_after_steps's arguments for each ``(a1, a2, w10, w20, k)`` of ``grids``."""
    return [(a1.copy(), a2.copy(), w10, w20, k) for a1, a2, w10, w20, k in grids]


def _expect_grid(got, a1, a2, w10, w20, k):
    base, cls, lg, stable = _stable_reference(a1, a2, w10, w20, k)
    got = checks.expect_shape(got, base.shape, name=f"the loss grid after k={k} steps")
    where = lambda idx: (f"alpha1={float(np.broadcast_to(a1, base.shape)[idx]):.6g}, "
                         f"alpha2={float(np.broadcast_to(a2, base.shape)[idx]):.6g}")
    nan = np.argwhere(np.isnan(got))
    if len(nan):
        idx = tuple(nan[0])
        raise Mismatch(f"after k={k} steps the loss at {where(idx)} is nan ({len(nan)} nan entries); "
                       "an entry whose iterates overflow must be inf (inf - inf gives nan: stop "
                       "updating a diverged entry, or mark it)")
    gcls, glg = _classes(got), _log(got)
    names = {0: "converged to 0", 1: "finite", 2: "diverged (inf)", 3: "negative"}
    bad = stable & (gcls != cls)
    if bad.any():
        idx = tuple(np.argwhere(bad)[0])
        raise Mismatch(f"after k={k} steps at {where(idx)}: expected a loss that is {names[cls[idx]]} "
                       f"({base[idx]!r}), got {got[idx]!r} ({int(bad.sum())} grid points differ)")
    bad = stable & (cls == 1) & ~checks.close(glg, lg, rtol=LOG.rtol, atol=LOG.atol, of=LOG.of)
    if bad.any():
        idx = tuple(np.argwhere(bad)[0])
        raise Mismatch(f"after k={k} steps at {where(idx)}: expected loss {base[idx]!r}, got {got[idx]!r} "
                       f"(log10 differs by {abs(glg[idx] - lg[idx]):.3g}; {int(bad.sum())} grid points differ)")


def _grid(rng, lo, hi, n):
    return np.sort(10.0 ** rng.uniform(lo, hi, size=n))


@M.case("loss_after_steps", "grid", points=3, tolerance=(DEFAULT, LOG))
def loss_after_steps_grid(f, rng):
    grids = []
    for k in (1, 10, 50):
        w10, w20 = (float(z) for z in rng.uniform(0.5, 2.0, size=2))
        grids.append((_grid(rng, -3, 0.5, 9)[:, None], _grid(rng, -3, 0.5, 7)[None, :], w10, w20, k))
    replies = f.each([(0.01, 0.02, 1.0, 1.5, 3)] + _grid_calls(grids))
    checks.expect_close(next(replies), ref.loss_after_steps(0.01, 0.02, 1.0, 1.5, 3),
                        name="the loss for scalar learning rates")
    for grid, got in zip(grids, replies):
        _expect_grid(got, *grid)


@M.case("loss_after_steps", "overflow", points=2, tolerance=LOG)
def loss_after_steps_overflow(f, rng):
    grids = []
    for k in (100, 200):
        w10, w20 = (float(z) for z in rng.uniform(1.0, 3.0, size=2))
        grids.append((_grid(rng, -2, 1.5, 8)[:, None], _grid(rng, -2, 1.5, 10)[None, :], w10, w20, k))
    for grid, got in zip(grids, f.each(_grid_calls(grids))):
        _expect_grid(got, *grid)
