"""How long ``--similarity`` takes on a class, and where the time goes: reading and
fingerprinting the submissions (per student, by one process and by the pool), pairing them
through the index, and writing similarity.csv and similarity.html.

    .venv/bin/python bench/bench_similarity.py [--n 500] [--variants 40] [--notebooks 0.1] [--repeat 1]

The class: per student and module, the module of a source drawn at random (the reference, a
corpus submission holding that module, the blank template), and in every function one of
``--variants`` variants of its own (a statement added at its top), so that students share
code in groups of about n / variants: the index's worst case, where most groups are small
enough to make pairs. A share of the students (``--notebooks``) hand in the same as one
notebook. Each student's results.json loses 20 random cases, each with one of 8 wrong
answers, so wrong answers coincide in groups too.
"""

import argparse
import ast
import json
import os
import random
import resource
import sys
import tempfile
import time

import nbformat
from nbformat import v4

from autograder import catalog
from autograder.course import similarity as sim
from autograder.course.batch import entries
from autograder.course.similarity_html import page
from autograder.paths import checkout

ROOT = checkout()


def sources() -> dict[str, list[str]]:
    """Per module, the texts a student's module may start from."""
    corpus = os.path.join(ROOT, "tests", "submissions")
    folders = [os.path.join(ROOT, "reference"), os.path.join(ROOT, "student_template")] + \
        [os.path.join(corpus, d) for d in sorted(os.listdir(corpus)) if d.startswith(("wrong_", "ok_"))]
    found: dict[str, list[str]] = {}
    for m in catalog.available():
        for folder in folders:
            path = os.path.join(folder, f"{m}.py")
            if os.path.exists(path):
                found.setdefault(m, []).append(open(path).read())
    return found


def with_variants(text: str, rng: random.Random, variants: int) -> str:
    """``text`` with a statement of one of ``variants`` kinds at the top of every function."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    lines = text.splitlines()
    for node in sorted((n for n in tree.body if isinstance(n, ast.FunctionDef)), key=lambda n: -n.lineno):
        first = node.body[0]
        at = first.end_lineno if isinstance(first, ast.Expr) and len(node.body) > 1 else first.lineno - 1
        indent = " " * first.col_offset
        lines.insert(at, f"{indent}variant_{rng.randrange(variants)} = np.zeros({rng.randrange(variants)})")
    return "\n".join(lines) + "\n"


def make_class(folder: str, out: str, n: int, variants: int, notebooks: float) -> None:
    rng = random.Random(0)
    texts = sources()
    cases = [c.id for c in catalog.cases()]
    for i in range(n):
        student = f"student{i:03d}"
        modules = {m: with_variants(rng.choice(options), rng, variants) for m, options in texts.items()}
        if rng.random() < notebooks:
            nb = v4.new_notebook()
            nb.cells = [v4.new_code_cell(t) for t in modules.values()]
            nbformat.write(nb, os.path.join(folder, f"{student}.ipynb"))
        else:
            os.makedirs(os.path.join(folder, student))
            for m, text in modules.items():
                with open(os.path.join(folder, student, f"{m}.py"), "w") as f:
                    f.write(text)
        lost = rng.sample(cases, 20)
        tests = [{"name": c, "score": 0, "max_score": 1, "output": f"called f()\n{c}: wrong",
                  "extra_data": {"item": c.split("[")[0], "case": c.split("[")[1][:-1],
                                 "replies": f"answer-{rng.randrange(8)}"}} for c in lost]
        os.makedirs(os.path.join(out, student))
        with open(os.path.join(out, student, "results.json"), "w") as f:
            json.dump({"score": 0, "max_score": 20, "tests": tests}, f)


def cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the pool's workers)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed_compare(students, out, workers):
    """compare()'s time, and the part of it spent reading the submissions (wall, CPU)."""
    read = sim._read_class
    spent = {}

    def reading(*args):
        start, used = time.perf_counter(), cpu()
        result = read(*args)
        spent["read"], spent["cpu"] = time.perf_counter() - start, cpu() - used
        return result
    sim._read_class = reading
    try:
        start = time.perf_counter()
        pairs, klass = sim.compare(students, out, workers=workers)
        return pairs, klass, time.perf_counter() - start, spent["read"], spent["cpu"]
    finally:
        sim._read_class = read


def measure(students, out, workers) -> tuple:
    """One whole run: its time, reading's (wall, CPU), pairing's, writing's, and its counts."""
    pairs, klass, total, read, read_cpu = timed_compare(students, out, workers)
    start = time.perf_counter()
    listed = [p for p in pairs if p.score >= sim.LISTED]
    sim.write_csv(listed, os.path.join(out, "similarity.csv"))
    html = page(listed, klass)
    written = time.perf_counter() - start
    return total + written, read, read_cpu, total - read, written, len(pairs), len(listed), len(html)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--variants", type=int, default=40)
    parser.add_argument("--notebooks", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, alternating; the fastest shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = os.path.join(tmp, "class"), os.path.join(tmp, "out")
        os.makedirs(folder)
        make_class(folder, out, args.n, args.variants, args.notebooks)
        students = entries(folder, out)
        catalog.load()
        sim._template(sim.graded_functions())           # both loaded once, as after a batch
        print(f"{len(students)} students, {len(os.sched_getaffinity(0))} cores; "
              f"students share code in groups of about {args.n / args.variants:.0f}")
        best = {}
        for _ in range(args.repeat):
            for workers in (1, None):
                run = measure(students, out, workers)
                if workers not in best or run[0] < best[workers][0]:
                    best[workers] = run
        for workers, (whole, read, read_cpu, pairing, written, pairs, listed, size) in best.items():
            who = "one process" if workers == 1 else f"a pool of {len(os.sched_getaffinity(0))}"
            print(f"{who}: {whole:.2f} s in all: reading {read:.2f} s "
                  f"({1000 * read / len(students):.1f} ms a student; "
                  f"CPU {1000 * read_cpu / len(students):.1f} ms), "
                  f"pairing {pairing:.2f} s ({pairs} pairs with something in common, "
                  f"{listed} listed), csv and page {written:.2f} s ({size >> 10} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
