"""What the student's process can and cannot do: probed from inside with a spy submission, in
whatever mode this machine gives (root, userns, or container under tests/container_profile.py)."""

import glob
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest

from autograder.sandbox import folders
from autograder.sandbox.client import Sandbox
from autograder.sandbox.protocol import StudentError
from autograder.submission import open_submission
from tests.helpers import ROOT, expected_mode, targets, write_submission

SPY = textwrap.dedent('''
    import os, socket

    def look(paths):
        out = {}
        for p in paths:
            try:
                out[p] = sorted(os.listdir(p)) if os.path.isdir(p) else open(p).read(200)
            except OSError as e:
                out[p] = type(e).__name__
        return out

    def where():
        return [os.getcwd(), os.environ["TMPDIR"]]

    def ids():
        return [os.getuid(), os.geteuid(), os.getgid(), os.getpid(), os.getgroups()]

    def pids():
        return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())

    def signal_to(pid):
        try:
            os.kill(pid, 0)
            return "delivered"
        except OSError as e:
            return type(e).__name__

    def cgroup():
        return open("/proc/self/cgroup").read()

    def network():
        try:
            socket.create_connection(("127.0.0.1", 22), timeout=1)
            return "connected"
        except OSError as e:
            import errno
            return errno.errorcode.get(e.errno, type(e).__name__)

    def write(path):
        try:
            with open(path, "a") as f:
                f.write("tampered")
            return "written"
        except OSError as e:
            return type(e).__name__

    def spawn_daemon(path):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                import time
                while True:
                    time.sleep(0.05)
            os._exit(0)
        return True

    def spawn_stopper():
        """A daemon that stops every process it may signal, as fast as it can (a helper that
        shares its uid would be frozen before it could kill)."""
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                import signal
                while True:
                    try:
                        os.kill(-1, signal.SIGSTOP)
                    except OSError:
                        pass
            os._exit(0)
        return True

    def fill_unlinked(folder):
        block, held = b"x" * (8 * 2**20), []
        for i in range(40):                   # deleted at once, kept open: on no listing
            f = open(os.path.join(folder, f"gone-{i}"), "wb")
            os.unlink(os.path.join(folder, f"gone-{i}"))
            f.write(block)
            f.flush()
            held.append(f)
        import time
        time.sleep(1)
        return "not stopped"

    def fill_deep(folder):
        for _ in range(60):                   # deeper than PATH_MAX
            os.mkdir(os.path.join(folder, "d" * 100))
            os.chdir(os.path.join(folder, "d" * 100))
            folder = "."
        return fill(".")

    def sysv():
        import ctypes, errno
        libc = ctypes.CDLL(None, use_errno=True)
        rc = libc.shmget(0, 4096, 0o1666)      # IPC_PRIVATE | IPC_CREAT
        return errno.errorcode.get(ctypes.get_errno()) if rc < 0 else "created"

    def fill(folder):
        block = b"x" * (8 * 2**20)
        for i in range(10_000):
            with open(os.path.join(folder, f"fill-{i}"), "wb") as f:
                f.write(block)

    def memory_bomb():
        blocks = []
        while True:
            blocks.append(bytearray(100 * 2**20))
''')


def _call(box, fn, *args, timeout=10):
    return box.reply({"op": "call", "module": "spy", "function": fn, "args": {"__tuple__": list(args)},
                      "kwargs": {"__dict__": []}, "probe": None}, timeout).value


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    folder = write_submission(tmp_path_factory.mktemp("spy"), {"spy.py": SPY})
    sandbox = Sandbox(open_submission(folder).sandbox_spec())
    yield sandbox
    sandbox.close()


@pytest.fixture(scope="module")
def spy(box):
    return lambda fn, *args, timeout=10: _call(box, fn, *args, timeout=timeout)


def _student_pid(box) -> int:
    """The student's process: in container mode the pid itself; else the first process born in
    the jail's PID namespace after its init (PID 2 there), whichever process forked it (in root
    mode the zygote, in userns mode the init)."""
    if box.mode in ("container", "none"):
        return box.proc.pid
    ns = os.readlink(f"/proc/{box.proc.pid}/ns/pid")
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and os.readlink(f"/proc/{name}/ns/pid") == ns \
                    and _status(int(name)).get("NSpid", "").split()[-1:] == ["2"]:
                return int(name)
        except OSError:
            continue
    raise AssertionError("no student process in the jail")


