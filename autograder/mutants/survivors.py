"""Checking the survivors: for each module, the inputs its cases send (with the grading seed
and ``EXTRA_SEEDS`` more) and their changed copies, the reference's outcome on each (in the
reference's own sandbox, once), then every survivor against those, in worker processes, each
survivor in a sandbox of its own, stopping at the first input that separates it.

A mutant changes the results of the function it lies in and of the module's public functions
that call it (``callers``); only their inputs are tried.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable

import sympy

from .. import catalog
from ..engine.session import Session
from ..options import GradingOptions
from ..submission import open_submission
from . import grading, perturb
from .differential import Reference, Separation, separate
from .generate import Mutant, reference_source
from .record import Call, record

EXTRA_SEEDS = 4             # seeds beyond the grading seed whose instances are tried
PERTURBED_SEEDS = 2         # the first seeds (the grading seed first) whose instances are changed too
BUDGET = 10**6              # seconds of calls for a check's session: each call has its own limit


def callers(source: str) -> dict[str, set[str]]:
    """For each module-level function, the public functions whose results it can change: itself
    and those that call it, directly or through others (by name, within the module)."""
    tree = ast.parse(source)
    funcs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    uses = {name: {n.id for n in ast.walk(f) if isinstance(n, ast.Name) and n.id in funcs}
            for name, f in funcs.items()}
    out = {}
    for name in funcs:
        reach, todo = {name}, [name]
        while todo:
            g = todo.pop()
            for caller, used in uses.items():
                if g in used and caller not in reach:
                    reach.add(caller)
                    todo.append(caller)
        out[name] = {f for f in reach if not f.startswith("_")}
    return out


def inputs(module: str, seed: int, fallback: Callable) -> list[Call]:
    """What the check tries, in order: the calls the module's cases send with the grading seed,
    then with the other seeds, then the changed copies (``perturb``) of those of the first
    ``PERTURBED_SEEDS`` seeds, kept in the domains the cases show; smallest first within each."""
    ref = importlib.import_module(f"reference.{module}")
    seeds = [seed] + [seed + k for k in range(1, EXTRA_SEEDS + 1)]
    sent = record(catalog.cases((module,)), seeds, fallback)
    signatures = {}
    for call in sent:
        fn = getattr(ref, call.function, None)
        if call.function not in signatures:
            signatures[call.function] = inspect.signature(fn) if callable(fn) else None
    domains = perturb.Domains(sent)
    changed = [v for call in sent if call.seed in seeds[:PERTURBED_SEEDS]
               for v in perturb.variants(call, signatures[call.function]) if domains.admits(v)]
    return _smallest_first(sent, seeds) + _smallest_first(changed, seeds)


def _smallest_first(calls: list[Call], seeds: list[int]) -> list[Call]:
    """Seed by seed, the calls with the fewest numbers first: the input a report shows is then
    the smallest that separates."""
    def size(call: Call) -> int:
        return sum(perturb.floats_in(v).size for v in (*call.args, *call.kwargs.values()))
    return sorted(calls, key=lambda c: (seeds.index(c.seed), size(c)))


def symbols_of(module: str) -> dict[str, sympy.Symbol]:
    ref = importlib.import_module(f"reference.{module}")
    return {k: v for k, v in vars(ref).items() if isinstance(v, sympy.Symbol)}


class Sandboxed:
    """A submission folder's session for the check, as a ``send`` that forgets earlier timeouts
    (a timed-out input must not cost the inputs after it); ``close`` ends its process."""

    def __init__(self, folder: str, timeout: float):
        self.session = Session(open_submission(folder), GradingOptions(timeout=timeout, budget=BUDGET))

    def send(self, message, timeout=None):
        self.session.timed_out.clear()
        return self.session.send(message, timeout)

    def close(self) -> None:
        self.session.close()


@dataclass
class Plan:
    """A module's inputs, with the reference's outcome on each one a survivor needs."""

    reference: Reference
    reach: dict[str, set[str]]
    symbols: dict[str, sympy.Symbol]

    def indices(self, mutant: Mutant) -> list[int]:
        functions = self.reach.get(mutant.item, {mutant.item})
        return [k for k, c in enumerate(self.reference.inputs) if c.function in functions]


def plan(root: str, module: str, mutants: list[Mutant], seed: int, timeout: float) -> Plan:
    folder = os.path.join(root, "reference", module)
    os.makedirs(folder, exist_ok=True)
    os.chmod(folder, 0o755)
    with open(os.path.join(folder, f"{module}.py"), "w") as f:
        f.write(reference_source(module))
    sandboxed = Sandboxed(folder, timeout)
    try:
        found = Plan(Reference(sandboxed.send, module, inputs(module, seed, sandboxed.send)),
                     callers(reference_source(module)), symbols_of(module))
        found.reference.outcomes(sorted({k for m in mutants for k in found.indices(m)}))
    finally:
        sandboxed.close()
    return found


_plans: dict[str, Plan] = {}      # by module, made before the workers fork


def _separate(root: str, mutant: Mutant, timeout: float) -> Separation | None:
    """In a worker: the first input separating ``mutant`` from the reference, or None."""
    p = _plans[mutant.module]
    sandboxed = Sandboxed(grading.folder_of(root, mutant), timeout)
    try:
        return separate(sandboxed.send, p.reference, p.indices(mutant), p.symbols)
    finally:
        sandboxed.close()


def check(root: str, survivors: list[Mutant], seed: int, timeout: float, workers: int | None,
          progress: Callable[[str], None]) -> dict[str, Separation | None]:
    """For each survivor (by name), the first input that separates it from the reference."""
    if not survivors:
        return {}
    for module in dict.fromkeys(m.module for m in survivors):
        progress(f"recording the inputs of {module} and the reference's outcomes")
        _plans[module] = plan(root, module, [m for m in survivors if m.module == module], seed, timeout)
    workers = min(len(survivors), workers or len(os.sched_getaffinity(0)) + 1)
    out: dict[str, Separation | None] = {}
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_separate, root, m, timeout): m for m in survivors}
            for done, future in enumerate(as_completed(futures), 1):
                out[futures[future].name] = future.result()
                progress(f"checked {done} of {len(survivors)} survivors")
    finally:
        _plans.clear()
    return out
