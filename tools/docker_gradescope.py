"""Grades submissions the way Gradescope (and PrairieLearn) do, in a real Docker engine, and
checks the scores.

    python tools/docker_gradescope.py [--keep-image]

1. A base image from a Debian root file system (``debootstrap --variant=minbase bookworm``,
   then ``docker import``), made once and kept as ``autograder-base:bookworm``.
2. The Gradescope bundle (``grade.py --gradescope-bundle``) unpacked into ``/autograder/source``
   of a build container, whose ``setup.sh`` runs as Gradescope runs it (root, with the
   network: host networking and this machine's pip configuration, read-only, so that it
   installs what this machine would), committed as the grading image.
3. For each submission, a fresh container with Docker's defaults (seccomp profile,
   capabilities) and ``--network none``: the submission copied to ``/autograder/submission``,
   ``run_autograder`` run, ``results.json`` copied out and compared with the score the
   submission must get (the reference every point; the example and a corpus entry what their
   expected.json says, in container mode).
4. PrairieLearn's entrypoint (``--prairielearn-bundle``'s ``tests/run.sh``) on a ``/grade``
   tree in a fresh container of the same image (the same ``install.sh``): its results.json
   must give the example's score as a fraction of the total.

Exit status 0 when every score matches, 1 when one does not, 77 when no Docker engine answers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

from autograder.paths import checkout  # noqa: E402 - setup.sh puts the checkout on .venv's path
from tests.helpers import EXAMPLE, TOTAL, expected_scores, expected_total, modules_in

ROOT = checkout()
BASE = "autograder-base:bookworm"
IMAGE = "autograder-gradescope:test"
SUBMISSIONS = [("examples/partly_wrong", {"expected": EXAMPLE}),
               ("reference", {"total": TOTAL}),
               *[(f"tests/submissions/{n}", {"expected": n}) for n in (
                   "engine_steals_reference", "hostile_escape", "hostile_fork_bomb", "hostile_daemon",
                   "hostile_disk_fill", "hostile_syscalls", "hostile_memory_bomb", "wrong_transposed_dW")]]
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"     # mounted elsewhere: apt rewrites the image's own


def pip_configuration() -> list[str]:
    """What this machine's pip reads, as paths to mount read-only into the build container: the
    configuration files ``pip config debug`` finds and the local folders and files their values
    and the ``PIP_*`` variables name (a ``file://`` index's folder above ``simple/``, whose pages
    link to ``../../files``). The certificate is left out: it is mounted elsewhere."""
    debug = subprocess.run([sys.executable, "-m", "pip", "config", "debug"],
                           capture_output=True, text=True).stdout.splitlines()
    files = [line.strip().rsplit(", exists:", 1)[0] for line in debug if line.strip().endswith("exists: True")]
    values = [line.split(":", 1)[1] for line in debug if line.startswith("    ") and ":" in line
              and not line.split(":", 1)[0].strip().endswith("cert")]
    values += [v for k, v in os.environ.items() if k.startswith("PIP_") and k != "PIP_CERT"]
    named = []
    for token in " ".join(values).replace("'", " ").split():
        path = token[len("file://"):] if token.startswith("file://") else token
        if path.startswith("/") and os.path.exists(path.rstrip("/")):
            path = path.rstrip("/")
            named.append(os.path.dirname(path) if os.path.basename(path) == "simple" else path)
    return list(dict.fromkeys(files + named))


def docker(*args, check=True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], check=check, text=True, capture_output=True, **kwargs)


def base_image() -> None:
    if docker("image", "inspect", BASE, check=False).returncode == 0:
        return
    rootfs = tempfile.mkdtemp(prefix="autograder-rootfs-")
    print(f"debootstrap --variant=minbase bookworm {rootfs} (a few minutes, once)", flush=True)
    subprocess.run(["debootstrap", "--variant=minbase", "bookworm", rootfs], check=True,
                   stdout=subprocess.DEVNULL)
    tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
    subprocess.run(["docker", "import", "-", BASE], stdin=tar.stdout, check=True, stdout=subprocess.DEVNULL)
    tar.wait()
    shutil.rmtree(rootfs, ignore_errors=True)


def grading_image(work: str) -> None:
    """The bundle installed by its own setup.sh, as Gradescope builds its image."""
    bundle = os.path.join(work, "autograder.zip")
    subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), "--gradescope-bundle", bundle],
                   check=True, stdout=subprocess.DEVNULL)
    tree = os.path.join(work, "autograder")
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(os.path.join(tree, "source"))
    mounts = [a for p in pip_configuration() for a in ("-v", f"{p}:{p}:ro")]
    env = [a for k, v in os.environ.items() if k.startswith("PIP_") and k != "PIP_CERT"
           for a in ("-e", f"{k}={v}")]
    if os.path.exists(HOST_CA):
        mounts += ["-v", f"{HOST_CA}:/host-ca/ca-certificates.crt:ro"]
        env += ["-e", "PIP_CERT=/host-ca/ca-certificates.crt"]
    name = "autograder-gradescope-build"
    docker("rm", "-f", name, check=False)
    docker("create", "--name", name, "--network", "host", *mounts, *env,
           "-e", "AUTOGRADER_TORCH_INDEX=" + os.environ.get("AUTOGRADER_TORCH_INDEX", ""),
           BASE, "bash", "-c", "chmod +x /autograder/source/setup.sh /autograder/source/run_autograder "
           "&& cp /autograder/source/run_autograder /autograder/run_autograder "
           "&& cd /autograder/source && ./setup.sh")
    subprocess.run(["docker", "cp", tree, f"{name}:/"], check=True)
    print("setup.sh in the build container (apt and pip; a few minutes)", flush=True)
    built = docker("start", "-a", name, check=False)
    if built.returncode != 0:
        raise SystemExit(f"setup.sh failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}")
    docker("commit", name, IMAGE)
    docker("rm", "-f", name)


def in_fresh_container(command: list[str], copies: dict[str, str], results: str, work: str,
                       env: tuple[str, ...] = ()) -> dict:
    """Runs ``command`` in a fresh container of the grading image, with Docker's defaults and
    no network, after copying each local folder of ``copies`` to its path in the container;
    the JSON file it leaves at ``results``."""
    name = "autograder-gradescope-run"
    docker("rm", "-f", name, check=False)
    docker("create", "--name", name, "--network", "none", *[a for e in env for a in ("-e", e)],
           IMAGE, *command)
    for local, inside in copies.items():
        subprocess.run(["docker", "cp", local, f"{name}:{inside}"], check=True)
    docker("start", "-a", name, check=False, timeout=900)
    out = os.path.join(work, "results.json")
    docker("cp", f"{name}:{results}", out)
    docker("rm", "-f", name)
    with open(out) as f:
        return json.load(f)


def grade(path: str, work: str) -> dict:
    """results.json of ``path`` graded as Gradescope grades it."""
    submission = os.path.join(work, "submission")
    shutil.rmtree(submission, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, path), submission, ignore=shutil.ignore_patterns("expected.json", "__pycache__"))
    return in_fresh_container(["/autograder/run_autograder"], {submission: "/autograder/submission"},
                              "/autograder/results/results.json", work)


def grade_prairielearn(path: str, work: str) -> dict:
    """PrairieLearn's run.sh (from --prairielearn-bundle) on a /grade tree in a fresh container
    of the same image (its install.sh is the one Gradescope's setup.sh ran)."""
    bundle = os.path.join(work, "prairielearn")
    shutil.rmtree(bundle, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), "--prairielearn-bundle", bundle],
                   check=True, stdout=subprocess.DEVNULL)
    tree = os.path.join(work, "grade")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(os.path.join(bundle, "tests"), os.path.join(tree, "tests"))
    shutil.copytree(os.path.join(ROOT, path), os.path.join(tree, "student"))
    return in_fresh_container(["bash", "/grade/tests/run.sh"], {tree: "/"}, "/grade/results/results.json",
                              work, env=("AUTOGRADER_PYTHON=/autograder/venv/bin/python",))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--keep-image", action="store_true", help=f"keep {IMAGE} for another run")
    args = p.parse_args()
    if shutil.which("docker") is None or docker("info", check=False).returncode != 0:
        print("skipped: no Docker engine answers here (install docker.io and start dockerd)")
        return 77
    work = tempfile.mkdtemp(prefix="autograder-docker-")
    failures = 0
    try:
        base_image()
        grading_image(work)
        print(f"{'submission':<44} {'mode':<10} {'score':>12}  verdict")
        for path, want in SUBMISSIONS:
            data = grade(path, work)
            mode = data.get("extra_data", {}).get("sandbox", "?")
            if "total" in want:
                ok = data["score"] == want["total"]
                wanted = f"{want['total']:g}"
            else:
                got = {f"{t['extra_data']['item']}[{t['extra_data']['case']}]": t["score"] for t in data["tests"]}
                present = modules_in(os.path.join(ROOT, path))
                got = {c: s for c, s in got.items() if c.split(".")[0] in present}
                ok = got == expected_scores(want["expected"], got, "container")
                wanted = "expected.json"
            ok = ok and mode == "container"
            failures += not ok
            print(f"{path:<44} {mode:<10} {data['score']:>5g}/{data.get('max_score', 0):<6g}  "
                  f"{'ok' if ok else 'WRONG, want ' + wanted}", flush=True)
            if not ok:
                print(data.get("output", "")[:2000])
        data = grade_prairielearn("examples/partly_wrong", work)
        ok = data.get("gradable") is True and abs(data["score"] - expected_total(EXAMPLE) / TOTAL) < 1e-12 \
            and "sandbox (container)" in data["output"]
        failures += not ok
        print(f"{'PrairieLearn run.sh: examples/partly_wrong':<44} {'container' if ok else '?':<10} "
              f"{data.get('score', 0):>12.4f}  {'ok' if ok else 'WRONG, want ' + str(expected_total(EXAMPLE) / TOTAL)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep_image:
            docker("rmi", "-f", IMAGE, check=False)
    print("all scores as expected" if not failures else f"{failures} submission(s) graded wrong")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