def _status(pid) -> dict:
    try:
        with open(f"/proc/{pid}/status") as f:
            return dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return {}


def _uid_of(pid: int) -> int:
    return int(_status(pid)["Uid"].split()[0])


def _live(pids) -> list[int]:
    return [p for p in pids if _status(p) and not _status(p)["State"].strip().startswith("Z")]


def _processes_of(uid: int) -> list[int]:
    return _live(p for p in map(int, filter(str.isdigit, os.listdir("/proc")))
                 if _status(p) and int(_status(p)["Uid"].split()[0]) == uid)


def _descendants(pid: int) -> list[int]:
    parents = {int(p): int(_status(p).get("PPid", "0")) for p in filter(str.isdigit, os.listdir("/proc"))}
    found, frontier = [], {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier}
        found += frontier
    return found


def _sandbox_processes(box) -> list[int]:
    """Every live process of the sandbox: those of its uid, or in userns mode (where the uid is
    the grader's own) the descendants of the jail's init."""
    if box.mode == "userns":
        return _live(_descendants(box.proc.pid))
    return _processes_of(_uid_of(_student_pid(box)))


def test_the_mode_is_the_one_this_machine_allows(spy, box):
    spy("ids")
    assert box.mode == expected_mode()


def test_runs_as_an_unprivileged_user_of_its_own(spy, box):
    if os.geteuid() != 0:
        pytest.skip("uid separation needs root")
    uid, euid, gid, _, groups = spy("ids")
    assert uid == euid == _uid_of(_student_pid(box)) != 0 and gid != 0 and groups == []


def test_cannot_read_the_reference_graders_or_project(spy, tmp_path):
    paths = targets(str(tmp_path / "outside"))          # each one exists out here
    seen = spy("look", sorted(paths.values()))
    # the project folder itself may show the one entry that leads to a Python environment
    # bound inside it (a clone's .venv), and nothing else
    venv = os.path.relpath(os.path.realpath(sys.prefix), ROOT).split(os.sep)[0]
    listing = seen.pop(paths["project"])
    assert listing in ("FileNotFoundError", "PermissionError", [venv]), listing
    assert all(v in ("FileNotFoundError", "PermissionError") for v in seen.values()), seen


def test_cannot_read_an_earlier_report(spy, tmp_path):
    results = tmp_path / "results" / "results.json"
    results.parent.mkdir()
    results.write_text('{"score": 243}')
    seen = spy("look", [str(results), str(results.parent)])
    assert set(seen.values()) <= {"FileNotFoundError", "PermissionError"}, seen


def test_sees_its_own_copy_of_the_submission_and_an_empty_tmp(spy):
    workdir, tmp = spy("where")
    seen = spy("look", [workdir, tmp])
    # a Python environment under /tmp (a clone there) is bound into the private /tmp, read-only
    python_under_tmp = {os.path.realpath(p).split("/")[2] for p in (sys.prefix, sys.base_prefix)
                        if os.path.realpath(p).startswith("/tmp/") and tmp == "/tmp"}
    assert seen[workdir] == ["spy.py"] and set(seen[tmp]) == python_under_tmp


def test_cannot_signal_the_grader(spy):
    assert spy("signal_to", os.getpid()) in ("ProcessLookupError", "PermissionError")
    if expected_mode() in ("root", "container"):  # pid 1: the jail's init, or the container's
        assert spy("signal_to", 1) == "PermissionError"


def test_sees_only_its_own_processes(spy):
    if expected_mode() == "container":
        pytest.skip("a container's processes are visible without a PID namespace; none can be signalled")
    assert spy("pids") == [1, 2]            # the jail's init and the student's process


def test_has_no_network(spy):
    assert spy("network") == "EPERM"           # the seccomp filter refuses every socket but AF_UNIX


def test_cannot_write_outside_its_tmp(spy):
    workdir, tmp = spy("where")
    assert spy("write", os.path.join(workdir, "spy.py")) in ("PermissionError", "OSError")
    assert spy("write", os.path.join(ROOT, "grade.py")) in ("FileNotFoundError", "PermissionError")
    assert spy("write", os.path.join(tmp, "scratch")) == "written"


