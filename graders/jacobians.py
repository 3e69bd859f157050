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
        for n, d, k in _distinct_sizes(rng) + [(2, 3, 4)]:
            expected = ref.jacobian_shape(case, n, d, k)
            got = checks.expect_sequence(f(case, n, d, k), len(expected),
                                         name=f"shape for n={n}, d={d}, k={k}")
            if list(got) != list(expected):
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


def _expect_jac(got, expected, name="Jacobian"):
    expected = np.asarray(expected)
    if isinstance(got, np.ndarray) and got.ndim == 1 and expected.ndim == 2 and \
            expected.shape[0] == expected.shape[1] == got.shape[0] > 1:
        raise checks.Mismatch(f"{name}: shape {got.shape}, expected {expected.shape}: for an "
                              f"elementwise function the Jacobian is the (d, d) matrix with these "
                              f"derivatives on its diagonal (np.diag)")
    checks.expect_array(got, expected, name=name)


def _numeric_case(function, build):
    """A case calling ``function`` with the arguments ``build(rng, n, d)`` returns."""
    def check(f, rng):
        reference = getattr(ref, function)
        for n, d in _vector_sizes(rng):
            args = build(rng, n, d)
            got = f(*[a.copy() for a in args])
            _expect_jac(got, reference(*args), name=f"Jacobian (d={d}" +
                        (f", n={n})" if function == "jac_matvec" else ")"))
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

def _matmul_t_mistakes(X, k):
    """Common wrong answers of shape (n, k, k, d), each with what went wrong."""
    n, d = X.shape
    ones = np.ones((n, k, k, d))
    return [
        (np.einsum("il,ia->ial", X, np.eye(n, k))[:, None] * ones,
         "the δ pairs the sample index i with the weight row a, J[i,j,a,l] = X[i,l]·δ(i,a); "
         "it should pair the output column j with the weight row a: X[i,l]·δ(j,a)"),
        (np.einsum("il,ij->ijl", X, np.eye(n, k))[:, :, None] * ones,
         "the δ pairs the sample index i with the output column j, J[i,j,a,l] = X[i,l]·δ(i,j); "
         "it should pair the output column j with the weight row a: X[i,l]·δ(j,a)"),
        (np.einsum("il,jl->ijl", X, np.eye(k, d))[:, :, None] * ones,
         "the δ pairs the output column j with the weight column l, J[i,j,a,l] = X[i,l]·δ(j,l); "
         "it should pair the output column j with the weight row a: X[i,l]·δ(j,a)"),
        (np.einsum("il,al->ial", X, np.eye(k, d))[:, None] * ones,
         "the δ pairs the weight row a with the weight column l, J[i,j,a,l] = X[i,l]·δ(a,l); "
         "it should pair the output column j with the weight row a: X[i,l]·δ(j,a)"),
        (X[:, None, None, :] * ones,
         "the δ(j,a) is missing: f[i,j] depends only on row j of W, so J[i,j,a,l] = 0 for a ≠ j"),
    ]


def _expect_matmul_t(got, W, X):
    k = W.shape[0]
    n, d = X.shape
    expected = ref.jac_matmul_t(W, X)
    if isinstance(got, np.ndarray) and got.shape == (k, d, n, k) != expected.shape:
        raise checks.Mismatch(f"Jacobian: shape {got.shape}, expected (n, k, k, d) = "
                              f"{expected.shape}: the input's axes came first; the shape is the "
                              f"output's (n, k) then W's (k, d)")
    arr = checks.expect_shape(got, expected.shape, "Jacobian")
    try:
        checks.expect_array(arr, expected, name="Jacobian")
    except checks.Mismatch as exc:
        for wrong, why in _matmul_t_mistakes(X, k):
            if np.allclose(arr, wrong, rtol=checks.RTOL, atol=checks.ATOL):
                raise checks.Mismatch(f"{exc}: {why}") from None
        raise


@M.case("jac_matmul_t", "random", points=3)
def _(f, rng):
    for n, d, k in _distinct_sizes(rng, 3, 1, 6):
        W, X = rng.standard_normal((k, d)), rng.standard_normal((n, d))
        _expect_matmul_t(f(W.copy(), X.copy()), W, X)


@M.case("jac_matmul_t", "square", points=1)
def _(f, rng):
    # n = k = d, where a δ on the wrong pair of axes has the right shape and shows only in values
    size = int(rng.integers(2, 5))
    W, X = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    _expect_matmul_t(f(W.copy(), X.copy()), W, X)
