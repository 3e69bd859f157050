"""How one grading run is set: every option and its default, declared once, here.

The front doors (the command line, a class's batch, the notebook check's server, the pytest
plugin, the Gradescope and PrairieLearn bundles, the mutation tool) build one
:class:`GradingOptions` from what they are told and pass it down; the engine and the sandbox
read it and declare no default of their own. Progress reports are not an option: a callable,
passed beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .sandbox.protocol import Limits

if TYPE_CHECKING:
    from .spec import Case


@dataclass(frozen=True)
class GradingOptions:
    """What a grading run is told (the command line's flag in brackets)."""

    seed: int = 0                            # of the random instances and symbolic test points (--seed)
    timeout: float = 5.0                     # seconds per call of a student function (--timeout)
    load_timeout: float = 30.0               # seconds to load: a notebook cell, a module's import
                                             # (--load-timeout); a short demo or training loop fits
    budget: float = 90.0                     # seconds for one submission, loading and calls (--budget)
    modules: tuple[str, ...] | None = None   # grade only these (--module); None: every module
    select: Callable[[Case], bool] | None = None    # keep only the cases it accepts (-k)
    hidden_labels: tuple[str, ...] = ()      # cases of these labels are hidden cases (--hide)
    guarded: tuple[str, ...] = ()            # what no student may read besides the answers (--guard)
    unsandboxed: bool = False                # no isolation where none can be had (--unsandboxed)
    limits: Limits = field(default_factory=Limits)  # each sandbox's resources (the sandbox's own numbers)
