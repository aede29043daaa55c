"""benchmarks/compare_methods.py on a bench directory written here: pairing, verdicts, signal, seconds."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "compare_methods.py"


def attempt(method, seed, n, code, verdict, gen=1.0, grade=0.5):
    return {"method": method, "problem": "ad-001", "seed": seed, "episode": 0, "attempt": n, "code": code,
            "verdict": verdict, "passed": verdict == "passed", "gen_seconds": gen, "grade_seconds": grade}


def write(path: Path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_pairs_attempts_across_shards_and_counts_updates_with_a_signal(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    write(a / "attempts.jsonl", [
        attempt("sdpo", 0, 1, "x=1", "wrong_answer"), attempt("sdpo-grpo", 0, 1, "x=1", "wrong_answer"),
        attempt("sdpo", 0, 2, "x=2", "wrong_answer"), attempt("sdpo-grpo", 0, 2, "x=3", "passed"),
        attempt("sdpo", 1, 1, "y", "compile_error"),  # no partner: not paired
    ])
    write(a / "updates.jsonl", [
        {"method": "sdpo", "seconds": 10.0, "advantages": []},
        {"method": "sdpo-grpo", "seconds": 11.0, "advantages": [0.0, 0.0]},
        {"method": "sdpo-grpo", "seconds": 12.0, "advantages": [-1.0, 1.0]},
    ])
    # the same (problem, seed, attempt) in another shard is another pair, not the same one
    write(b / "attempts.jsonl", [attempt("sdpo", 0, 1, "z", "runtime_error"),
                                 attempt("sdpo-grpo", 0, 1, "z", "runtime_error")])
    out = subprocess.run([sys.executable, str(SCRIPT), str(a), str(b)], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "sdpo vs sdpo-grpo: 3 paired attempts, 2 the same code, 1 with a different verdict"
    assert lines[1] == "sdpo: 1 updates, 0 with a policy-gradient signal; seconds: generate 4, grade 2, update 10"
    assert lines[2] == "sdpo-grpo: 2 updates, 1 with a policy-gradient signal; seconds: generate 3, grade 2, update 23"


def test_a_folder_that_is_not_a_bench_is_refused_with_what_to_give(tmp_path):
    out = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 2
    assert "has no attempts.jsonl" in out.stderr and "bench run directories" in out.stderr


def test_methods_must_be_two_names_and_a_cut_last_line_is_left_out(tmp_path):
    out = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), "--methods", "sdpo"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "two different method names" in out.stderr
    whole = json.dumps(attempt("sdpo", 0, 1, "x", "wrong_answer")) + "\n" + json.dumps(
        attempt("sdpo-grpo", 0, 1, "x", "wrong_answer")) + "\n"
    (tmp_path / "attempts.jsonl").write_text(whole + '{"method": "sdpo", "prob')
    out = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("sdpo vs sdpo-grpo: 1 paired attempts, 1 the same code, 0 with a different verdict")


def test_a_bad_line_before_the_last_is_refused_with_its_place(tmp_path):
    whole = json.dumps(attempt("sdpo", 0, 1, "x", "wrong_answer")) + "\n"
    (tmp_path / "attempts.jsonl").write_text('{"method": "sd\n' + whole)
    out = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 2
    assert "attempts.jsonl:1 is not valid JSON" in out.stderr and "repair or delete that line" in out.stderr
