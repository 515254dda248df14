"""``bin/keep-running``, which ``make run`` starts the feed worker under: a worker that exits
is started again, and Ctrl-C or SIGTERM still stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

KEEP_RUNNING = Path(__file__).resolve().parents[1] / "bin" / "keep-running"
WAIT = 10.0


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc: no ps needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_for(predicate, what):
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def keep_running(tmp_path: Path, script: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(KEEP_RUNNING), "0.1", "sh", "-c", script],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )


def runs(tmp_path: Path) -> int:
    path = tmp_path / "runs"
    return len(path.read_text().splitlines()) if path.exists() else 0


# Fails twice, then stays up (as a worker that crashed on start, then came up).
CRASHES_TWICE = 'echo run >> runs; [ "$(wc -l < runs)" -ge 3 ] && exec sleep 60; exit 3'


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_command_that_exits_is_started_again_until_a_signal_stops_both(tmp_path, sig):
    supervisor = keep_running(tmp_path, CRASHES_TWICE)
    try:
        wait_for(lambda: runs(tmp_path) == 3 and children_of(supervisor.pid), "not restarted")
        [command] = children_of(supervisor.pid)
        supervisor.send_signal(sig)
        _, said = supervisor.communicate(timeout=WAIT)
    finally:
        supervisor.kill()
    assert supervisor.returncode == 0
    assert said.count("exited with status 3; starting it again in 0.1 s") == 2
    assert not Path(f"/proc/{command}").exists(), "the command outlived its supervisor"


def test_a_command_that_exits_0_was_asked_to_stop_and_is_not_started_again(tmp_path):
    supervisor = keep_running(tmp_path, "echo run >> runs; exit 0")
    supervisor.communicate(timeout=WAIT)
    assert (supervisor.returncode, runs(tmp_path)) == (0, 1)


def test_a_killed_command_is_started_again(tmp_path):
    supervisor = keep_running(tmp_path, "echo run >> runs; exec sleep 60")
    try:
        wait_for(lambda: children_of(supervisor.pid), "never started")
        [first] = children_of(supervisor.pid)
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: runs(tmp_path) == 2 and children_of(supervisor.pid), "not restarted")
    finally:
        supervisor.terminate()
        _, said = supervisor.communicate(timeout=WAIT)
    assert "exited with status 137" in said
