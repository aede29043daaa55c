"""What does the SDPO teacher write? Samples from the student's prompt and from the teacher's prompt, side by side.

    python benchmarks/probe_teacher.py RUN_DIR [-n 8] [--max-new-tokens 128] [--limit 6] [--paper-layout]

SDPO distils the teacher's token distribution (the same weights, prompted with the problem plus the feedback on
a failed attempt) into the student (prompted with the problem alone). If the teacher's own samples are worse
than the student's (fewer code blocks, fewer passes), the update pulls the student toward them. This takes the
first failed attempt with feedback of each problem in RUN_DIR's attempts.jsonl, builds the teacher's user turn
exactly as the learner does (agent/learn/teacher.py), and for each problem samples n answers from the base weights
under both prompts with the same seeds, grading each on all tests (Docker). It prints, per prompt, the share
of answers with a code block, the share whose code compiles and runs to a verdict other than compile_error,
and the pass rate. --paper-layout adds a third prompt: the paper's template as written, feedback and closing
instruction appended after the whole problem prompt, its answer line included (the learner's teacher keeps the
answer line last instead; agent/learn/teacher.py says why).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def first_feedback(run_dir: Path) -> dict[str, str]:
    """problem id -> the feedback text of its first failed attempt that has one."""
    found: dict[str, str] = {}
    for line in (run_dir / "attempts.jsonl").read_text().splitlines():
        attempt = json.loads(line)
        if not attempt["passed"] and attempt.get("feedback") and attempt["problem"] not in found:
            found[attempt["problem"]] = attempt["feedback"]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", type=Path, help="a run directory whose attempts carry feedback")
    parser.add_argument("-n", type=int, default=8, help="samples per problem and prompt")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--limit", type=int, default=None, help="at most this many problems")
    parser.add_argument("--paper-layout", action="store_true",
                        help="also sample from the paper's template with the answer line above the feedback")
    args = parser.parse_args()

    from agent import registry
    from agent.episode.prompts import (
        CLOSING_INSTRUCTION, FEEDBACK_HEADER, SYSTEM_PROMPT, extract_code, problem_prompt,
    )
    from agent.learn.teacher import chat_messages, teacher_prompt
    from agent.protocols import SamplingConfig
    from agent.report.evaluation import eval_seed
    from sandbox.config import SandboxConfig
    from sandbox.factory import open_sandbox
    from tasks.loaders import load_taskset

    config = json.loads((args.run_dir / "config.json").read_text())
    feedback = first_feedback(args.run_dir)
    ids = [i for i in (config.get("ids") or feedback) if i in feedback][: args.limit]
    if not ids:
        print(f"error: no failed attempt with feedback in {args.run_dir}/attempts.jsonl", file=sys.stderr)
        return 2
    tasks = load_taskset(config["taskset"], ids=ids)
    policy = registry.open_engine(config.get("engine", {}).get("name", "hf"),
                                  registry.load_trainable(config.get("model", "smollm2-135m")))
    roles = ["student", "teacher"] + (["paper layout"] if args.paper_layout else [])
    totals = {role: Counter() for role in roles}
    with open_sandbox(SandboxConfig()) as sandbox:
        for task in tasks:
            student = problem_prompt(task)
            prompts = {"student": student, "teacher": teacher_prompt(student, feedback=feedback[task.id]),
                       "paper layout": student + FEEDBACK_HEADER + feedback[task.id].strip() + CLOSING_INSTRUCTION}
            prompts = {role: prompts[role] for role in roles}
            for role, user in prompts.items():
                sampling = SamplingConfig(temperature=args.temperature, top_p=0.95,
                                          max_new_tokens=args.max_new_tokens, seed=eval_seed(0, task.id))
                cell = Counter()
                for gen in policy.generate(chat_messages(user, SYSTEM_PROMPT), args.n, sampling):
                    code = extract_code(gen.text)
                    cell["samples"] += 1
                    if code is None:
                        continue
                    cell["code block"] += 1
                    verdict = sandbox.grade(code, task, task.all_tests, stop_on_failure=True).verdict
                    cell["runs"] += verdict != "compile_error"
                    cell["pass"] += verdict == "pass"
                totals[role].update(cell)
                print(f"{task.id} {role:12s} code block {cell['code block']}/{cell['samples']}, runs "
                      f"{cell['runs']}, pass {cell['pass']}", file=sys.stderr)
    print(f"{len(tasks)} problems x {args.n} samples per prompt, base weights, temperature {args.temperature}, "
          f"{args.max_new_tokens} tokens; load average {os.getloadavg()[0]:.2f} at the end\n")
    print("| prompt | code block | compiles and runs | passes all tests |")
    print("|---|---:|---:|---:|")
    for role, c in totals.items():
        n = c["samples"]
        print(f"| {role} | {c['code block']}/{n} | {c['runs']}/{n} | {c['pass']}/{n} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
