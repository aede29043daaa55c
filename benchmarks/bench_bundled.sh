#!/usr/bin/env bash
# The larger benchmark: the whole bundled set (44 problems), K = 8, R = 3, best-of-k, multi-turn, sdpo and the
# SDPO + GRPO blend on the same budget, as two shards on disjoint problems (odd ids, even ids) that run side by
# side with one thread each, which on 2 cores gives about twice the throughput of one process with two threads.
#
#   benchmarks/bench_bundled.sh [OUT]      # default OUT: runs/bench-bundled; about 9-10 hours on 2 cores
#
# benchmarks/bench_bundled.toml turns off two costs of the update that do not change it (a run started without
# them resumes with them). The load average goes to OUT/load.txt every 5 minutes. Run it again to continue:
# each shard resumes from OUT/a or OUT/b (`bench --resume` keeps finished units); to continue on another machine,
# `autodidact bench snapshot OUT/a --out COPY/a` (and b) copies the finished units. When both shards are done:
#
#   autodidact bench report --shards OUT/a OUT/b
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/bench-bundled}
bin=${AUTODIDACT:-.venv/bin/autodidact}
mkdir -p "$out"

ids() {  # ad-START, ad-START+2, ..., up to ad-044
    local i first=1 list=""
    for ((i = $1; i <= 44; i += 2)); do
        list+=$([ $first = 1 ] || echo ,)$(printf 'ad-%03d' "$i")
        first=0
    done
    echo "$list"
}

shard() {
    local name=$1 start
    start=$([ "$name" = a ] && echo 1 || echo 2)
    local where=(--out "$out/$name")
    [ -f "$out/$name/config.json" ] && where=(--resume "$out/$name")
    local rc=0
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$bin" bench bundled --ids "$(ids "$start")" -K 8 -R 3 -B 2 \
        --max-new-tokens 128 --methods best-of-k,multi-turn,sdpo,sdpo-grpo --config benchmarks/bench_bundled.toml \
        "${where[@]}" >> "$out/$name.log" 2>&1 \
        || rc=$?
    echo "$name exit $rc at $(date -u +%FT%TZ)" >> "$out/done.txt"
    return $rc
}

(while sleep 300; do echo "$(date -u +%FT%TZ) $(cat /proc/loadavg)" >> "$out/load.txt"; done) & pid_load=$!
trap 'kill "$pid_load" 2>/dev/null' EXIT
shard a & pid_a=$!
shard b & pid_b=$!
echo "shards running as $pid_a (a) and $pid_b (b); logs in $out/a.log and $out/b.log"
status=0
wait "$pid_a" || status=1
wait "$pid_b" || status=1
exit $status
