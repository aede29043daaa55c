"""discovery@K estimators: how soon does a method find a solution that passes all hidden tests?

The discovery time T of a run is the 1-based index of its first attempt that passes; discovery@k = P(T <= k).
Attempts count generations, not gradient steps. Which estimator applies depends on how attempts were made:

- Independent sampling (best-of-k): the n samples of a problem are exchangeable, so any k of them are as good
  as the first k. discovery@k is then pass@k, and the unbiased estimator 1 - C(n-c, k) / C(n, k) uses every
  sample, not only the first k: `pass_at_k`, `best_of_k_curve`, `bootstrap_ci_best_of_k`.
- Sequential methods (multi-turn retrying, SDPO learning): attempt j depends on the feedback from attempts
  1..j-1 (and, for SDPO, on weights updated by them), so attempts are not exchangeable and pass@k would
  answer a different question. Each seed of a problem gives one draw of T; the estimate is the empirical CDF
  of T over seeds, with a run that never passed counted as not discovered at every k: `discovery_curve`,
  `bootstrap_ci`.

Both give one curve per problem; `mean_curve` averages them so that every problem weighs the same.
Pure functions on numbers: no files, no models.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

# Discovery times are stored as floats with "never" as +inf so that `T <= k` is a plain comparison.
_NEVER = np.inf


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n independent samples of which c passed: 1 - C(n-c, k) / C(n, k).

    Computed as 1 - prod_{i=n-c+1..n} (1 - k/i), which equals the ratio of binomials without forming them,
    so it stays exact to float precision for large n.
    """
    if n < 1:
        raise ValueError(f"pass_at_k needs at least one sample, got n={n}: record samples before estimating")
    if not 0 <= c <= n:
        raise ValueError(f"pass_at_k got c={c} correct out of n={n}: c must lie in 0..n")
    if not 1 <= k <= n:
        raise ValueError(f"pass_at_k got k={k} with n={n} samples: k must lie in 1..n; draw at least k samples")
    if n - c < k:
        # Every k-subset contains a correct sample.
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1, dtype=np.float64)))


def best_of_k_curve(n: int, c: int, K: int) -> np.ndarray:
    """pass@k for k = 1..K of one problem sampled independently n times with c passing (needs K <= n)."""
    if K < 1:
        raise ValueError(f"best_of_k_curve got K={K}: the budget must be at least 1")
    return np.array([pass_at_k(n, c, k) for k in range(1, K + 1)])


def _times_array(times: Sequence[int | None], K: int) -> np.ndarray:
    if K < 1:
        raise ValueError(f"discovery curve got K={K}: the budget must be at least 1")
    if len(times) == 0:
        raise ValueError("discovery curve got no runs: give at least one seed's discovery time per problem")
    out = np.empty(len(times), dtype=np.float64)
    for i, t in enumerate(times):
        if t is None:
            out[i] = _NEVER
        elif isinstance(t, (int, np.integer)) and not isinstance(t, bool) and t >= 1:
            out[i] = t
        else:
            raise ValueError(f"discovery time {t!r} is not a 1-based attempt index: use None for never discovered")
    return out


def discovery_curve(times: Sequence[int | None], K: int) -> np.ndarray:
    """Empirical P(T <= k) for k = 1..K from one problem's discovery times over seeds (sequential methods).

    None means the run never passed; it counts as not discovered at every k. A time beyond K counts as not
    discovered within the budget.
    """
    t = _times_array(times, K)
    ks = np.arange(1, K + 1)
    return (t[:, None] <= ks[None, :]).mean(axis=0)


def mean_curve(per_problem_curves: Sequence[np.ndarray]) -> np.ndarray:
    """Average of per-problem curves: every problem weighs the same, whatever its number of seeds."""
    if len(per_problem_curves) == 0:
        raise ValueError("mean_curve got no problems: estimate at least one problem's curve first")
    stacked = np.stack([np.asarray(c, dtype=np.float64) for c in per_problem_curves])
    return stacked.mean(axis=0)


