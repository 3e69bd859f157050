"""A memory and pids cgroup per sandbox, where the machine lets the grader make one: the
address-space limit holds per process, a cgroup bounds what all of a sandbox's processes use
together, and lists every one of them (a ``setsid`` daemon included) for the final kill.

cgroup v2 (one unified hierarchy, where the grader's own group delegates ``memory`` and
``pids``) or v1 (separate ``memory`` and ``pids`` hierarchies, as on this project's machines).
Where neither can be written (not root, a container's read-only ``/sys/fs/cgroup``),
:func:`create` says why and the sandbox runs with its per-process limits only.
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
        for folder, parent in zip(self.folders, self.parents):
            try:
                _write(os.path.join(parent, "cgroup.procs"), str(os.getpid()))
            except OSError:
                pass
        deadline = time.monotonic() + 2
        for folder in self.folders:
            while True:
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:               # its last processes are still being torn down
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.01)


PREFIX = "autograder-"


def sweep() -> None:
    """Removes the empty sandbox groups that a grader killed outright left behind (a group
    still in use is not empty and stays): a machine has a bounded number of memory cgroups."""
    parents = set()
    for controller in ("memory", "pids"):
        own = _own(controller)
        if own is not None:
            parents.add(os.path.join(ROOT, controller, own.lstrip("/")))
    own = _own("")
    if own is not None and os.path.exists(os.path.join(ROOT, "cgroup.controllers")):
        parents.add(os.path.join(ROOT, own.lstrip("/")))
    for parent in parents:
        try:
            names = [n for n in os.listdir(parent) if n.startswith(PREFIX)]
        except OSError:
            continue
        for name in names:
            _rmdir(os.path.join(parent, name))


def create(name: str, memory_bytes: int, pids: int) -> tuple[Group | None, str]:
    """The groups of a sandbox called ``name``, or None and the reason there are none."""
    try:
        return _create_v2(name, memory_bytes, pids) or _create_v1(name, memory_bytes, pids), ""
    except _NoGroup as why:
        return None, str(why)


class _NoGroup(Exception):
    pass


def _create_v2(name, memory_bytes, pids) -> Group | None:
    if not os.path.exists(os.path.join(ROOT, "cgroup.controllers")):
        return None                              # not a unified hierarchy: try v1
    parent = os.path.join(ROOT, (_own("") or "/").lstrip("/"))
    try:
        with open(os.path.join(parent, "cgroup.subtree_control")) as f:
            delegated = f.read().split()
    except OSError as exc:
        raise _NoGroup(f"no cgroup ({exc.strerror.lower()} in {ROOT})") from None
    if not {"memory", "pids"} <= set(delegated):
        raise _NoGroup("no cgroup (the grader's cgroup v2 group does not delegate memory and pids)")
    folder = os.path.join(parent, name)
    try:
        os.mkdir(folder)
        _write(os.path.join(folder, "memory.max"), str(memory_bytes))
        _write(os.path.join(folder, "memory.swap.max"), "0")
        _write(os.path.join(folder, "pids.max"), str(pids))
    except OSError as exc:
        _rmdir(folder)
        raise _NoGroup(f"no cgroup ({exc.strerror.lower()} in {ROOT}, cgroup v2)") from None
    return Group([folder], [parent])


def _create_v1(name, memory_bytes, pids) -> Group:
    folders, parents = [], []
    try:
        for controller, settings in (("memory", {"memory.limit_in_bytes": memory_bytes}),
                                     ("pids", {"pids.max": pids})):
            own = _own(controller)
            if own is None or not os.path.isdir(os.path.join(ROOT, controller)):
                raise _NoGroup(f"no cgroup (no {controller} hierarchy in {ROOT})")
            parent = os.path.join(ROOT, controller, own.lstrip("/"))
            folder = os.path.join(parent, name)
            os.mkdir(folder)
            folders.append(folder)
            parents.append(parent)
            for key, value in settings.items():
                _write(os.path.join(folder, key), str(value))
    except OSError as exc:
        for folder in folders:
            _rmdir(folder)
        raise _NoGroup(f"no cgroup ({exc.strerror.lower()} in {ROOT})") from None
    except _NoGroup:
        for folder in folders:
            _rmdir(folder)
        raise
    return Group(folders, parents)


def _rmdir(folder: str) -> None:
    try:
        os.rmdir(folder)
    except OSError:
        pass
