"""A class graded on many machines: ``--batch --shard K/N`` grades the K-th of N parts of the
class into an OUT of its own, and ``--merge OUT1 … OUTN --out OUT`` (``merge.py``) joins the
parts into the class's output, the same as one batch writes (docs/CLUSTER.md).

**The split.** The entry ``e`` of the class folder (``alice``, ``bob.ipynb``: the name a roster
uses) is in shard ``sha256(e) mod N + 1`` (the digest's first 8 bytes as a number): the same on
every machine, whatever order the file system lists the folder in, whatever Python's hash seed,
and whoever else is in the class, so a late submission joins one shard and moves nobody.
Round-robin over the sorted entries would balance the parts to one student (hashed, their sizes
vary as coin tosses do: about ±5% at 400 students a shard), but an entry added or removed would move every
later student to another shard: a shard run again would grade students it had not, and the
work of those it had would lie in two shards' outputs.

**What a shard writes** into its OUT: each of its students' folder as a batch writes it
(``STUDENT_FILES``), with ``--similarity`` also the fingerprints of their code
(``fingerprints.json``, ``fingerprints.store``: the merge compares the whole class from these,
without the class folder and without grading again), and ``shard.json``, what it is:

- ``shard`` ("K/N"), ``grader`` (the version, and a digest of the code of the grader's
  packages: engine, graders and reference), ``grading`` (the options that shape a student's
  results: seed, timeout, budget, modules, hidden labels, unsandboxed): a shard resumes only
  into an OUT of the same, and the merge joins only shards that agree on all of them;
- ``similarity`` and ``roster`` (as given; they change no result): the merge follows them;
- ``class``: the whole class folder as the shard listed it (``[student, entry]`` in the
  batch's order), and ``students``: its own, so the merge can tell who is missing;
- ``not_graded``: the rows of its students whose grading failed (they have no results.json);
- ``finished``: false while it grades; the merge refuses a shard that did not finish.

No gradebook, summary or similarity report: they are the class's, and the merge writes them.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache

from .. import catalog, paths
from ..options import GradingOptions
from ..report.files import write_atomic
from . import NOT_GRADED, kind
from .gradebook import Roster, Student

MANIFEST = "shard.json"
FORMAT = 1
STUDENT_FILES = ("results.json", "feedback.txt", "feedback.html")    # what batch.py writes for a student


class ShardError(ValueError):
    """A shard cannot be graded into this OUT, or an OUT holds no shard that can be read."""


@dataclass(frozen=True)
class Shard:
    """The ``index``-th (from 1) of ``count`` parts of a class."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"K/N"``, with 1 <= K <= N."""
        k, slash, n = text.partition("/")
        if not (slash and k.strip().isdigit() and n.strip().isdigit() and 1 <= int(k) <= int(n)):
            raise ValueError(f"a shard is K/N with 1 <= K <= N (the 2nd of 3: 2/3), not {text!r}")
        return cls(int(k), int(n))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, entry: str) -> bool:
        return shard_of(entry, self.count) == self.index


def shard_of(entry: str, count: int) -> int:
    """The shard (1 to ``count``) of the class folder's entry named ``entry``."""
    digest = hashlib.sha256(os.fsencode(entry)).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@lru_cache(maxsize=1)
def grader_code() -> str:
    """A digest of the grader's Python files (the engine's package, the graders, the
    reference): shards graded by different code must not be joined, whatever the version says."""
    digest = hashlib.sha256()
    for name, path in paths.grader_files():
        digest.update(f"{name}\0".encode())
        with open(path, "rb") as f:
            digest.update(f.read() + b"\0")
    return digest.hexdigest()


def identity(shard: Shard, options: GradingOptions) -> dict:
    """What a shard is, that its resumption and the merge must agree on."""
    from .analysis import grader_version
    modules = [m.name for m in catalog.load(options.modules)]
    return {"shard": str(shard), "grader": {"version": grader_version(), "code": grader_code()},
            "grading": {"seed": options.seed, "timeout": options.timeout, "budget": options.budget,
                        "load_timeout": options.load_timeout,
                        "modules": modules, "hide": sorted(set(options.hidden_labels)),
                        "unsandboxed": options.unsandboxed}}


# what must agree, with what a difference is called: (keys into shard.json, its name)
AGREED = ((("grader", "version"), "grader version"),
          (("grader", "code"), "grader code (a grader, the reference or the engine differs under the same version)"),
          (("grading", "seed"), "seed"), (("grading", "timeout"), "--timeout"), (("grading", "budget"), "--budget"),
          (("grading", "load_timeout"), "--load-timeout"),
          (("grading", "modules"), "modules (--module)"), (("grading", "hide"), "hidden labels (--hide)"),
          (("grading", "unsandboxed"), "--unsandboxed"))


def value(manifest: dict, keys: tuple[str, ...]):
    for key in keys:
        manifest = manifest.get(key) if isinstance(manifest, dict) else None
    return manifest