def test_memory_bomb_fails_the_call_only(spy):
    with pytest.raises(StudentError) as err:
        spy("memory_bomb")
    assert "MemoryError" in err.value.message
    assert spy("ids")                        # the same sandbox still answers


def test_a_cgroup_bounds_the_sandbox_where_one_can_be_made(spy, box):
    spy("ids")
    lines = spy("cgroup").splitlines()
    mine = [line.split(":", 2)[2] for line in lines if "autograder-" in line]
    if not any("no cgroup" in n for n in box.notes):
        assert mine, lines                   # the grader said it made one: the student is in it
        for path in mine:
            hierarchy = [line.split(":")[1] for line in lines if line.endswith(path)][0]
            folder = os.path.join("/sys/fs/cgroup", hierarchy.split(",")[0] if hierarchy else "",
                                  path.lstrip("/"))
            limit = [n for n in ("memory.limit_in_bytes", "memory.max", "pids.max")
                     if os.path.exists(os.path.join(folder, n))]
            assert limit and open(os.path.join(folder, limit[0])).read().strip() != "max"
    else:
        assert not mine and expected_mode() in ("userns", "container", "none")


def test_daemon_dies_with_the_sandbox(tmp_path):
    folder = write_submission(tmp_path / "d", {"spy.py": SPY})
    sandbox = Sandbox(open_submission(folder).sandbox_spec())
    assert _call(sandbox, "spawn_daemon", "x") is True
    time.sleep(0.2)
    alive = _sandbox_processes(sandbox)
    assert len(alive) >= 2, alive            # the student's process and its setsid daemon
    sandbox.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _live(alive):
        time.sleep(0.05)
    assert _live(alive) == []


def test_what_it_writes_is_bounded_and_removed(tmp_path):
    folder = write_submission(tmp_path / "w", {"spy.py": SPY})
    sandbox = Sandbox(open_submission(folder).sandbox_spec())
    try:
        _, tmp = _call(sandbox, "where")
        with pytest.raises(StudentError) as err:
            _call(sandbox, "fill", tmp, timeout=60)
        if sandbox.mode != "container":      # its private /tmp is a 64 MB tmpfs
            assert "No space left on device" in err.value.message
            return
        assert "wrote more than 64 MB to disk" in err.value.message   # its home: the container's disk
        _call(sandbox, "where")                                       # a fresh process, a fresh uid
        uid = _uid_of(_student_pid(sandbox))
        with pytest.raises(StudentError) as err:
            _call(sandbox, "fill", "/tmp", timeout=60)                # the shared /tmp counts too
        assert "wrote more than 64 MB to disk" in err.value.message
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (os.path.exists(tmp) or _owned_in_tmp(uid)):
            time.sleep(0.05)
        assert not os.path.exists(tmp) and _owned_in_tmp(uid) == []   # removed when it ended
    finally:
        sandbox.close()


def _owned_in_tmp(uid):
    return [e.path for e in os.scandir("/tmp") if e.stat(follow_symlinks=False).st_uid == uid]


def test_killing_the_grader_ends_every_sandbox(tmp_path):
    folder = write_submission(tmp_path / "h", {"spy.py": SPY.replace(
        "def ids():", "def hang():\n    import time\n    time.sleep(1000)\n\ndef ids():")})
    script = textwrap.dedent(f'''
        import sys; sys.path.insert(0, {ROOT!r})
        from autograder.sandbox.client import Sandbox
        from autograder.submission import open_submission
        from tests.test_sandbox import _call, _sandbox_processes
        box = Sandbox(open_submission({folder!r}).sandbox_spec())
        _call(box, "spawn_daemon", "x")
        import time; time.sleep(0.2)
        print(*_sandbox_processes(box), flush=True)
        _call(box, "hang", timeout=1000)
    ''')
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    alive = [int(p) for p in grader.stdout.readline().split()]
    assert len(alive) >= 2, alive            # the student's process and its setsid daemon
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _live(alive):
        time.sleep(0.1)
    assert _live(alive) == []


def test_forked_helpers_do_not_keep_the_zygote_alive():
    """The symbolic checker forks a helper from the grader; the zygote must still see its
    socket close (and exit) when the grader lets go of it."""
    from autograder import bounded
    from autograder.sandbox.zygote_handle import Zygote
    z = Zygote()
    assert bounded.run(sum, [1, 2], budget=10) == 3       # a helper forked while z is open
    z.sock.close()
    assert z.proc.wait(timeout=120) == 0     # "never" is the failure; a loaded machine may be slow


