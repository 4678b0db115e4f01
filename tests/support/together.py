"""Actions released at the same instant on threads of their own, as clerks on separate web workers press a button together."""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def all_at_once(actions: list[Callable[[], T]], seconds: float = 120) -> tuple[list[T], list[BaseException]]:
    """Run every action on its own thread behind one barrier; returns what they returned and what they raised
    (a barrier that breaks or a thread that hangs shows up as an error, never as a silent pass)."""
    barrier = threading.Barrier(len(actions))
    results: list[T] = []
    errors: list[BaseException] = []

    def run(action: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(action())
        except BaseException as exc:  # noqa: BLE001 - returned to the test, which asserts there are none
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds)
    errors.extend(TimeoutError(f"{thread.name} still running after {seconds} s") for thread in threads
                  if thread.is_alive())
    return results, errors
