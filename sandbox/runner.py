"""The grader that runs inside the sandbox: one JSON job in, one JSON result out. Standard library only.

It is copied into the sandbox image and also run on the host by the local backend, so it must not import
anything from autodidact.

    python3 -I -S runner.py grade [--kill-strays]   read a job on stdin, write the result on stdout, exit 0
    python3 runner.py init                          PID 1 of a sandbox container: reap zombies forever
    grade_job(job) -> result                        the same grade, called from Python

Job:    {"code", "kind": stdin|functional|check, "func_name", "tests": [{"input", "output"}], "timeout",
         "stop_on_failure", "output_limit", "field_limit", "memory_limit"}
Result: {"verdict", "tests": [TestResult fields], "seconds", "message"}
A non-zero exit status means the runner itself broke (for example a malformed job); a failing program is a
verdict, never an exit status.

Verdicts follow LiveCodeBench's official harness: the same import prelude (every `from X import *` then
`import X`), recursion limit 50000, stdout compared line by line after stripping, with a token-wise Decimal
fallback and no float tolerance; functional tasks call `Solution().<func_name>(*args)` or a top-level
function, and an exception while defining the solution or a missing function is a compile error;
SystemExit ends a stdin program normally. Functional results follow the harness's exact rule: only a
top-level tuple is converted to a list, then the result must equal the parsed expected JSON in Python, so a
tuple nested anywhere inside it (a list of tuples, a tuple in a dict) never passes, and neither does a dict
with non-string keys (parsed JSON has only string keys).

How it works: the prelude is imported and the code compiled once; each test then runs in a forked child in
its own session (so tests cannot affect each other), with the test input on fd 0, stdout on a pipe the
parent drains, and a second pipe that carries the outcome back. The parent times each test with
time.monotonic and on time-out SIGKILLs the child's whole process group.

Where this departs from LiveCodeBench, on purpose:
- A fresh process per test: module state, a Solution instance and the random generator do not carry over
  from one test to the next (LiveCodeBench runs all tests in one process).
- stdin programs run as `__main__` at module level, exactly as `python3 prog.py` would; LiveCodeBench wraps
  the code in a function and only unwraps a main block that is the last statement. `from __future__`
  imports work because the prelude is executed separately instead of pasted in front of the code.
- stdin is a real file descriptor, so `sys.stdin.buffer`, `open(0)` and `os.read(0, n)` work, and
  `sys.stdout.buffer` writes are captured (LiveCodeBench's StringIO patching breaks on both).
- The prelude also binds the names `builtins` and `typing`, and is applied to check (HumanEval) tasks too.
- Output beyond output_limit bytes is discarded and the test cannot pass, so an endless printer ends as
  time_limit; an optional address-space limit turns excess memory into runtime_error.
- A functional result is compared after a JSON round trip done in the grading process: the graded code never
  sees the expected value, and an object with a rigged __eq__ cannot pass. Consequences: a result that is not
  JSON data (a set, a custom object, a Fraction) is a wrong answer; where a round trip would change the
  value (nested tuples, non-string dict keys) the result is refused first, as the harness's `==` would.
- A Solution class is recognised by name in the executed module, not by the text "class Solution".

Threat model of this file alone: tests are isolated from each other and from the runner, time and output are
bounded, and processes in a test's process group die with it. A process that leaves its session (setsid)
survives unless --kill-strays is given, which is only meant for containers because it kills every process of
the uid. In check tasks the verdict is decided inside the graded process, so code there can forge it.
Filesystem, network and other users' processes are the container's job, not this file's.
"""

from __future__ import annotations

import builtins
import json
import linecache
import os
import random
import resource
import select
import signal
import sys
import time
import traceback
from decimal import Decimal

PRELUDE_MODULES = (
    "string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random", "statistics",
    "itertools", "functools", "operator", "io", "sys", "json", "builtins", "typing",
)
# LiveCodeBench star-imports every module first, then binds the module names, so `datetime` is the module and
# names such as `pow` and `open` come from builtins (imported late), not from math or io.
PRELUDE = (
    "".join(f"from {name} import *\n" for name in PRELUDE_MODULES)
    + "".join(f"import {name}\n" for name in PRELUDE_MODULES)
)
SOLUTION_FILE = "<solution>"
TEST_FILE = "<test>"
RECURSION_LIMIT = 50000
TRACEBACK_FRAMES = 10
"""Most solution frames kept in a traceback (the most recent ones)."""
KINDS = ("stdin", "functional", "check")


