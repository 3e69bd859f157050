"""Grader for gradient_flow (Homework 1 P5), 10 points."""

from autograder import checks
from autograder.spec import Args, Module
import reference.gradient_flow as ref

M = Module("gradient_flow", total=10, source="Homework 1 P5")


@M.case("chain_gradient", "worked", points=1)
def chain_gradient_worked(f, rng):
    checks.expect_close(f([0.01, 0.005, 0.1]), 5e-6, rtol=checks.HAND_RTOL)


@M.case("chain_gradient", "random", points=1)
def chain_gradient_random(f, rng):
    chains = [[float(g) for g in rng.uniform(-2, 2, n)] for n in (1, 3, 7)]
    for grads, got in zip(chains, f.each((grads,) for grads in chains)):
        checks.expect_close(got, ref.chain_gradient(grads))


@M.case("residual_gradient", "worked", points=1)
def residual_gradient_worked(f, rng):
    checks.expect_close(f(0.01, [0.005, 0.1]), 0.010005, rtol=checks.HAND_RTOL)


@M.case("residual_gradient", "random", points=1)
def residual_gradient_random(f, rng):
    chains = [(float(rng.normal()), [float(g) for g in rng.uniform(-1, 1, n)]) for n in (1, 2, 5)]
    for (up, grads), got in zip(chains, f.each(chains)):
        checks.expect_close(got, ref.residual_gradient(up, grads))


@M.case("plain_depth_gradient", "worked", points=1)
def plain_depth_gradient_worked(f, rng):
    depths = range(1, 7)
    for n, want, got in zip(depths, (0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125), f.each((n,) for n in depths)):
        checks.expect_close(got, want, rtol=checks.HAND_RTOL, name=f"{n} layers")


@M.case("plain_depth_gradient", "random", points=1)
def plain_depth_gradient_random(f, rng):
    nets = [(int(rng.integers(1, 30)), float(rng.uniform(0.1, 1.5)), float(rng.normal())) for _ in range(4)]
    for (n, local, up), got in zip(nets, f.each(Args(n, local=local, upstream=up) for n, local, up in nets)):
        checks.expect_close(got, ref.plain_depth_gradient(n, local, up))


@M.case("residual_blocks_gradient", "worked", points=2)
def residual_blocks_gradient_worked(f, rng):
    worked = ((2, 0.625), (4, 0.78125), (6, 0.9765625))
    for (n, want), got in zip(worked, f.each((n,) for n, _ in worked)):
        checks.expect_close(got, want, rtol=checks.HAND_RTOL, name=f"{n} layers")


@M.case("residual_blocks_gradient", "random", points=2)
def residual_blocks_gradient_random(f, rng):
    nets = [(2 * int(rng.integers(1, 15)), float(rng.uniform(0.1, 1.2)), float(rng.normal())) for _ in range(4)]
    for (n, local, up), got in zip(nets, f.each(Args(n, local=local, upstream=up) for n, local, up in nets)):
        checks.expect_close(got, ref.residual_blocks_gradient(n, local, up))
