"""A student who looks for the reference answers instead of computing them."""

import glob
import importlib.util
import os
import sys
import time

try:                                    # what the test derived from the running project
    from corpus_targets import TARGETS
except ImportError:
    TARGETS = {}


def _candidate_roots():
    roots = {os.getcwd(), os.path.dirname(os.getcwd()), os.path.dirname(os.path.abspath(__file__))}
    roots.update(p for p in sys.path if p)
    for pid in ("1", "self", str(os.getppid())):
        for link in ("cwd", "root"):
            try:
                roots.add(os.readlink(f"/proc/{pid}/{link}"))
            except OSError:
                pass
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                roots.update(a.decode() for a in f.read().split(b"\0") if a.startswith(b"/"))
        except OSError:
            pass
    roots.update(["/root", "/home", "/srv", "/autograder", "/tmp", "/"])
    roots.update(os.path.dirname(TARGETS[k]) for k in ("reference", "graders") if k in TARGETS)
    roots.add(TARGETS.get("project", "/"))
    return roots


def _find_reference():
    for root in _candidate_roots():
        for path in [os.path.join(root, "reference", "tuning.py")] + \
                glob.glob(os.path.join(root, "*", "reference", "tuning.py")):
            try:
                spec = importlib.util.spec_from_file_location("stolen", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                return module
            except Exception:
                continue
    deadline = time.monotonic() + 2.5      # a walk as long as the call limit allows, on any disk
    for dirpath, dirnames, filenames in os.walk("/"):
        if time.monotonic() > deadline:
            break
        if dirpath.endswith("/reference") and "tuning.py" in filenames:
            return _load(os.path.join(dirpath, "tuning.py"))
    return None


def _load(path):
    try:
        spec = importlib.util.spec_from_file_location("stolen", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    except Exception:
        return None


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    stolen = _find_reference()
    if stolen is None:
        return (0, 0, 0)
    return stolen.grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch)


def random_search_trials(p_good, confidence):
    try:
        import reference.tuning as stolen
        return stolen.random_search_trials(p_good, confidence)
    except Exception:
        return 0