class JobError(ValueError):
    """The job itself is malformed (a caller's bug, not the graded code's)."""


# ----------------------------------------------------------------------------------------------- grading


def grade_job(job: dict) -> dict:
    """Grade job['code'] against job['tests']; return the result dict described in the module docstring."""
    # Long integers in expected and returned values must parse here; restore the host's limit afterwards
    # because the inprocess backend calls this inside the agent's own process.
    saved = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    if saved is not None:
        sys.set_int_max_str_digits(0)
    try:
        return _grade(job)
    finally:
        if saved is not None:
            sys.set_int_max_str_digits(saved)


def _grade(job: dict) -> dict:
    start = time.monotonic()
    spec = _check_job(job)
    prelude = compile(PRELUDE, "<prelude>", "exec", dont_inherit=True)
    exec(prelude, {})  # imports the prelude modules once, so each forked test only binds names
    try:
        program = compile(spec["code"], SOLUTION_FILE, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as e:
        message = _clip("".join(traceback.format_exception_only(type(e), e)).strip(), spec["field_limit"])
        return {"verdict": "compile_error", "tests": [], "seconds": time.monotonic() - start, "message": message}
    test_program = None
    if spec["kind"] == "check":
        test_program = [_compile_test(t["input"]) for t in spec["tests"]]

    results: list[dict] = []
    verdict = "pass"
    for index, test in enumerate(spec["tests"]):
        extra = test_program[index] if test_program else None
        result = _grade_test(spec, index, test, prelude, program, extra)
        results.append(result)
        if result["verdict"] != "pass":
            if verdict == "pass":
                verdict = result["verdict"]
            # A compile error is the same for every test, so grading more tests only repeats it.
            if spec["stop_on_failure"] or result["verdict"] == "compile_error":
                break
    message = None
    if verdict == "compile_error":
        message = results[-1]["error"]
    return {"verdict": verdict, "tests": results, "seconds": time.monotonic() - start, "message": message}


def _check_job(job: dict) -> dict:
    if not isinstance(job, dict):
        raise JobError(f"a job must be a JSON object, got {type(job).__name__}; build it with sandbox.jobs.make_job")
    missing = [k for k in ("code", "kind", "tests") if k not in job]
    if missing:
        raise JobError(f"job lacks {missing}; build jobs with sandbox.jobs.make_job")
    if job["kind"] not in KINDS:
        raise JobError(f"job kind {job['kind']!r} is unknown; use one of {KINDS}")
    if job["kind"] in ("functional", "check") and not job.get("func_name"):
        raise JobError(f"a {job['kind']} job needs func_name; set it from the task's metadata")
    try:
        spec = _spec_of(job)
    except (TypeError, ValueError) as e:
        raise JobError(f"a job field has the wrong type ({e}); build jobs with sandbox.jobs.make_job") from e
    if not spec["timeout"] > 0:
        raise JobError(f"timeout must be > 0 seconds, got {spec['timeout']}")
    for i, test in enumerate(spec["tests"]):
        if not (isinstance(test, dict) and isinstance(test.get("input"), str) and isinstance(test.get("output"), str)):
            raise JobError(f"test {i} must be {{'input': str, 'output': str}}, got {test!r:.200}")
    return spec


def _spec_of(job: dict) -> dict:
    return {
        "code": str(job["code"]),
        "kind": job["kind"],
        "func_name": job.get("func_name"),
        "tests": list(job["tests"]),
        "timeout": float(job.get("timeout", 6.0)),
        "stop_on_failure": bool(job.get("stop_on_failure", True)),
        "output_limit": int(job.get("output_limit", 8 * 1024 * 1024)),
        "field_limit": int(job.get("field_limit", 2000)),
        "memory_limit": int(job["memory_limit"]) if job.get("memory_limit") else None,
    }


def _compile_test(source: str):
    try:
        return compile(source, TEST_FILE, "exec", dont_inherit=True)
    except SyntaxError as e:
        raise JobError(f"the check code of a test does not compile ({e}); fix the task's test") from e


def _grade_test(spec: dict, index: int, test: dict, prelude, program, test_program) -> dict:
    """Run one test in a forked child and turn what came back into a TestResult dict."""
    limit = spec["field_limit"]
    args = expected_value = None
    if spec["kind"] == "functional":
        args = _parse_json_lines(test["input"], index)
        try:
            expected_value = json.loads(test["output"])
        except ValueError as e:
            raise JobError(f"test {index}: expected output is not JSON ({e}); fix the task's test") from e
    run = _fork_and_run(spec, test, prelude, program, test_program, args)
    # Only a stdin program's output is its answer; in other kinds printing is debugging, and what is cut off
    # is an oversized returned value.
    truncated = run["stdout_overflow"] if spec["kind"] == "stdin" else run["report_overflow"]
    result = {
        "index": index, "verdict": "pass", "input": _clip(test["input"], limit),
        "expected": _clip(test["output"], limit), "actual": "", "seconds": run["seconds"],
        "error": None, "traceback": None, "truncated": truncated,
    }
    report = run["report"]
    if spec["kind"] == "stdin":
        result["actual"] = _clip(run["stdout"], limit)
    if run["timed_out"]:
        result["verdict"] = "time_limit"
        result["error"] = f"Time Limit Exceeded: the test ran longer than {spec['timeout']:g} s"
    elif report is None:
        result["verdict"] = "runtime_error"
        result["error"] = _describe_exit(run["status"], spec["memory_limit"])
        # A program that ends itself with os._exit(0) still counts as finished for stdin tasks.
        if spec["kind"] == "stdin" and run["status"] == 0:
            result["verdict"], result["error"] = "pass", None
    elif report.get("verdict"):
        for key in ("verdict", "error", "traceback"):
            result[key] = report.get(key)
        if report.get("actual") is not None:
            result["actual"] = _clip(report["actual"], limit)
    if result["verdict"] == "pass":
        if truncated:
            result["verdict"] = "wrong_answer"
        elif spec["kind"] == "stdin":
            if not outputs_match(run["stdout"], test["output"]):
                result["verdict"] = "wrong_answer"
        elif spec["kind"] == "functional":
            result["actual"] = _clip(report.get("actual") or "", limit)
            if not _returned_value_matches(report, expected_value):
                result["verdict"] = "wrong_answer"
    for key in ("error", "traceback"):
        if result[key] is not None:
            result[key] = _clip(result[key], limit, keep="tail" if key == "traceback" else "both")
    return result


def _parse_json_lines(text: str, index: int) -> list:
    try:
        return [json.loads(line) for line in text.split("\n")]
    except ValueError as e:
        raise JobError(f"test {index}: a functional input must hold one JSON value per line ({e}); "
                       "fix the task's test") from e


def _returned_value_matches(report: dict, expected) -> bool:
    if not report.get("json"):
        return False
    try:
        return json.loads(report["actual"]) == expected
    except (ValueError, RecursionError):
        return False


def outputs_match(actual: str, expected: str) -> bool:
    """LiveCodeBench's stdout rule: same number of stripped lines; each line equal, or all tokens equal as Decimals."""
    actual_lines = [line.strip() for line in actual.strip().split("\n")]
    expected_lines = [line.strip() for line in expected.strip().split("\n")]
    if len(actual_lines) != len(expected_lines):
        return False
    for got, want in zip(actual_lines, expected_lines):
        if got == want:
            continue
        try:
            if [Decimal(t) for t in got.split()] != [Decimal(t) for t in want.split()]:
                return False
        except (ArithmeticError, ValueError):  # not numbers, or a signalling NaN that refuses to compare
            return False
    return True


def _describe_exit(status: int | None, memory_limit: int | None) -> str:
    if status is not None and status < 0:
        number = -status
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        if number == signal.SIGKILL:
            limit = f" (limit {memory_limit // 2**20} MB)" if memory_limit else ""
            why = f"it probably ran out of memory{limit}"
            return f"Killed: the program was killed by {name}; {why}"
        if number == signal.SIGSEGV:
            return f"Killed: the program crashed with {name} (often recursion too deep for the C stack)"
        return f"Killed: the program was killed by {name}"
    return f"the program exited with status {status} before reporting"


# ------------------------------------------------------------------------------------- the parent side


def _fork_and_run(spec: dict, test: dict, prelude, program, test_program, args) -> dict:
    """Fork a child for one test, feed it nothing but its input, collect stdout and the report under the timeout."""
    out_r, out_w = os.pipe()
    report_r, report_w = os.pipe()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()  # otherwise the child would hold a copy of unflushed parent output
        except (OSError, ValueError, AttributeError):
            pass
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        status = 70
        try:
            os.close(out_r)
            os.close(report_r)
            status = _child_main(spec, test, prelude, program, test_program, args, out_w, report_w)
        finally:
            os._exit(status)
    os.close(out_w)
    os.close(report_w)
    try:
        exit_fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        exit_fd = None  # no pidfd (old kernel, seccomp, macOS): poll for the exit instead
    try:
        return _collect(pid, exit_fd, out_r, report_r, start, spec)
    finally:
        for fd in (out_r, report_r, exit_fd):
            if fd is not None:
                os.close(fd)


def _collect(pid: int, exit_fd: int | None, out_r: int, report_r: int, start: float, spec: dict) -> dict:
    limit = spec["output_limit"]
    deadline = start + spec["timeout"]
    buffers = {out_r: bytearray(), report_r: bytearray()}
    overflow = {out_r: False, report_r: False}
    poller = select.poll()  # not select.select: an in-process host may already hold more than 1024 fds
    for fd in (out_r, report_r):
        poller.register(fd, select.POLLIN)
    if exit_fd is not None:
        poller.register(exit_fd, select.POLLIN)
    open_fds = {out_r, report_r}

    def read(fd: int) -> None:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            poller.unregister(fd)
            open_fds.discard(fd)
            return
        room = limit - len(buffers[fd])
        if len(chunk) > room:
            overflow[fd] = True  # the rest is read and dropped, so the child never blocks on a full pipe
        if room > 0:
            buffers[fd] += chunk[:room]

    exited = timed_out = False
    while not exited:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        wait = remaining if exit_fd is not None else min(remaining, 0.005)
        for fd, _ in poller.poll(wait * 1000):
            if fd == exit_fd:
                exited = True
            elif fd in open_fds:
                read(fd)
        if exit_fd is None:
            exited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    seconds = time.monotonic() - start
    if exited:
        # What the child wrote just before exiting is still in the pipes; a grandchild may keep writing, so
        # stop at the deadline.
        if exit_fd is not None:
            poller.unregister(exit_fd)
        while open_fds and time.monotonic() < deadline:
            ready = poller.poll(0)
            if not ready:
                break
            for fd, _ in ready:
                read(fd)
    # The child is a zombie or still running, so its pid (= its process group id) cannot have been reused.
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    _, wait_status = os.waitpid(pid, 0)
    report = None
    if timed_out:
        pass
    elif overflow[report_r]:
        report = {"verdict": "wrong_answer", "error": "the returned value is larger than the output limit"}
    elif buffers[report_r]:
        try:
            report = json.loads(buffers[report_r].decode("utf-8"))
        except ValueError:
            report = None  # a torn report (the child died while writing) says nothing reliable
    return {
        "stdout": buffers[out_r].decode("utf-8", errors="replace"),
        "report": report if isinstance(report, dict) else None,
        "stdout_overflow": overflow[out_r],
        "report_overflow": overflow[report_r],
        "timed_out": timed_out,
        "status": os.waitstatus_to_exitcode(wait_status),
        "seconds": seconds,
    }


# -------------------------------------------------------------------------------------- the child side


def _child_main(spec: dict, test: dict, prelude, program, test_program, args, out_w: int, report_w: int) -> int:
    """Runs in the forked child: set up the process, run the code, send the report; returns the exit status."""
    os.setsid()
    _redirect_stdio(test["input"], out_w)
    if spec["memory_limit"]:
        _limit_address_space(spec["memory_limit"])
    # Prepared before the code runs, so a MemoryError can still be reported when nothing can be allocated.
    out_of_memory = json.dumps({"verdict": "runtime_error", "error": _memory_message(spec["memory_limit"])}).encode()
    _register_source(SOLUTION_FILE, spec["code"])
    if test_program is not None:
        _register_source(TEST_FILE, test["input"])
    sys.setrecursionlimit(RECURSION_LIMIT)
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    random.seed()  # a fresh process would draw a fresh seed; a fork would replay the parent's sequence
    try:
        report = _run_kind(spec, prelude, program, test_program, args)
    except MemoryError:
        report = None
    _flush_stdout()
    data = out_of_memory if report is None else _encode_report(report, out_of_memory)
    _write_all(report_w, data)
    return 0


def _run_kind(spec: dict, prelude, program, test_program, args) -> dict:
    kind = spec["kind"]
    namespace = {"__name__": "__main__" if kind == "stdin" else "solution", "__builtins__": builtins}
    exec(prelude, namespace)
    try:
        exec(program, namespace)
    except SystemExit:
        if kind == "stdin":
            return {}
        return _exception_report("compile_error", sys.exc_info()[1], spec)
    except BaseException as e:
        return _exception_report("runtime_error" if kind == "stdin" else "compile_error", e, spec)
    if kind == "stdin":
        return {}
    elif kind == "functional":
        return _call_function(namespace, spec, args)
    elif kind == "check":
        return _run_check(namespace, spec, test_program)
    else:
        raise ValueError(f"unknown kind {kind!r}")


def _call_function(namespace: dict, spec: dict, args: list) -> dict:
    name = spec["func_name"]
    solution_class = namespace.get("Solution")
    try:
        owner = solution_class() if isinstance(solution_class, type) else None
        method = getattr(owner, name, None) if owner is not None else namespace.get(name)
    except BaseException as e:
        return _exception_report("compile_error", e, spec)
    if not callable(method):
        where = "class Solution" if owner is not None else "the code"
        return {"verdict": "compile_error", "error": f"NameError: {where} defines no function named {name!r}"}
    try:
        value = method(*args)
    except BaseException as e:
        return _exception_report("runtime_error", e, spec)
    # LiveCodeBench converts only a top-level tuple; `prediction == expected` then decides.
    if isinstance(value, tuple):
        value = list(value)
    if not _survives_json_unchanged(value):
        return {"json": False, "actual": _safe_repr(value)}
    try:
        return {"json": True, "actual": json.dumps(value)}
    except (TypeError, ValueError, RecursionError):
        return {"json": False, "actual": _safe_repr(value)}


def _survives_json_unchanged(value) -> bool:
    """False when a JSON round trip would turn `value` into something it does not equal in Python.

    json.dumps writes a tuple as a list and an int, float, bool or None dict key as a string, but the
    expected value is parsed JSON, which holds neither tuples nor non-string keys: in LiveCodeBench's
    `prediction == expected` such a result never matches, so here it must not match either. Walked with
    a stack, not recursion, so a deep or cyclic result cannot crash the check.
    """
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            return False
        if isinstance(item, (list, dict)):
            if id(item) in seen:
                continue  # a cycle: json.dumps refuses it below
            seen.add(id(item))
            if isinstance(item, dict):
                if not all(isinstance(key, str) for key in item):
                    return False
                stack.extend(item.values())
            else:
                stack.extend(item)
    return True


def _run_check(namespace: dict, spec: dict, test_program) -> dict:
    candidate = namespace.get(spec["func_name"])
    if not callable(candidate):
        missing = f"NameError: the code defines no function named {spec['func_name']!r}"
        return {"verdict": "compile_error", "error": missing}
    try:
        exec(test_program, namespace)
        namespace["check"](candidate)
    except AssertionError as e:
        line = _last_line_in(e.__traceback__, TEST_FILE)
        detail = f" ({e})" if str(e) else ""
        return {
            "verdict": "wrong_answer",
            "error": f"AssertionError: {line}{detail}",
            "actual": line,
            "traceback": _solution_traceback(e.__traceback__),
        }
    except BaseException as e:
        return _exception_report("runtime_error", e, spec)
    return {}


def _exception_report(verdict: str, error: BaseException, spec: dict) -> dict:
    if isinstance(error, MemoryError):
        traceback.clear_frames(error.__traceback__)  # frees what the frames held, so the report can be built
        message = _memory_message(spec["memory_limit"])
    else:
        message = "".join(traceback.format_exception_only(type(error), error)).strip()
    return {"verdict": verdict, "error": message, "traceback": _solution_traceback(error.__traceback__)}


def _solution_traceback(tb) -> str | None:
    frames = [f for f in traceback.extract_tb(tb) if f.filename == SOLUTION_FILE]
    if not frames:
        return None
    omitted = len(frames) - TRACEBACK_FRAMES
    lines = traceback.StackSummary.from_list(frames[-TRACEBACK_FRAMES:]).format()
    head = [f"  ... {omitted} earlier frames omitted\n"] if omitted > 0 else []
    return "".join(head + lines).rstrip("\n")


def _last_line_in(tb, filename: str) -> str:
    frames = [f for f in traceback.extract_tb(tb) if f.filename == filename]
    return (frames[-1].line or "").strip() if frames else ""


def _limit_address_space(limit: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)  # a soft limit above the hard one is refused
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _memory_message(memory_limit: int | None) -> str:
    if memory_limit:
        return f"MemoryError: the program ran out of memory (limit {int(memory_limit) // 2**20} MB)"
    return "MemoryError: the program ran out of memory"


def _redirect_stdio(test_input: str, out_w: int) -> None:
    """Make fd 0 the test input, fd 1 the stdout pipe and fd 2 /dev/null, with fresh Python streams on them."""
    data = test_input.encode("utf-8", errors="replace")
    try:
        fd = os.memfd_create("stdin")
    except (AttributeError, OSError):
        import tempfile

        fd = os.dup(tempfile.TemporaryFile().fileno())
    _write_all(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    os.dup2(fd, 0)
    os.close(fd)
    os.dup2(out_w, 1)
    os.close(out_w)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stdin = sys.__stdin__ = open(0, "r", encoding="utf-8", closefd=False)
    sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)


def _flush_stdout() -> None:
    # The program may have replaced or closed sys.stdout; flush whatever still works.
    for stream in (sys.stdout, sys.__stdout__):
        try:
            stream.flush()
        except BaseException:
            pass


def _register_source(filename: str, source: str) -> None:
    # Lets tracebacks show the offending source line of code that never lived in a file.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _encode_report(report: dict, fallback: bytes) -> bytes:
    try:
        return json.dumps(report).encode("utf-8", errors="replace")
    except MemoryError:
        return fallback


def _safe_repr(value) -> str:
    try:
        return repr(value)
    except BaseException:
        return f"<unprintable {type(value).__name__}>"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _clip(text: str, limit: int, keep: str = "both") -> str:
    """Cut text to at most `limit` characters, saying how much was cut; keep the head and tail, or only the tail."""
    if len(text) <= limit:
        return text
    marker = f"...({len(text) - limit} chars cut)..."
    room = limit - len(marker)
    if room < 2:
        return text[:limit]
    if keep == "tail":
        return marker + text[len(text) - room:]
    head = room // 2
    return text[:head] + marker + text[len(text) - (room - head):]


# ---------------------------------------------------------------------------------------- entry points


def _init_forever() -> None:
    """PID 1 of a container: reap every orphan. No signal handlers, so PID 1 stays deaf to SIGTERM."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            time.sleep(0.5)
        except InterruptedError:
            pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["init"]:
        _init_forever()
    if argv[:1] != ["grade"] or any(a != "--kill-strays" for a in argv[1:]):
        print("usage: runner.py grade [--kill-strays] < job.json   |   runner.py init", file=sys.stderr)
        return 2
    try:
        job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        result = grade_job(job)
    except (JobError, ValueError) as e:
        print(f"runner: bad job: {e}", file=sys.stderr)
        return 2
    _write_all(1, json.dumps(result).encode("utf-8"))
    if "--kill-strays" in argv[1:]:
        # Everything the attempt started, even a process that escaped with setsid, dies with the grade. On
        # Linux kill(-1) spares the caller and PID 1. ESRCH just means nothing was left to kill.
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
