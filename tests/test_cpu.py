"""The CPU thread governor (agent/generation/cpu.py): fixed counts are kept, the user's OMP_NUM_THREADS wins, a real busy
neighbour process takes a core away, and this process's own work is not mistaken for a neighbour's."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from agent.generation import cpu

needs_proc_stat = pytest.mark.skipif(cpu._busy_seconds(cpu._usable_cpu_ids()) is None,
                                     reason="no /proc/stat here: the governor keeps a fixed count")


def test_fixed_count_is_kept(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    governor = cpu.ThreadGovernor(3)
    time.sleep(0.3)
    assert not governor.adaptive and governor.choose() == 3


def test_omp_num_threads_is_respected(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    governor = cpu.ThreadGovernor()
    assert not governor.adaptive and governor.choose() == 1


def test_bad_count_is_refused():
    with pytest.raises(ValueError, match="positive count"):
        cpu.ThreadGovernor(0)


@needs_proc_stat
def test_a_busy_neighbour_takes_a_core(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    if cpu.usable_cores() < 2:
        pytest.skip("one usable core: the governor can only choose 1")
    spinner = subprocess.Popen([sys.executable, "-c", "while True:\n    pass\n"])
    try:
        time.sleep(0.5)  # the neighbour reaches full speed
        governor = cpu.ThreadGovernor()
        time.sleep(1.0)
        threads = governor.choose()
    finally:
        spinner.kill()
        spinner.wait()
    assert governor.others_busy > 0.6
    assert threads <= cpu.usable_cores() - 1


@needs_proc_stat
def test_own_work_is_not_counted_as_a_neighbour(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    governor = cpu.ThreadGovernor()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:  # this process is the busy one
        pass
    assert governor.choose() == cpu.usable_cores()
    assert governor.others_busy < 0.5


def test_short_intervals_keep_the_previous_measurement(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    governor = cpu.ThreadGovernor()
    governor.free = 1
    assert governor.choose() == 1  # measured right after creation: too short to judge, kept as it was


def test_fit_threads_sets_torch(monkeypatch):
    import torch

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    before = torch.get_num_threads()
    try:
        cpu.configure(1)
        assert cpu.fit_threads() == 1 and torch.get_num_threads() == 1
    finally:
        cpu.configure(None)
        torch.set_num_threads(before)


def test_workloads_of_one_process_share_the_free_cores(monkeypatch):
    """A generation and an update at once (the server) each get half the free cores, not all of them."""
    import threading

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    governor = cpu.ThreadGovernor()
    inside, release = threading.Event(), threading.Event()

    def other_workload() -> None:
        with cpu.workload():
            inside.set()
            release.wait(10)

    other = threading.Thread(target=other_workload)
    other.start()
    try:
        assert inside.wait(10)
        with cpu.workload():
            assert cpu.active_workloads() == 2
            shared = governor.choose()
    finally:
        release.set()
        other.join()
    assert cpu.active_workloads() == 0
    assert shared == max(1, governor.free // 2)
    assert governor.choose() == governor.free