def _percentile_band(replicates: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1.0 - level) / 2.0
    return np.quantile(replicates, tail, axis=0), np.quantile(replicates, 1.0 - tail, axis=0)


def _check_bootstrap_args(n_problems: int, level: float, n_boot: int) -> None:
    if n_problems == 0:
        raise ValueError("bootstrap got no problems: give at least one problem's results")
    if not 0.0 < level < 1.0:
        raise ValueError(f"bootstrap level={level} must lie strictly between 0 and 1, e.g. 0.9")
    if n_boot < 1:
        raise ValueError(f"bootstrap n_boot={n_boot} must be at least 1; 2000 is a sound default")


def bootstrap_ci(
    per_problem_times: Sequence[Sequence[int | None]], K: int, *, level: float = 0.9, n_boot: int = 2000,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval for the problem-averaged discovery curve of a sequential method.

    Two-level bootstrap, because the estimate varies for two reasons: which problems were drawn (the problem
    set is a sample of problems) and which runs each problem happened to get (seeds are a sample of runs).
    Each replicate draws as many problems as there are, with replacement; then, for each drawn copy of a
    problem independently, draws that problem's seeds with replacement and takes their empirical curve; the
    replicate's value is the mean of those curves. Resampling problems alone would ignore seed noise, and
    resampling seeds alone would pretend the problem set is the whole population. Returns (low, high) arrays
    for k = 1..K at the given central level.
    """
    _check_bootstrap_args(len(per_problem_times), level, n_boot)
    n_problems = len(per_problem_times)
    runs = [_times_array(times, K) for times in per_problem_times]
    n_seeds = np.array([len(r) for r in runs])
    # Pad to a rectangle; padded slots are never drawn because seed indices stay below each problem's count.
    padded = np.full((n_problems, n_seeds.max()), _NEVER)
    for p, r in enumerate(runs):
        padded[p, : len(r)] = r
    ks = np.arange(1, K + 1)
    rng = np.random.default_rng(seed)
    replicates = np.empty((n_boot, K))
    chunk = max(1, 2_000_000 // max(1, n_problems * int(n_seeds.max()) * K))
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        problems = rng.integers(0, n_problems, size=(b, n_problems))
        counts = n_seeds[problems]  # (b, P): seeds of each drawn problem
        width = int(counts.max())
        seed_idx = (rng.random((b, n_problems, width)) * counts[..., None]).astype(np.int64)
        valid = np.arange(width)[None, None, :] < counts[..., None]
        drawn = padded[problems[..., None], seed_idx]  # (b, P, width)
        hits = (drawn[..., None] <= ks) & valid[..., None]
        curves = hits.sum(axis=2) / counts[..., None]  # (b, P, K)
        replicates[start : start + b] = curves.mean(axis=1)
    return _percentile_band(replicates, level)


def bootstrap_ci_best_of_k(
    per_problem_outcomes: Sequence[Sequence[bool]], K: int, *, level: float = 0.9, n_boot: int = 2000,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval for the problem-averaged pass@k curve of independent sampling (best-of-k).

    Two levels as in `bootstrap_ci`: problems with replacement, then each drawn problem's n samples with
    replacement. Resampling n pass/fail outcomes with replacement leaves the number correct distributed as
    Binomial(n, c/n), so that is drawn directly; pass@k of the resample uses the same unbiased estimator.
    Every problem needs at least K samples.
    """
    _check_bootstrap_args(len(per_problem_outcomes), level, n_boot)
    n_problems = len(per_problem_outcomes)
    n = np.array([len(o) for o in per_problem_outcomes])
    c = np.array([int(sum(bool(x) for x in o)) for o in per_problem_outcomes])
    if (n < K).any():
        bad = int(np.argmax(n < K))
        raise ValueError(f"problem {bad} has {n[bad]} samples but K={K}: best-of-k needs at least K samples each")
    # tables[p][c'] is problem p's pass@k curve if c' of its n samples had passed.
    by_n = {int(n_p): np.stack([best_of_k_curve(int(n_p), cc, K) for cc in range(n_p + 1)]) for n_p in set(n)}
    tables = [by_n[int(n_p)] for n_p in n]
    rng = np.random.default_rng(seed)
    problems = rng.integers(0, n_problems, size=(n_boot, n_problems))
    resampled_c = rng.binomial(n[problems], c[problems] / n[problems])
    replicates = np.zeros((n_boot, K))
    for p in range(n_problems):
        mask = problems == p
        if mask.any():
            np.add.at(replicates, np.nonzero(mask)[0], tables[p][resampled_c[mask]])
    return _percentile_band(replicates / n_problems, level)


def mean_attempts_to_first_success(times: Sequence[int | None], K: int | None = None) -> tuple[float | None, float]:
    """(mean discovery time over solved runs, fraction of runs solved) for a sequential method.

    A run is solved when its time is not None (and at most K when K is given). The mean is None when no run
    was solved. Read the two together: a method can look fast on the few problems it solves.
    """
    if len(times) == 0:
        raise ValueError("mean_attempts_to_first_success got no runs: give at least one discovery time")
    solved = [t for t in times if t is not None and (K is None or t <= K)]
    mean = float(np.mean(solved)) if solved else None
    return mean, len(solved) / len(times)


def mean_attempts_from_curves(per_problem_curves: Sequence[np.ndarray]) -> tuple[float | None, float]:
    """(expected discovery time among discoveries, solved fraction) from per-problem discovery curves.

    For independent sampling the as-sampled order of attempts is arbitrary, so instead of one ordering this
    takes T's distribution implied by the pass@k curve (P(T = k) = curve[k] - curve[k-1]) and pools it over
    problems: sum_p E[T; T <= K] / sum_p P(T <= K). With equally many seeds per problem it equals
    `mean_attempts_to_first_success` applied to the runs behind empirical curves.
    """
    if len(per_problem_curves) == 0:
        raise ValueError("mean_attempts_from_curves got no problems: estimate at least one curve first")
    stacked = np.stack([np.asarray(c, dtype=np.float64) for c in per_problem_curves])
    mass = np.diff(stacked, axis=1, prepend=0.0)  # P(T = k)
    solved = float(stacked[:, -1].sum())
    ks = np.arange(1, stacked.shape[1] + 1)
    mean = float((mass * ks).sum() / solved) if solved > 0 else None
    return mean, solved / len(stacked)


# ---------------------------------------------------------------------------------- held-out evaluation


def mean_pass_at_k(counts: Sequence[tuple[int, int]], k: int) -> float:
    """Task-averaged unbiased pass@k from (samples n, correct c) per task."""
    if len(counts) == 0:
        raise ValueError("mean_pass_at_k got no tasks: evaluate at least one task first")
    return float(np.mean([pass_at_k(n, c, k) for n, c in counts]))


def bootstrap_mean_ci(values: Sequence[float], *, level: float = 0.9, n_boot: int = 10000,
                      seed: int = 0) -> tuple[float, float]:
    """Percentile interval of the mean of per-task values, resampling tasks with replacement.

    The tasks are the sample: a held-out set is a draw from the problems one cares about, and with few tasks
    that is by far the larger source of variance (the per-task sampling noise of N attempts is inside each
    task's value and is carried along by resampling whole tasks). For a paired comparison pass the per-task
    differences (after - before): the interval is then that of the mean difference.
    """
    _check_bootstrap_args(len(values), level, n_boot)
    data = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    replicates = data[rng.integers(0, len(data), size=(n_boot, len(data)))].mean(axis=1)
    low, high = _percentile_band(replicates, level)
    return float(low), float(high)
