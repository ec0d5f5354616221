"""Fault injection for the crash-safety tests: end the process at the N-th step of a journey."""

from __future__ import annotations

import os
from collections.abc import Callable


def dying_at(step: int) -> Callable:
    """A wrapper maker: `point(function, before=False)` wraps `function` so that the `step`-th wrapped call made in
    this process ends it at once (exit 137, like kill -9), just after the call, or just before it with `before`."""
    count = [0]

    def tick() -> None:
        count[0] += 1
        if count[0] == step:
            os._exit(137)

    def point(function, before: bool = False):
        def wrapped(*args, **kwargs):
            if before:
                tick()
            value = function(*args, **kwargs)
            if not before:
                tick()
            return value
        return wrapped

    return point


def exit_code_in_child(work: Callable[..., object], *args: object) -> int:
    """Run `work(*args)` in a forked child process (the modules are loaded already, so a cut lands in the work, not in
    Python's start-up) and return how the child ended: 0 when the work got through, 137 when a point ended it."""
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            work(*args)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WEXITSTATUS(status)
