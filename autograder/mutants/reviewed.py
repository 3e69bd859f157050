"""The reviewed list: surviving mutants a person has judged harmless, each with the reason (an
equivalent rewrite, a value the contract allows, an input the contract excludes). A JSON file:

    {"mutants": [{"module": "gradient_flow", "function": "residual_blocks_gradient",
                  "operator": "binary",
                  "before": "return upstream * (1 + local ** 2) ** (n_layers // 2)",
                  "after": "return upstream * (1 + local ** 2) ** (n_layers / 2)",
                  "reason": "n_layers is even (the contract), so // 2 and / 2 agree"}]}

An entry matches the mutant with the same module, function, operator and normalized statement
before and after (``generate.Mutant.key``; ``"occurrence"``, 1-based, only where one function
holds the same change twice), so edits elsewhere in the reference leave it valid.
"""

from __future__ import annotations

import json
import os

from ..paths import PACKAGES_HOME
from .generate import Mutant

DEFAULT_PATH = os.path.join(PACKAGES_HOME, "tests", "mutants", "equivalent.json")
FIELDS = ("module", "function", "operator", "before", "after")


def entry_key(entry: dict) -> str:
    where = f"{entry['module']}.{entry['function']}"
    occurrence = int(entry.get("occurrence", 1))
    more = f" #{occurrence}" if occurrence > 1 else ""
    return f"{where} | {entry['operator']} | {entry['before']} -> {entry['after']}{more}"


def load(path: str | None) -> dict[str, str]:
    """``{mutant key: reason}`` from the list at ``path`` (none when there is no file)."""
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        data = json.load(f)
    out = {}
    for entry in data.get("mutants", []):
        missing = [k for k in (*FIELDS, "reason") if not entry.get(k)]
        if missing:
            raise ValueError(f"{path}: an entry lacks {', '.join(missing)}: {entry}")
        out[entry_key(entry)] = entry["reason"]
    return out


def entry(mutant: Mutant, reason: str) -> dict:
    """The list's entry for ``mutant`` (what a reviewer pastes in, with the reason written)."""
    out = {name: getattr(mutant, name) for name in FIELDS}
    if mutant.occurrence:
        out["occurrence"] = mutant.occurrence + 1
    out["reason"] = reason
    return out
