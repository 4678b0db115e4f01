"""OS-enforced limits: code that could be expensive runs in a forked child under RLIMIT_CPU and RLIMIT_AS."""
from __future__ import annotations

import ast
import functools
import os
import pickle
import resource
import select
import signal
import time
import traceback
from typing import Any, Callable, TypeVar

from engine.errors import ScriptRejected

CPU_SECONDS = 5               # CPU time one isolated run may use; no single C call can pass it
MEMORY_BYTES = 512 * 2**20    # address space a run may add to what the process already maps
WALL_SECONDS = 20.0           # backstop: a child that neither finishes nor burns CPU is killed
_FILENAME = "<string>"        # the sandbox's code; SpiffWorkflow reads this frame for the line
# Builtins and methods whose work and result are bounded by the size of their arguments (task data,
# itself bounded) and which call nothing of the script's: short code calling only these stays in
# process. Everything else (round, join, replace, to_bytes, range, ...) can be made slow or huge.
_BOUNDED_CALLS = frozenset({"len", "bool", "isinstance", "int", "float", "str", "abs", "min", "max",
                            "any", "all", "now"})
# The step clock's names (engine/sandbox/clock_names.py): constant work whatever their (numeric) arguments,
# keywords included (`timedelta(days=2)`); out-of-range values raise at once.
_CLOCK_CALLS = frozenset({"timedelta", "date", "datetime"})
_BOUNDED_METHODS = frozenset({
    "strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "capitalize", "startswith",
    "endswith", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "find", "rfind",
    "count", "index", "isoformat", "date", "time", "weekday", "isoweekday", "total_seconds", "keys",
    "values", "items", "get", "append", "pop", "today", "utcnow"})
# Each bounded operation may take time and memory in proportion to the task data; a cap on the
# code's size caps how many of them one run performs.
MAX_IN_PROCESS_NODES = 150
T = TypeVar("T")


def _is_bounded_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Name) and func.id in _CLOCK_CALLS or (
            isinstance(func, ast.Attribute) and func.attr == "now"):
        return not any(isinstance(arg, ast.Starred) for arg in node.args) and all(k.arg for k in node.keywords)
    bounded = ((isinstance(func, ast.Name) and func.id in _BOUNDED_CALLS)
               or (isinstance(func, ast.Attribute) and func.attr in _BOUNDED_METHODS))
    return bounded and not node.keywords and not any(isinstance(arg, ast.Starred) for arg in node.args)


@functools.lru_cache(maxsize=512)
def needs_isolation(source: str, mode: str) -> bool:
    """True when the code loops, defines functions, calls anything not known to be bounded, or is long.

    Everything else (comparisons, data lookups, guarded arithmetic) is bounded by the size of the
    task data and runs in process: most gateway conditions pay nothing for the isolation."""
    try:
        tree = ast.parse(source, _FILENAME, mode)
    except SyntaxError:
        return False  # refused by the policy before anything runs
    costly = (ast.For, ast.While, ast.comprehension, ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)
    nodes = list(ast.walk(tree))
    return len(nodes) > MAX_IN_PROCESS_NODES or any(
        isinstance(node, costly) or (isinstance(node, ast.Call) and not _is_bounded_call(node))
        for node in nodes)


def _script_line(tb: Any) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(tb) if frame.filename == _FILENAME]
    return lines[-1] if lines else None


def mapped_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def cpu_spent() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def outcome_of(work: Callable[[], Any]) -> tuple[str, bytes]:
    """Run `work()`; what came of it ("ok", "memory", ...) and, pickled, the value or what went wrong,
    for the parent to raise again."""
    try:
        outcome: tuple[Any, ...] = ("ok", work())
    except MemoryError:
        outcome = ("memory",)
    except ScriptRejected as exc:
        outcome = ("rejected", exc.args, exc.line)
    except Exception as exc:  # noqa: BLE001 - the parent raises it again as itself
        outcome = ("error", exc, _script_line(exc.__traceback__))
    try:
        return outcome[0], pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return "memory", pickle.dumps(("memory",))
    except Exception as exc:  # noqa: BLE001 - a value that is not data (a generator, a map object)
        return "unpicklable", pickle.dumps(("unpicklable", f"{type(exc).__name__}: {exc}"))


def write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _child(work: Callable[[], Any], out: int) -> None:
    """In the forked child: set the limits, run, send back the pickled outcome."""
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    spent = int(cpu_spent())  # rusage is inherited as zero, but be exact
    resource.setrlimit(resource.RLIMIT_CPU, (spent + CPU_SECONDS, spent + CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (mapped_bytes() + MEMORY_BYTES,) * 2)
    try:
        write_all(out, outcome_of(work)[1])
    finally:
        os._exit(0)


def read_all(fd: int, deadline: float) -> bytes | None:
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _raise_at_line(exc: BaseException, line: int | None) -> None:
    """Raise `exc` from a frame named like the script at `line`, where SpiffWorkflow looks for it."""
    if not line:
        raise exc
    exec(compile("\n" * (line - 1) + "raise _exc_", _FILENAME, "exec"), {"_exc_": exc})  # noqa: S102


def _rejected(args: tuple[Any, ...], line: int | None) -> ScriptRejected:
    exc = ScriptRejected("")
    exc.args, exc.line = args, line
    return exc


def run_isolated(work: Callable[[], T]) -> T:
    """`work()` in a forked child bounded in CPU time, memory and wall time; its value comes back pickled.

    The child inherits everything (code, task data, clock) by the fork, so nothing but the result
    crosses the pipe; a limit kills the child, never the web or job worker."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which leaves by os._exit
        os.close(read_end)
        _child(work, write_end)
    os.close(write_end)
    try:
        payload = read_all(read_end, time.monotonic() + WALL_SECONDS)
    finally:
        os.close(read_end)
        if payload is None:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    return result_of(payload, status)


def result_of(payload: bytes | None, status: int | None) -> Any:
    """The child's value, or its failure raised here: a limit, a refusal, or the script's own error.

    `payload` None: the child ran past the wall clock and was killed; empty: it died (`status`)."""
    if payload is None:
        raise ScriptRejected(f"took longer than {WALL_SECONDS:g} seconds and was stopped")
    if not payload:
        killed_by = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None
        if killed_by in (signal.SIGXCPU, signal.SIGKILL):
            raise ScriptRejected(f"used more than its {CPU_SECONDS} seconds of CPU time and was stopped")
        raise ScriptRejected(f"the script process ended unexpectedly (status {status})")
    outcome = pickle.loads(payload)  # noqa: S301 - written by our own child
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "memory":
        raise ScriptRejected(f"used more than its {MEMORY_BYTES // 2**20} MB of memory and was stopped")
    if kind == "rejected":
        raise _rejected(outcome[1], outcome[2])
    if kind == "unpicklable":
        raise ScriptRejected(f"left a value that is not data ({outcome[1]})")
    _raise_at_line(outcome[1], outcome[2])
    raise AssertionError("unreachable")  # pragma: no cover
