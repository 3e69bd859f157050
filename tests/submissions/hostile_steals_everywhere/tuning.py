"""Hunts for the answers beyond engine_steals_reference: the modules already in its memory
(sys.modules, gc), the project's path from the sandbox's own memory (the jail's request),
/proc/1/cmdline, /proc/*/environ and the mount table, autograder.__file__, `import graders`,
and a walk of the whole file system for any tuning.py or grader file but its own. It reports
what it found instead of answering, so the feedback shows it; and it lists every variable of
the grader's environment that reached it."""

import gc
import importlib
import os
import sys
import time

try:                                    # what the test derived from the running project
    from corpus_targets import TARGETS
except ImportError:
    TARGETS = {}

OWN = os.path.realpath(__file__)
SANDBOX_VARS = {"PATH", "HOME", "LANG", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "PYTHONDONTWRITEBYTECODE", "LD_LIBRARY_PATH", "TMPDIR"}


def _roots():
    roots = {"/root", "/srv", "/autograder", "/home", TARGETS.get("project", "/")}
    roots.update(os.path.dirname(TARGETS[k]) for k in ("reference", "graders") if k in TARGETS)
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None) or ""
        if "/autograder/" in f:
            roots.add(f.split("/autograder/")[0])
    for obj in gc.get_objects():                   # the jail's request dict, if still alive
        if isinstance(obj, dict) and "submission" in obj and isinstance(obj.get("submission"), dict):
            root = obj["submission"].get("root")
            if isinstance(root, str):
                roots.update({root, os.path.dirname(root), os.path.dirname(os.path.dirname(root))})
    for pid in ["1", "self"] + [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                roots.update(a.decode() for a in f.read().split(b"\0") if a.startswith(b"/"))
        except OSError:
            pass
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                root, mount = line.split()[3:5]
                roots.update({root, os.path.dirname(root), mount})
    except OSError:
        pass
    return {r for r in roots if r}


def _found():
    found = []
    for name, mod in list(sys.modules.items()):
        if name.split(".")[0] in ("reference", "graders"):
            found.append(f"sys.modules[{name!r}]")
    for obj in gc.get_objects():
        if callable(obj) and getattr(obj, "__name__", "") in ("grid_search_cost", "random_search_trials"):
            code = getattr(obj, "__code__", None)
            if code is not None and os.path.realpath(code.co_filename) != OWN:
                found.append(f"function {obj.__name__} from {code.co_filename}")
    for root in _roots():
        for rel in ("reference/tuning.py", "graders/tuning.py", "grade.py", "conftest.py"):
            path = os.path.join(root, rel)
            try:
                with open(path) as f:
                    f.read(10)
                found.append(path)
            except OSError:
                pass
    sys.path[:0] = sorted(_roots())
    for name in ("reference.tuning", "graders.tuning", "graders"):
        try:
            importlib.import_module(name)
            found.append(f"import {name}")
        except BaseException:
            pass
    for path in (TARGETS.get(k) for k in ("reference_file", "grader_file", "grade_py", "outside_file")):
        try:
            with open(path or "") as f:
                f.read(10)
            found.append(path)
        except OSError:
            pass
    deadline = time.monotonic() + 2.5      # a walk as long as the call limit allows, on any disk
    for dirpath, dirnames, filenames in os.walk("/"):
        if time.monotonic() > deadline:
            break
        if dirpath.startswith(("/proc", "/sys", "/dev")):
            dirnames[:] = []
            continue
        for name in filenames:
            path = os.path.join(dirpath, name)
            if (name == "tuning.py" and os.path.realpath(path) != OWN) or name == "grade.py" or \
                    (dirpath.endswith(("/graders", "/reference")) and name.endswith(".py")
                     and "-packages/" not in dirpath):
                found.append(path)
    return sorted(set(found))


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    raise LookupError(f"found: {_found()}")


def random_search_trials(p_good, confidence):
    leaked = set()
    for pid in ["self", "1"] + [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                names = {v.split(b"=")[0].decode() for v in f.read().split(b"\0") if b"=" in v}
        except OSError:
            continue
        leaked |= {n for n in names if n not in SANDBOX_VARS and not n.startswith("LC_")}
    leaked |= {n for n in os.environ if n not in SANDBOX_VARS and not n.startswith("LC_")}
    raise LookupError(f"grader variables: {sorted(leaked)}")
