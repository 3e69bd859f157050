"""Grader for jacobians (Assignment 3 §2), 17 points.

Sizes n, d, k are drawn distinct (and include 1 among the numeric cases), so an answer that
swaps two of them cannot pass by luck.
"""

import numpy as np

from autograder import checks
from autograder.spec import Module
import reference.jacobians as ref

M = Module("jacobians", total=17, source="Assignment 3 §2")

SHAPE_CASES = ("const", "sqnorm", "dot", "matvec", "identity", "square", "matmul_t")


def _distinct_sizes(rng, count=3, low=1, high=9):
    """``count`` triples (n, d, k) of pairwise distinct sizes."""
    return [tuple(int(v) for v in rng.choice(np.arange(low, high), 3, replace=False))
            for _ in range(count)]


def _shape_hint(got, n, d, k):
    """Which size went where, when a shape answer is a permutation of the sizes' roles."""
    names = {1: "1", n: "n", d: "d", k: "k"}
    if all(isinstance(v, int) and v in names for v in got):
        return " (in terms of the sizes: (" + ", ".join(names[v] for v in got) + "))"
    return ""


def _shape_case(case):
    def check(f, rng):
        sizes = _distinct_sizes(rng) + [(2, 3, 4)]
        for (n, d, k), got in zip(sizes, f.each((case, n, d, k) for n, d, k in sizes)):
            expected = ref.jacobian_shape(case, n, d, k)
            got = checks.expect_sequence(got, len(expected),
                                         name=f"shape for n={n}, d={d}, k={k}")
            if any(isinstance(g, np.ndarray) and g.ndim for g in got) or list(got) != list(expected):
                want = _shape_hint(expected, n, d, k)
                raise checks.Mismatch(f"for n={n}, d={d}, k={k}: expected {expected}{want}, got "
                                      f"{checks.show(got)}{_shape_hint(got, n, d, k)}; the "
                                      f"Jacobian's shape is the output's shape then the input's")
            for i, (g, e) in enumerate(zip(got, expected)):
                checks.expect_int(g, e, name=f"entry {i} for n={n}, d={d}, k={k}")
    return check


for _case in SHAPE_CASES:
    M.case("jacobian_shape", _case, points=1)(_shape_case(_case))


# ------------------------------------------------------------------- numeric Jacobians

def _vector_sizes(rng):
    """(n, d) pairs with n != d, including d = 1 and n = 1."""
    n1, d1 = (int(v) for v in rng.choice(np.arange(2, 8), 2, replace=False))
    return [(n1, d1), (int(rng.integers(2, 6)), 1), (1, int(rng.integers(2, 6)))]


ELEMENTWISE = ("jac_identity", "jac_square")
DIAGONAL = ("for an elementwise function the Jacobian is the (d, d) matrix with these derivatives "
            "on its diagonal (np.diag)")


def _numeric_case(function, build):
    """A case calling ``function`` with the arguments ``build(rng, n, d)`` returns."""
    def check(f, rng):
        reference = getattr(ref, function)
        instances = [(n, d, build(rng, n, d)) for n, d in _vector_sizes(rng)]
        for (n, d, args), got in zip(instances, f.each([a.copy() for a in args] for _, _, args in instances)):
            expected = reference(*args)
            checks.expect_array(got, expected,
                                name=f"Jacobian (d={d}" + (f", n={n})" if function == "jac_matvec" else ")"),
                                mistakes={DIAGONAL: np.diagonal(expected)} if function in ELEMENTWISE else {})
    return check


NUMERIC = {
    "jac_const": lambda rng, n, d: (rng.standard_normal(d),),
    "jac_sqnorm": lambda rng, n, d: (rng.standard_normal(d),),
    "jac_dot": lambda rng, n, d: (rng.standard_normal(d), rng.standard_normal(d)),
    "jac_matvec": lambda rng, n, d: (rng.standard_normal(d), rng.standard_normal((n, d))),
    "jac_identity": lambda rng, n, d: (rng.standard_normal(d),),
    "jac_square": lambda rng, n, d: (rng.standard_normal(d),),
}

for _function, _build in NUMERIC.items():
    M.case(_function, "random", points=1)(_numeric_case(_function, _build))


# ------------------------------------------------------------------------- jac_matmul_t

def _matmul_t_mistakes(X, k, expected):
    """The usual wrong Jacobians of f(W) = X W^T, J[i,j,a,l] = X[i,l]·δ(j,a) of shape (n, k, k, d)."""
    n, d = X.shape
    ones = np.ones((n, k, k, d))
    should = "it should pair the output column j with the weight row a: X[i,l]·δ(j,a)"
    return {
        "the input's axes came first; the shape (n, k, k, d) is the output's (n, k) then W's (k, d)":
            expected.transpose(2, 3, 0, 1),
        f"the δ pairs the sample index i with the weight row a, J[i,j,a,l] = X[i,l]·δ(i,a); {should}":
            np.einsum("il,ia->ial", X, np.eye(n, k))[:, None] * ones,
        f"the δ pairs the sample index i with the output column j, J[i,j,a,l] = X[i,l]·δ(i,j); {should}":
            np.einsum("il,ij->ijl", X, np.eye(n, k))[:, :, None] * ones,
        f"the δ pairs the output column j with the weight column l, J[i,j,a,l] = X[i,l]·δ(j,l); {should}":
            np.einsum("il,jl->ijl", X, np.eye(k, d))[:, :, None] * ones,
        f"the δ pairs the weight row a with the weight column l, J[i,j,a,l] = X[i,l]·δ(a,l); {should}":
            np.einsum("il,al->ial", X, np.eye(k, d))[:, None] * ones,
        "the δ(j,a) is missing: f[i,j] depends only on row j of W, so J[i,j,a,l] = 0 for a ≠ j":
            X[:, None, None, :] * ones,
    }


def _expect_matmul_t(got, W, X):
    expected = ref.jac_matmul_t(W, X)
    checks.expect_array(got, expected, name="Jacobian",
                        mistakes=_matmul_t_mistakes(X, W.shape[0], expected))


@M.case("jac_matmul_t", "random", points=3)
def jac_matmul_t_random(f, rng):
    pairs = [(rng.standard_normal((k, d)), rng.standard_normal((n, d))) for n, d, k in _distinct_sizes(rng, 3, 1, 6)]
    for (W, X), got in zip(pairs, f.each((W.copy(), X.copy()) for W, X in pairs)):
        _expect_matmul_t(got, W, X)


@M.case("jac_matmul_t", "square", points=1)
def jac_matmul_t_square(f, rng):
    # n = k = d, where a δ on the wrong pair of axes has the right shape and shows only in values
    size = int(rng.integers(2, 5))
    W, X = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    _expect_matmul_t(f(W.copy(), X.copy()), W, X)