def show(x) -> str:
    """A recorded value as the command line would say it."""
    if isinstance(x, list):
        return ",".join(map(str, x)) or "none"
    if x is None:
        return "none"
    if isinstance(x, str) and len(x) == 64:
        return x[:12]                       # a digest
    return str(x).lower() if isinstance(x, bool) else str(x)


def roster_record(roster: Roster | None) -> dict | None:
    if roster is None:
        return None
    return {"assignment": roster.assignment,
            "students": [[s.submission, s.id, s.name, s.section] for s in roster.students]}


def roster_of(record: dict | None) -> Roster | None:
    if record is None:
        return None
    return Roster(tuple(Student(*s) for s in record["students"]), record["assignment"])


def read(out: str) -> dict:
    """``out``'s shard.json; ShardError when there is none or it cannot be read."""
    path = os.path.join(out, MANIFEST)
    if not os.path.isfile(path):
        raise ShardError(f"{out} is not the output of a shard: it has no {MANIFEST} "
                         f"(--batch --shard K/N --out {out} writes one)")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as exc:
        raise ShardError(f"cannot read {path}: {exc}") from None
    keys = ("shard", "grader", "grading", "similarity", "roster", "class", "students", "not_graded", "finished")
    try:
        if manifest["format"] != FORMAT or not set(keys) <= set(manifest):
            raise ValueError
        Shard.parse(str(manifest["shard"]))
    except (KeyError, TypeError, ValueError):
        raise ShardError(f"{path} is not a shard.json this grader reads (format {FORMAT})") from None
    return manifest


def begin(shard: Shard, folder: str, out: str, students: list[tuple[str, str]], options: GradingOptions,
          similarity: bool, roster: Roster | None) -> list[tuple[str, str]]:
    """This shard's students of the class's ``students`` (``(name, path)``, as
    ``batch.entries`` lists them), once ``out/shard.json`` says what it grades (unfinished).
    ShardError when ``out`` lies in the class folder (another shard would grade it as a
    student) or holds another run's work: another shard, other options, or results without a
    shard.json."""
    if paths.within(os.path.realpath(out), os.path.realpath(folder)):
        raise ShardError(f"with --shard, --out must lie outside the class folder {folder}: every shard "
                         f"lists the folder, and another would take {out} for a student")
    mine = [(s, p) for s, p in students if shard.holds(os.path.basename(p))]
    manifest = identity(shard, options)
    if os.path.isfile(os.path.join(out, MANIFEST)):
        before = read(out)
        changed = [(name, value(before, keys), value(manifest, keys))
                   for keys, name in ((("shard",), "shard"), *AGREED) if value(before, keys) != value(manifest, keys)]
        if changed:
            said = "; ".join(f"{name} {show(old)} there, {show(new)} here" for name, old, new in changed)
            raise ShardError(f"{out} holds the work of another run ({said}): resume it with the same "
                             f"options and grader, or grade into another folder")
    elif any(os.path.exists(os.path.join(out, s, "results.json")) for s, _ in students):
        raise ShardError(f"{out} holds results of a run that was not this shard (no {MANIFEST}): "
                         "grade into another folder")
    manifest = {"format": FORMAT, **manifest, "similarity": similarity, "roster": roster_record(roster),
                "class": [[s, os.path.basename(p)] for s, p in students], "students": [s for s, _ in mine],
                "not_graded": {}, "finished": False}
    _write(out, manifest)
    return mine


def _write(out: str, manifest: dict) -> None:
    """shard.json: a key a line, each value compact (a class's listing is one line)."""
    lines = (f"{json.dumps(key)}: {json.dumps(v, separators=(',', ':'))}" for key, v in manifest.items())
    write_atomic(os.path.join(out, MANIFEST), "{\n" + ",\n".join(lines) + "\n}\n")


def finish(out: str, mine: list[tuple[str, str]], class_rows: list[dict], options: GradingOptions,
           similarity: bool, workers: int | None) -> None:
    """With ``similarity``, the fingerprints of every student of the shard (``mine``) that
    has none yet; then shard.json finished, with the rows of the students not graded."""
    if similarity:
        from .similarity import store_class
        store_class(mine, out, options.modules, workers)
    manifest = read(out)
    manifest["not_graded"] = {r["student"]: r for r in class_rows if kind(r) == NOT_GRADED}
    manifest["finished"] = True
    _write(out, manifest)


def done_line(shard: Shard, out: str, class_rows: list[dict]) -> str:
    """What a finished shard tells the person who ran it."""
    with open(os.path.join(out, MANIFEST), encoding="utf-8") as f:
        everyone = len(json.load(f)["class"])
    return (f"shard {shard}: {len(class_rows)} of the class's {everyone} students in {out}; "
            f"when all {shard.count} shards are done, join their outputs: --merge OUT1 … OUT{shard.count} --out OUT")
