"""How many CPU threads torch may use right now, judged by what the rest of the machine is doing.

Why: torch's CPU kernels run as many small OpenMP parallel regions (hundreds per generated token for a small
model), each ending in a barrier. With as many threads as cores and one other busy process, one of our threads
is always waiting in the run queue behind it, and every barrier then waits for a scheduler time slice: on a
2-core machine generation fell from 25 to about 1 token/s (measured; see benchmarks/bench_contention.py).
Fewer threads than busy-free cores never wait like that.

So before each generation and each learner update (and every half second during a long generation) the
thread count is set to the number of cores the other processes leave free. Their load is read without any
waiting: busy CPU time of the whole machine (/proc/stat) minus this process's own CPU time, over the interval
since the previous look. The count never exceeds the cores this process may run on and never drops below 1.

Several torch workloads of this process at once (the server generates while its learner updates) share those
free cores: torch's thread count is one setting for the whole process, so while k workloads are inside
`workload()` each of them runs with free // k threads (at least 1) instead of all of them with free, which
would put twice as many spinning threads as cores on the machine (an update while serving took 5.6x as long).

OMP_NUM_THREADS set by the user, or a fixed count from the caller, turns this off. On machines without
/proc/stat (macOS) the free cores are all usable cores.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Iterator

MIN_WINDOW_S = 0.2
"""Shorter intervals are too coarse for /proc/stat's 10 ms ticks: the previous measurement is kept."""

FREE_CORE_SLACK = 0.3
"""A core counts as free when the others leave at least 1 - this much of it (they are rarely at exactly 0)."""


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, which a container or taskset may narrow)."""
    return len(_usable_cpu_ids()) or max(1, os.cpu_count() or 1)


def _usable_cpu_ids() -> set[int]:
    return set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set()


def _busy_seconds(cpus: set[int]) -> float | None:
    """CPU seconds the cores in `cpus` have spent busy since boot (all but idle and iowait), or None.

    Only this process's own cores are summed, so on a large machine where it is pinned to a few, the load on
    the other cores does not count against it.
    """
    try:
        with open("/proc/stat") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    busy, seen = 0, 0
    for line in lines:
        name, _, rest = line.partition(" ")
        if not name.startswith("cpu") or name == "cpu" or int(name[3:]) not in cpus:
            continue
        # user nice system idle iowait irq softirq steal (guest time is already inside user)
        ticks = [int(x) for x in rest.split()[:8]]
        busy += sum(ticks) - ticks[3] - ticks[4]
        seen += 1
    return busy / os.sysconf("SC_CLK_TCK") if seen else None


class ThreadGovernor:
    """Chooses torch's CPU thread count from the cores other processes leave free.

    `fixed` pins the count (and turns the measurement off); None means adaptive, unless OMP_NUM_THREADS is set,
    which is then respected as a fixed count.
    """

    def __init__(self, fixed: int | None = None) -> None:
        if fixed is not None and fixed < 1:
            raise ValueError(f"threads={fixed}: use a positive count, or leave it unset for adaptive")
        env = os.environ.get("OMP_NUM_THREADS", "").strip()
        if fixed is None and env.isdigit() and int(env) > 0:
            fixed = int(env)
        self.fixed = fixed
        self.free = usable_cores()
        """Cores the other processes left free over the last measured interval."""
        self.threads = fixed or self.free
        self.others_busy = 0.0
        """Cores' worth of CPU the other processes used over the last measured interval."""
        self._last = self._sample()

    @property
    def adaptive(self) -> bool:
        return self.fixed is None and self._last[0] is not None

    def apply(self) -> int:
        """Measure, set torch's thread count when it changes, and return it. Cheap: call it often."""
        import torch

        chosen = self.choose()
        if torch.get_num_threads() != chosen:
            torch.set_num_threads(chosen)
        return chosen

    def choose(self) -> int:
        """The thread count for the next piece of work, from the interval since the previous call."""
        if self.fixed is not None:
            return self.threads
        now = self._sample()
        (busy0, own0, t0), (busy1, own1, t1) = self._last, now
        window = t1 - t0
        if self.adaptive and window >= MIN_WINDOW_S:
            self._last = now
            self.others_busy = max(0.0, ((busy1 - busy0) - (own1 - own0)) / window)
            cores = usable_cores()
            self.free = max(1, min(cores, int(cores - self.others_busy + FREE_CORE_SLACK)))
        self.threads = max(1, self.free // max(1, active_workloads()))
        return self.threads

    @staticmethod
    def _sample() -> tuple[float | None, float, float]:
        return _busy_seconds(_usable_cpu_ids()), time.process_time(), time.monotonic()


_governor: ThreadGovernor | None = None
_active = 0
_active_lock = threading.Lock()


def active_workloads() -> int:
    """How many torch workloads of this process are inside workload() now."""
    return _active


@contextlib.contextmanager
def workload() -> Iterator[None]:
    """Mark a generation or an update running: while others run beside it, they share the free cores."""
    global _active
    with _active_lock:
        _active += 1
    try:
        yield
    finally:
        with _active_lock:
            _active -= 1


def configure(fixed: int | None = None) -> ThreadGovernor:
    """Replace the process's governor: a fixed thread count, or None for adaptive."""
    global _governor
    _governor = ThreadGovernor(fixed)
    return _governor


def fit_threads() -> int:
    """Set torch's CPU threads for the work about to start (called by the policy and the learner)."""
    global _governor
    if _governor is None:
        _governor = ThreadGovernor()
    return _governor.apply()
