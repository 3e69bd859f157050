"""The homework's probes and measurements, one module per homework module that needs them
(``autograder/probes/<module>.py``), registered in ``autograder/sandbox/probes.py``'s tables
by its decorators (``@probe``, ``@measure``, each naming its warm-up). They hold no answers:
they only measure, and the graders judge what they return.

Loaded (:func:`load`) where torch is: by the zygote before it forks any sandbox, so every
student's process and every measuring process has them, and by ``engine/rehearsal.py``'s ``ceiling``.
The grading process never loads them (it never imports torch).
"""

from __future__ import annotations

import importlib
import pkgutil


def load() -> None:
    """Imports every module of this package (registering what it declares), once."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
