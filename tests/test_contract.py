"""docs/ASSIGNMENT.md is generated from the declarations, is up to date, and says what they say."""

import re

from autograder import catalog
from autograder.make import contract
from autograder.paths import PACKAGES_HOME
from autograder.spec import Module
from autograder.tolerance import Tolerance

TEXT = contract.generate()
MODULES = catalog.load(tuple(catalog.available()))


def test_contract_is_up_to_date():
    assert contract.main(["--check"]) == 0, "run: python -m autograder.make.contract"


def test_check_fails_when_stale(monkeypatch, capsys):
    monkeypatch.setattr(contract, "generate", lambda: TEXT + "\nedited by hand\n")
    assert contract.main(["--check"]) == 1
    assert "python -m autograder.make.contract" in capsys.readouterr().err


def test_every_case_and_total_is_stated():
    assert f"| **total** | | {sum(len(m.items) for m in MODULES)} | **{sum(m.total for m in MODULES):g}** |" in TEXT
    for m in MODULES:
        assert f"## {m.name}\n\n**{m.total:g} points**" in TEXT
        for item in m.items:
            row = next(line for line in TEXT.splitlines() if line.startswith(f"| [`{item}`]"))
            for c in m.cases:
                if c.function == item:
                    assert f"`{c.label}` {c.points:g}" in row, (c.id, row)
        for question in m.manual:
            assert f"- {question}" in TEXT


def test_links_point_to_headings_and_no_path_is_absolute():
    anchors = {contract._anchor(h) for h in re.findall(r"^#+ (.+)$", TEXT, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", TEXT)
    assert links and set(links) <= anchors, set(links) - anchors
    assert PACKAGES_HOME not in TEXT


def test_module_section_marks_hidden_cases_and_own_limits():
    m = Module("toy", total=3, source="Homework 0", manual=("Why?",))
    m.case("f", "worked", points=1)(lambda f, rng: None)
    m.case("f", "secret", points=2, hidden=True, timeout=20)(lambda f, rng: None)
    m.case("f", "loose", points=0, tolerance=(Tolerance(1e-6, 1e-9), Tolerance(0, 1e-6, "log10 of it")))(
        lambda f, rng: None)
    source = 'k = 2\n\ndef f(x):\n    """x: (n,); returns (n,)."""\n    return k * x\n'
    text = contract.module_section(m, source)
    assert "| [`f`](#toyf) | `worked` 1, `secret` 2 (hidden, 20 s per call), `loose` 0 (rtol=1e-6, " \
           "atol=1e-9; rtol=0, atol=1e-6 on log10 of it) | 3 |" in text
    assert '```python\ndef f(x):\n    """x: (n,); returns (n,)."""\n```' in text
    assert "```python\nk = 2\n```" in text and "- Why?" in text and "return k" not in text
