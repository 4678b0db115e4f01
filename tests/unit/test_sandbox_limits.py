"""OS limits on scripts: single slow C calls and memory growth through builtins are stopped, the caller lives on."""
from __future__ import annotations

import os
import time
from datetime import datetime

import pytest

from engine.errors import ScriptRejected
from engine.sandbox import isolation
from engine.sandbox.policy import SandboxEnvironment


@pytest.fixture
def env() -> SandboxEnvironment:
    return SandboxEnvironment({"now": lambda: datetime(2026, 11, 30, 9, 0)})


@pytest.fixture
def quick_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "CPU_SECONDS", 1)  # the same limits, just quicker to reach
    monkeypatch.setattr(isolation, "MEMORY_BYTES", 256 * 2**20)


SLOW_SINGLE_CALLS = {
    "round-to-huge-digits": "y = round(1, -10**8)",
    "round-in-an-expression-statement": "round(12345, -(10**9))",
    "sorted-of-a-big-range-many-times": "for i in range(1000):\n    y = sorted(range(10**6), reverse=True)",
}


@pytest.mark.parametrize("source", SLOW_SINGLE_CALLS.values(), ids=SLOW_SINGLE_CALLS.keys())
def test_a_single_slow_call_is_stopped_by_the_cpu_limit(env: SandboxEnvironment, quick_limits: None,
                                                        source: str) -> None:
    context = {"x": 1}
    started = time.monotonic()
    with pytest.raises(ScriptRejected, match="CPU time|budget"):
        env.execute(source, context)
    assert time.monotonic() - started < 15
    assert context == {"x": 1}


GROWTH = {
    "str-join": "y = 'x'.join(['y' * 10**7] * 1000)",
    "str-replace": "s = 'a' * 10**6\ny = s.replace('a', s)",
    "str-translate": "s = 'a' * 10**6\ny = s.translate({97: 'b' * 10**4})",
    "int-to-bytes": "y = (1).to_bytes(10**10, 'big')",
    "bytes-join": "y = b''.join([b'y' * 10**7] * 1000)",
    "list-comprehension": "s = 'a' * 10**7\ny = [s + 'b' for i in range(1000)]",
    "dict-comprehension": "s = 'a' * 10**7\ny = {i: s + 'b' for i in range(1000)}",
    "generator-into-list": "s = 'a' * 10**7\ny = list(s + str(i) for i in range(1000))",
    "list-extend-doubling": "y = [0] * 10**6\nfor i in range(40):\n    y.extend(y)",
    "str-split": "y = ('a ' * 4_000_000).split() * 1 + ('b ' * 4_000_000).split()",
    "repeated-concatenation": "y = []\nfor i in range(10**5):\n    y.append('a' * 10**6 + str(i))",
}


@pytest.mark.parametrize("source", GROWTH.values(), ids=GROWTH.keys())
def test_memory_growth_through_a_builtin_is_stopped_by_the_memory_limit(
        env: SandboxEnvironment, quick_limits: None, source: str) -> None:
    context = {"x": 1}
    with pytest.raises(ScriptRejected, match="memory|too large|budget|CPU time"):
        env.execute(source, context)
    assert context == {"x": 1}


def test_the_calling_process_lives_on_and_runs_the_next_script(env: SandboxEnvironment,
                                                               quick_limits: None) -> None:
    pid = os.getpid()
    with pytest.raises(ScriptRejected):
        env.execute("y = round(1, -10**8)", {})
    context = {"amount": 1234}
    env.execute("rounded = round(amount, -2)\nwords = ' '.join(['a', 'b'])", context)
    assert context == {"amount": 1234, "rounded": 1200, "words": "a b"} and os.getpid() == pid


def test_an_expression_with_a_slow_call_is_stopped_too(env: SandboxEnvironment, quick_limits: None) -> None:
    with pytest.raises(ScriptRejected, match="CPU time"):
        env.evaluate("round(amount, -10**8) > 0", {"amount": 5})


def test_isolated_scripts_return_data_and_errors_with_their_line(env: SandboxEnvironment) -> None:
    context = {"items": [3, 1, 2]}
    env.execute("ordered = sorted(items)\nwhen = now()\nlabel = '-'.join(str(i) for i in ordered)", context)
    assert context == {"items": [3, 1, 2], "ordered": [1, 2, 3], "when": datetime(2026, 11, 30, 9, 0),
                       "label": "1-2-3"}
    with pytest.raises(ZeroDivisionError):
        env.execute("a = len(items)\nb = a / 0", context)


def test_a_value_that_is_not_data_is_refused_clearly(env: SandboxEnvironment) -> None:
    context: dict = {}
    with pytest.raises(ScriptRejected, match="not data"):
        env.execute("y = (i for i in range(3))", context)
    assert context == {}


@pytest.mark.parametrize("source, isolated", [
    ("decision == 'approve'", False), ("len(missing_items) > 0 or bool(review_remarks)", False),
    ("borrowing['restricted']", False), ("amount * 2 > limit", False),
    ("title.strip() if title else 'untitled'", False), ("now().isoformat()", False),
    ("round(amount, -digits)", True), ("'-'.join(items)", True), ("s.replace('a', s)", True),
    (" and ".join(["x == 1"] * 40), True), ("[i for i in items]", True),
    ("max(items, key=len)", True), ("sorted(items)", True),
    ("datetime.now() + timedelta(days=2)", False), ("date.today() > due", False),
    ("timedelta(**spans)", True), ("datetime.now().replace(year=big)", True)])
def test_only_code_that_can_be_expensive_leaves_the_process(source: str, isolated: bool) -> None:
    assert isolation.needs_isolation(source, "eval") is isolated
