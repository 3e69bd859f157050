"""What the student's process can and cannot do: probed from inside with a spy submission."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from autograder.sandbox.client import Sandbox, StudentError
from autograder.submission import open_submission
from tests.helpers import ROOT, targets, write_submission

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

    def ids():
        return [os.getuid(), os.geteuid(), os.getgid(), os.getpid()]

    def pids():
        return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())

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

    def memory_bomb():
        blocks = []
        while True:
            blocks.append(bytearray(100 * 2**20))
''')


@pytest.fixture(scope="module")
def spy(tmp_path_factory):
    folder = write_submission(tmp_path_factory.mktemp("spy"), {"spy.py": SPY})
    box = Sandbox(open_submission(folder).sandbox_spec())
    yield lambda fn, *args, timeout=10: box.request(
        {"op": "call", "module": "spy", "function": fn, "args": {"__tuple__": list(args)},
         "kwargs": {"__dict__": []}, "probe": None}, timeout)
    box.close()


def test_runs_as_an_unprivileged_user(spy):
    if os.geteuid() != 0:
        pytest.skip("uid separation needs root")
    uid, euid, gid, _ = spy("ids")
    assert uid == euid != 0 and gid != 0


def test_cannot_read_the_reference_graders_or_project(spy, tmp_path):
    paths = targets(str(tmp_path / "outside"))          # each one exists out here
    seen = spy("look", sorted(paths.values()))
    # the project folder itself may show the one entry that leads to a Python environment
    # bound inside it (a clone's .venv), and nothing else
    venv = os.path.relpath(os.path.realpath(sys.prefix), ROOT).split(os.sep)[0]
    listing = seen.pop(paths["project"])
    assert listing in ("FileNotFoundError", "PermissionError", [venv]), listing
    assert all(v in ("FileNotFoundError", "PermissionError") for v in seen.values()), seen


def test_sees_its_own_copy_of_the_submission_only(spy):
    seen = spy("look", ["/submission", "/tmp"])
    # a Python environment under /tmp (a clone there) is bound into the private /tmp, read-only
    python_under_tmp = {os.path.realpath(p).split("/")[2] for p in (sys.prefix, sys.base_prefix)
                        if os.path.realpath(p).startswith("/tmp/")}
    assert seen["/submission"] == ["spy.py"] and set(seen["/tmp"]) == python_under_tmp


def test_sees_only_its_own_processes(spy):
    assert spy("pids") == [1, 2]


def test_has_no_network(spy):
    assert spy("network") == "ENETUNREACH"     # a network namespace with its loopback down


def test_cannot_write_outside_its_tmp(spy, tmp_path):
    assert spy("write", "/submission/spy.py") in ("PermissionError", "OSError")
    assert spy("write", os.path.join(ROOT, "grade.py")) in ("FileNotFoundError", "PermissionError")
    assert spy("write", "/tmp/scratch") == "written"


def test_memory_bomb_fails_the_call_only(spy):
    with pytest.raises(StudentError) as err:
        spy("memory_bomb")
    assert "MemoryError" in err.value.message
    assert spy("ids")                        # the same sandbox still answers


def test_daemon_dies_with_the_sandbox(tmp_path):
    folder = write_submission(tmp_path / "d", {"spy.py": SPY})
    box = Sandbox(open_submission(folder).sandbox_spec())
    call = {"op": "call", "module": "spy", "function": "spawn_daemon", "args": {"__tuple__": ["x"]},
            "kwargs": {"__dict__": []}, "probe": None}
    assert box.request(call, 10) is True
    uid = _uids_of(box.proc.pid)
    box.close()
    time.sleep(0.5)
    assert uid and not _processes_of(uid)


def _uids_of(pid):
    """The uid of the student process under C2 ``pid`` (its child)."""
    out = subprocess.run(["ps", "-o", "uid=", "--ppid", str(pid)], capture_output=True, text=True)
    return out.stdout.split()[0] if out.stdout.split() else None


def _processes_of(uid):
    out = subprocess.run(["ps", "-o", "pid=", "-u", uid], capture_output=True, text=True)
    return out.stdout.split()


def test_killing_the_grader_ends_every_sandbox(tmp_path):
    folder = write_submission(tmp_path / "h", {"spy.py": SPY.replace(
        "def ids():", "def hang():\n    import time\n    time.sleep(1000)\n\ndef ids():")})
    script = textwrap.dedent(f'''
        import sys; sys.path.insert(0, {ROOT!r})
        from autograder.sandbox.client import Sandbox
        from autograder.submission import open_submission
        box = Sandbox(open_submission({folder!r}).sandbox_spec())
        box.request({{"op": "load", "module": "spy"}}, 30)
        print(box.proc.pid, flush=True)
        box.request({{"op": "call", "module": "spy", "function": "hang", "args": {{"__tuple__": []}},
                     "kwargs": {{"__dict__": []}}, "probe": None}}, 1000)
    ''')
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    c2 = int(grader.stdout.readline())
    uid = _uids_of(c2)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (_processes_of(uid) or os.path.exists(f"/proc/{c2}")):
        time.sleep(0.1)
    assert not _processes_of(uid) and not os.path.exists(f"/proc/{c2}")


def test_forked_helpers_do_not_keep_the_zygote_alive():
    """The symbolic checker forks a helper from the grader; the zygote must still see its
    socket close (and exit) when the grader lets go of it."""
    from autograder import bounded
    from autograder.sandbox.client import Zygote
    z = Zygote()
    assert bounded.run(sum, [1, 2], budget=10) == 3       # a helper forked while z is open
    z.sock.close()
    assert z.proc.wait(timeout=5) == 0
