"""A memory and pids cgroup per sandbox, where the machine lets the grader make one: the
address-space limit holds per process, a cgroup bounds what all of a sandbox's processes use
together, and lists every one of them (a ``setsid`` daemon included) for the final kill.

Every zygote makes one group of its own, ``autograder-<suffix>`` beside its own process's group
(the suffix of its scratch folder, ``folders.py``), and its sandboxes' groups inside it: a
grader removes only its own groups, and those of a zygote whose scratch folder's lock it can
take (the zygote is dead), never another living grader's (a sandbox's group is empty between
its creation and its first process, and a sweep of every empty group would take it then).

cgroup v2 (one unified hierarchy, where the grader's own group delegates ``memory`` and
``pids``) or v1 (separate ``memory`` and ``pids`` hierarchies, as on this project's machines).
Where neither can be written (not root, a container's read-only ``/sys/fs/cgroup``),
:func:`make_parent` says why and the sandboxes run with their per-process limits only.
"""

from __future__ import annotations

import os
import signal
import time

ROOT = "/sys/fs/cgroup"


def _own(controller: str) -> str | None:
    """This process's group in the hierarchy of ``controller`` ("" for v2), from /proc."""
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if controller in controllers.split(","):
                return path
    return None


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


class Group:
    """One sandbox's groups: a folder per hierarchy (one for v2, two for v1)."""

    def __init__(self, folders: list[str], parents: list[str]):
        self.folders, self.parents = folders, parents

    def join(self) -> None:
        """Moves the calling process into the groups; its children are born there."""
        for folder in self.folders:
            _write(os.path.join(folder, "cgroup.procs"), str(os.getpid()))

    def pids(self) -> set[int]:
        found = set()
        for folder in self.folders:
            try:
                with open(os.path.join(folder, "cgroup.procs")) as f:
                    found.update(int(p) for p in f.read().split())
            except OSError:
                pass
        return found

    def kill(self, spare: int | None = None) -> None:
        """SIGKILL to every process in the groups but ``spare``, until none is left."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            left = self.pids() - {spare}
            if not left:
                return
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.005)

    def remove(self) -> None:
        """Leaves the groups (back to where the grader was) and removes them once empty."""
        for parent in self.parents:
            try:
                _write(os.path.join(parent, "cgroup.procs"), str(os.getpid()))
            except OSError:
                pass
        for folder in self.folders:
            _rmdir_when_empty(folder, 2.0)


PREFIX = "autograder-"


def _hierarchies() -> list[tuple[str, str]]:
    """``(controller, this process's group folder)`` for each hierarchy a sandbox's group
    lives in: ``("", folder)`` for cgroup v2, ``("memory", ...)`` and ``("pids", ...)`` for v1."""
    if os.path.exists(os.path.join(ROOT, "cgroup.controllers")):
        own = _own("")
        return [("", os.path.join(ROOT, own.lstrip("/")))] if own is not None else []
    found = []
    for controller in ("memory", "pids"):
        own = _own(controller)
        if own is not None and os.path.isdir(os.path.join(ROOT, controller)):
            found.append((controller, os.path.join(ROOT, controller, own.lstrip("/"))))
    return found


def make_parent(name: str) -> tuple[str, str]:
    """The group under which every sandbox of one zygote makes its own (``name``, made in each
    hierarchy beside this process's group), so that no other grader's sweep takes a sandbox's
    group in the moment between its creation and its first process: ``(name, "")``, or
    ``("", why)`` where none can be made (and the sandboxes then have no cgroup)."""
    try:
        _check_v2_delegation()
        hierarchies = _hierarchies()
        found = [controller for controller, _ in hierarchies]
        if found != [""]:
            for controller in ("memory", "pids"):
                if controller not in found:
                    raise _NoGroup(f"no cgroup (no {controller} hierarchy in {ROOT})")
        made = []
        try:
            for controller, own in hierarchies:
                folder = os.path.join(own, name)
                try:
                    os.mkdir(folder)
                    made.append(folder)
                except FileExistsError:       # ours already, in this hierarchy (made again after
                    pass                      # an older grader removed it from the other one)
                if controller == "":          # v2: its children get memory and pids of their own
                    _write(os.path.join(folder, "cgroup.subtree_control"), "+memory +pids")
        except OSError as exc:
            for folder in made:
                _rmdir(folder)
            raise _NoGroup(f"no cgroup ({exc.strerror.lower()} in {ROOT})") from None
    except _NoGroup as why:
        return "", str(why)
    return name, ""


def remove_parent(name: str, wait: float = 2.0) -> bool:
    """Removes the group ``name`` that :func:`make_parent` made and the sandbox groups left in
    it (each once empty; a process still in one is killed): whether nothing of it is left."""
    gone = True
    for _, own in _hierarchies():
        folder = os.path.join(own, name)
        try:
            children = [e.path for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            continue
        except OSError:
            gone = False
            continue
        for child in children:
            Group([child], []).kill()
            gone &= _rmdir_when_empty(child, wait)
        gone &= _rmdir_when_empty(folder, wait)
    return gone


def create(parent: str, name: str, memory_bytes: int, pids: int) -> tuple[Group | None, str]:
    """The groups of a sandbox called ``name`` under its zygote's ``parent`` group, or None and
    the reason there are none. A parent that went missing (removed while empty by a grader of
    an older version, whose sweep took every empty ``autograder-*`` group) is made again."""
    settings = {"": {"memory.max": memory_bytes, "memory.swap.max": 0, "pids.max": pids},
                "memory": {"memory.limit_in_bytes": memory_bytes}, "pids": {"pids.max": pids}}
    hierarchies = _hierarchies()
    for _ in range(5):
        made = []
        try:
            for controller, own in hierarchies:
                folder = os.path.join(own, parent, name)
                os.mkdir(folder)
                made.append(folder)
                for key, value in settings[controller].items():
                    _write(os.path.join(folder, key), str(value))
        except FileNotFoundError:
            for folder in made:
                _rmdir(folder)
            make_parent(parent)
            continue
        except OSError as exc:
            for folder in made:
                _rmdir(folder)
            return None, f"no cgroup ({exc.strerror.lower()} in {ROOT})"
        return Group(made, [own for _, own in hierarchies]), ""
    return None, f"no cgroup (its parent group {parent} kept disappearing)"


class _NoGroup(Exception):
    pass


def _check_v2_delegation() -> None:
    """On cgroup v2, refuses (``_NoGroup``) unless this process's group delegates memory and pids."""
    if not os.path.exists(os.path.join(ROOT, "cgroup.controllers")):
        return
    parent = os.path.join(ROOT, (_own("") or "/").lstrip("/"))
    try:
        with open(os.path.join(parent, "cgroup.subtree_control")) as f:
            delegated = f.read().split()
    except OSError as exc:
        raise _NoGroup(f"no cgroup ({exc.strerror.lower()} in {ROOT})") from None
    if not {"memory", "pids"} <= set(delegated):
        raise _NoGroup("no cgroup (the grader's cgroup v2 group does not delegate memory and pids)")


def _rmdir(folder: str) -> None:
    try:
        os.rmdir(folder)
    except OSError:
        pass


def _rmdir_when_empty(folder: str, wait: float) -> bool:
    """Removes ``folder`` once its last processes are torn down, within ``wait`` seconds:
    whether it is gone."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.rmdir(folder)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