def test_system_v_ipc_is_refused(spy):
    assert spy("sysv") == "EPERM"


def test_cannot_read_another_sandboxs_submission(tmp_path):
    """Two sandboxes at once (a batch's workers): neither reads the other's copy of its work."""
    a = write_submission(tmp_path / "a", {"spy.py": SPY})
    b = write_submission(tmp_path / "b", {"spy.py": "SECRET = 'b-private-solution'\n" + SPY})   # within what look reads
    first, second = (Sandbox(open_submission(p).sandbox_spec()) for p in (a, b))
    try:
        theirs, _ = _call(second, "where")
        seen = _call(first, "look", [theirs, os.path.join(theirs, "spy.py")])
        assert "b-private-solution" not in str(seen)          # in a jail, /submission is its own
        if first.mode == "container":
            assert set(seen.values()) == {"PermissionError"}, seen
    finally:
        first.close()
        second.close()


def test_no_cgroup_is_left_behind(box, spy):
    spy("ids")
    mine = [line.split(":", 2)[2] for line in spy("cgroup").splitlines() if "autograder-" in line]
    if not mine:
        pytest.skip("no cgroup can be made here")
    tmp_box = Sandbox(box.files)
    _call(tmp_box, "ids")
    lines = _call(tmp_box, "cgroup").splitlines()
    path = [line.split(":", 2) for line in lines if "autograder-" in line][0]
    folder = os.path.join("/sys/fs/cgroup", path[1].split(",")[0], path[2].lstrip("/"))
    assert os.path.isdir(folder)
    tmp_box.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(folder):
        time.sleep(0.05)
    assert not os.path.exists(folder)


def test_a_zygote_killed_outright_leaves_no_cgroup(box, spy, tmp_path):
    """The sandboxes' cgroups are removed when the zygote dies without its cleanup (SIGKILL):
    whoever made them (the twin in root mode, C1 elsewhere) gets SIGTERM and removes them."""
    if not any("autograder-" in line for line in spy("cgroup").splitlines()):
        pytest.skip("no cgroup can be made here")
    folder = write_submission(tmp_path / "z", {"spy.py": SPY.replace(
        "def ids():", "def hang():\n    import time\n    time.sleep(1000)\n\ndef ids():")})
    script = textwrap.dedent(f'''
        import sys; sys.path.insert(0, {ROOT!r})
        from autograder.sandbox.client import Sandbox
        from autograder.sandbox.zygote_handle import zygote
        from autograder.submission import open_submission
        from tests.test_sandbox import _call
        box = Sandbox(open_submission({folder!r}).sandbox_spec())
        line = [l for l in _call(box, "cgroup").splitlines() if "autograder-" in l][0]
        print(zygote().proc.pid, line, flush=True)
        _call(box, "hang", timeout=1000)
    ''')
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        pid, line = grader.stdout.readline().split(" ", 1)
        path = line.strip().split(":", 2)
        group = os.path.join("/sys/fs/cgroup", path[1].split(",")[0], path[2].lstrip("/"))
        assert os.path.isdir(group)
        os.kill(int(pid), signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.path.exists(group):
            time.sleep(0.05)
        assert not os.path.exists(group)
    finally:
        grader.kill()
        grader.wait()


def _zygote_folders() -> set[str]:
    """Every zygote's mount point and scratch folder in the temporary directory (other
    graders' too: a test compares only the folders of its own zygotes, ``_folders_of``)."""
    return {f for name in ("autograder-root-*", "autograder-sandboxes-*")
            for f in glob.glob(os.path.join(tempfile.gettempdir(), name))}


def _folders_of(zygote_pid: int) -> set[str]:
    """The mount point and scratch folder of one living zygote: the scratch folder is the one
    whose lock it holds open for its life (``sandbox/folders.py``)."""
    fd_dir = f"/proc/{zygote_pid}/fd"
    held = [os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)]
    scratch = [p for p in held if os.path.basename(p).startswith(folders.SCRATCH)]
    assert len(scratch) == 1, held
    mountpoint = os.path.join(os.path.dirname(scratch[0]), folders.MOUNTPOINT + folders.suffix(scratch[0]))
    return {scratch[0], mountpoint}


