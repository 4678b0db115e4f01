"""A small pool of pre-forked sandbox processes: isolated code runs there under RLIMIT_CPU/RLIMIT_AS, no fork per call.

A fork of a web or job worker costs milliseconds (its whole address space is mapped again, then torn
down); handing a pickled request to a process forked earlier costs microseconds. A child that hits a
limit, dies, overruns the wall clock or has grown is not reused: the next call forks a fresh one.
Requests that cannot be pickled (a test's lambda among the globals) fall back to a fork per call."""
from __future__ import annotations

import functools
import gc
import io
import math
import os
import pickle
import resource
import select
import signal
import struct
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from engine.sandbox import clock_names, isolation

IDLE_CHILDREN = 2            # children kept waiting per process; a burst forks more, the surplus exits
MAX_RUNS_PER_CHILD = 1000    # then a fresh child, so nothing one run leaves behind lives long
_HEADER = struct.Struct("!Q")
_CHILD_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
                  signal.SIGCHLD, signal.SIGXCPU)


class _RequestPickler(pickle.Pickler):
    """Pickles task data as usual; the step clock's names (classes made per step) travel as their time."""

    def reducer_override(self, obj: Any) -> Any:
        step_now = getattr(obj, clock_names.STEP_NOW, None) if callable(obj) else None
        if isinstance(step_now, datetime):
            return _clock_name, (obj.__name__, step_now)
        return NotImplemented


@functools.lru_cache(maxsize=16)
def _clock_names_at(step_now: datetime) -> dict[str, Any]:
    return clock_names.clock_names(step_now)


def _clock_name(name: str, step_now: datetime) -> Any:
    return _clock_names_at(step_now)[name]


def _pickled_request(function: Callable[..., Any], args: tuple[Any, ...]) -> bytes | None:
    buffer = io.BytesIO()
    try:
        _RequestPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(
            (function, args, isolation.CPU_SECONDS, isolation.MEMORY_BYTES))
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return buffer.getvalue()


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes | None:
    """`size` bytes; b"" at end of file (the other side is gone); None when the deadline passed."""
    chunks, left = [], size
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                return None
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return b""
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _serve(requests: int, replies: int) -> None:  # pragma: no cover - runs in the child, leaves by os._exit
    """The child's loop: one request at a time under fresh limits, until the parent closes the pipe."""
    gc.freeze()  # the parent's objects are never collected here: no finalizer of theirs closes a reused fd
    for number in _CHILD_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    _, as_hard = resource.getrlimit(resource.RLIMIT_AS)
    grown_at = isolation.mapped_bytes() + isolation.MEMORY_BYTES // 2
    try:
        for runs in range(1, MAX_RUNS_PER_CHILD + 1):
            header = _read_exactly(requests, _HEADER.size, None)
            if not header:
                break
            payload = _read_exactly(requests, _HEADER.unpack(header)[0], None)
            if not payload:
                break
            function, args, cpu_seconds, memory_bytes = pickle.loads(payload)  # noqa: S301 - from our parent
            del payload
            # RLIMIT_CPU counts the process's whole life: the next limit is what was spent plus this run's share.
            spent = math.ceil(isolation.cpu_spent())
            resource.setrlimit(resource.RLIMIT_CPU, (_within(spent + cpu_seconds, cpu_hard), cpu_hard))
            resource.setrlimit(resource.RLIMIT_AS, (_within(isolation.mapped_bytes() + memory_bytes, as_hard), as_hard))
            kind, reply = isolation.outcome_of(lambda: function(*args))
            del function, args
            resource.setrlimit(resource.RLIMIT_AS, (as_hard, as_hard))
            # A child that ran out of memory, or whose heap stayed grown, makes way for a fresh one.
            retiring = kind == "memory" or runs == MAX_RUNS_PER_CHILD or isolation.mapped_bytes() > grown_at
            isolation.write_all(replies, _HEADER.pack(len(reply)) + bytes([retiring]) + reply)
            if retiring:
                break
    finally:
        os._exit(0)


def _within(soft: int, hard: int) -> int:
    """A soft limit never above the hard one the operator set (ulimit), which only root could raise."""
    return soft if hard == resource.RLIM_INFINITY else min(soft, hard)


@dataclass
class _Child:
    pid: int
    requests: int   # the parent writes requests here
    replies: int    # and reads replies here

    def close(self, kill: bool = False) -> int | None:
        """Close our ends (the child leaves at end of file), reap it; its wait status."""
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            return os.waitpid(self.pid, 0)[1]
        except ChildProcessError:
            return None


def _fork_child() -> _Child:
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child keeps only its two pipe ends: no socket, no other child's pipe
        keep = sorted((request_read, reply_write))
        os.closerange(3, keep[0])
        os.closerange(keep[0] + 1, keep[1])
        os.closerange(keep[1] + 1, os.sysconf("SC_OPEN_MAX"))
        _serve(request_read, reply_write)
    os.close(request_read)
    os.close(reply_write)
    return _Child(pid, request_write, reply_read)


def _close_all(children: list[_Child]) -> None:
    while children:
        children.pop().close()


class SandboxPool:
    """Children forked on first use, kept idle between calls; thread-safe (a call takes an idle child or
    forks one). In a forked process (a gunicorn worker) the pool starts afresh: the parent's children
    are not its to use or reap."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        weakref.finalize(self, _close_all, self._idle)  # children leave with the pool (at the latest, at exit)

    def run(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """`function(*args)` in a pooled child under the OS limits; its value, or its failure raised here."""
        request = _pickled_request(function, args)
        if request is None:
            return isolation.run_isolated(lambda: function(*args))
        child = self._take()
        deadline = time.monotonic() + isolation.WALL_SECONDS
        try:
            try:
                isolation.write_all(child.requests, _HEADER.pack(len(request)) + request)
            except BrokenPipeError:  # an idle child died (killed from outside): the script gets a fresh one
                child.close()
                child = _fork_child()
                isolation.write_all(child.requests, _HEADER.pack(len(request)) + request)
            header = _read_exactly(child.replies, _HEADER.size + 1, deadline)
            reply = _read_exactly(child.replies, _HEADER.unpack(header[:-1])[0], deadline) if header else header
        except BrokenPipeError:  # it died before reading everything (a limit, a kill)
            header = reply = b""
        except BaseException:
            child.close(kill=True)
            raise
        if not header or not reply:  # dead (b"") or past the wall clock (None)
            status = child.close(kill=reply is None or header is None)
            return isolation.result_of(None if reply is None or header is None else b"", status)
        if header[-1]:
            child.close()
        else:
            self._give_back(child)
        return isolation.result_of(reply, None)

    def _take(self) -> _Child:
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's children are its own; drop our copies of their pipes
                self._pid = os.getpid()
                for inherited in self._idle:
                    for fd in (inherited.requests, inherited.replies):
                        os.close(fd)
                self._idle.clear()
            if self._idle:
                return self._idle.pop()
        return _fork_child()

    def _give_back(self, child: _Child) -> None:
        with self._lock:
            if len(self._idle) < IDLE_CHILDREN:
                self._idle.append(child)
                return
        child.close()

    def close(self) -> None:
        with self._lock:
            _close_all(self._idle)


@functools.cache
def shared_pool() -> SandboxPool:
    """This process's pool: script environments (runtime, replay) and task instruction templates share it."""
    return SandboxPool()


def run_pooled(function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """`function(*args)` under the OS limits in the shared pool; `function` must be importable by name."""
    return shared_pool().run(function, args)