GRADER_WITH_ZYGOTE = """
import sys; sys.path.insert(0, {root!r})
from autograder.sandbox import folders
from autograder.sandbox.client import Sandbox
from autograder.sandbox.zygote_handle import zygote
from autograder.submission import open_submission
from tests.test_sandbox import _call
with Sandbox(open_submission({folder!r}).sandbox_spec()) as box:
    _call(box, "ids")                 # the zygote serves: its folders are made
print(zygote().proc.pid, flush=True)
"""


def test_the_next_zygote_removes_the_folders_of_one_killed_outright(tmp_path):
    """A zygote killed outright cannot remove its mount point and scratch folder; the next
    zygote to start does, and leaves those of a zygote that lives."""
    folder = write_submission(tmp_path / "f", {"spy.py": SPY})
    script = GRADER_WITH_ZYGOTE.format(root=ROOT, folder=folder) + "sys.stdin.readline()\n"
    started = []

    def grader():
        """A grader whose zygote serves: its process, its folders and its zygote's pid."""
        proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
        started.append(proc)
        pid = int(proc.stdout.readline())
        return proc, _folders_of(pid), pid

    try:
        living, killed = grader(), grader()
        os.kill(killed[2], signal.SIGKILL)
        killed[0].communicate("\n")
        assert killed[1] <= _zygote_folders()         # nobody removed them
        next_one = grader()
        next_one[0].communicate("\n")
        left = _zygote_folders()
        assert not killed[1] & left                    # the next zygote did
        assert living[1] <= left                       # not those of a zygote that lives
        assert not next_one[1] & left                  # its own, at its exit
        living[0].communicate("\n")
        assert not living[1] & _zygote_folders()
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.communicate("\n", timeout=30)


def test_the_command_line_ends_once_its_zygote_has_cleaned_up(tmp_path):
    """grade.py ends without the interpreter's teardown (``autograder.__main__.leave``), but
    after its exit handlers: its zygote has removed its folders when it returns."""
    folder = write_submission(tmp_path / "f", {"spy.py": SPY})
    script = GRADER_WITH_ZYGOTE.format(root=ROOT, folder=folder) + textwrap.dedent(f"""
        from tests.test_sandbox import _folders_of
        print(*sorted(_folders_of(zygote().proc.pid)), flush=True)
        from autograder.__main__ import leave
        from autograder.front.cli import main
        leave(main([{os.path.join(ROOT, "reference")!r}, "--module", "tuning"]))
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Total: 6 / 6" in run.stdout                  # its output, flushed
    own = set(run.stdout.splitlines()[1].split())
    assert len(own) == 2 and not own & _zygote_folders()


@pytest.mark.parametrize("how", ["fill_unlinked", "fill_deep"])
def test_hidden_writes_count_too(tmp_path, how):
    """Deleted files held open, and files deeper than a path can name, count in the disk limit
    of a container (elsewhere the tmpfs bounds them)."""
    folder = write_submission(tmp_path / "w", {"spy.py": SPY})
    sandbox = Sandbox(open_submission(folder).sandbox_spec())
    try:
        _, tmp = _call(sandbox, "where")
        with pytest.raises(StudentError) as err:
            _call(sandbox, how, tmp, timeout=60)
        expected = "wrote more than 64 MB to disk" if sandbox.mode == "container" else "No space left on device"
        assert expected in err.value.message
    finally:
        sandbox.close()


def test_a_daemon_that_stops_everything_still_dies(tmp_path):
    folder = write_submission(tmp_path / "s", {"spy.py": SPY})
    sandbox = Sandbox(open_submission(folder).sandbox_spec())
    try:
        _call(sandbox, "ids")
        jail, uid = sandbox.proc.pid, _uid_of(_student_pid(sandbox))

        def processes():
            return _live(_descendants(jail)) if sandbox.mode == "userns" else _processes_of(uid)
        try:
            _call(sandbox, "spawn_stopper", timeout=2)
        except StudentError:
            pass                              # it may stop its own server first: a timeout
        time.sleep(0.3)
        alive = processes()
        assert alive                          # the stopper at least
    finally:
        sandbox.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and processes():
        time.sleep(0.05)
    assert processes() == []
