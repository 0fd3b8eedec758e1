"""Pages rendered by a forked copy of the build on the other core, while the build goes on.

A cold build of a big show renders its pages in one process while the spool's helper
writes them; that leaves much of the other core idle. A copy of the build made with
`fork` has the whole site in memory already (nothing is sent to it): it takes pages
from the end of the list while the build takes them from the start (`Ends`), renders
and writes them itself, and sends back only the stat of each file it made.

The copy dies with the build; a failure in it (a template error, say) is raised in the
build when it asks for the `result`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Ends:
    """The numbers 0 to `n` - 1, shared out between two processes: one takes them from the
    start (`front`), the other from the end (`back`), until they meet; none twice."""

    def __init__(self, n: int) -> None:
        import multiprocessing  # only here: most builds never share their pages

        self.n = n
        self.taken: Any = multiprocessing.get_context("fork").Array("q", 2)  # front, back

    def front(self) -> Iterator[int]:
        while (i := self._take(0)) is not None:
            yield i

    def back(self) -> Iterator[int]:
        while (i := self._take(1)) is not None:
            yield self.n - 1 - i

    def _take(self, end: int) -> int | None:
        with self.taken.get_lock():
            taken = self.taken[end]
            if self.taken[0] + self.taken[1] >= self.n:
                return None
            self.taken[end] = taken + 1
            return int(taken)


class Aside(Generic[T]):
    """`work()` run in a forked copy of this process; `result` waits for its value."""

    def __init__(self, work: Callable[[], T]) -> None:
        parent = os.getpid()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the copy: whatever happens, it ends here
            status = 1
            try:
                os.close(read)
                from podfeed.spool import die_with

                die_with(parent)
                try:
                    outcome: tuple[bool, Any] = (True, work())
                except Exception as error:
                    outcome = (False, error)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
                status = 0
            finally:
                os._exit(status)  # never the build's own clean-up, nor its buffers
        os.close(write)
        self.pid: int | None = pid
        self.read = read

    def result(self) -> T:
        """The copy's value, once it has finished; its exception raised here if it failed,
        ChildProcessError if it died."""
        assert self.pid is not None, "result() asked for twice"
        with os.fdopen(self.read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        try:
            done, value = pickle.loads(data)
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
            code = os.waitstatus_to_exitcode(status)
            raise ChildProcessError(f"exit status {code}") from None
        if not done:
            raise value
        result: T = value
        return result

    def abort(self) -> None:
        """Stop the copy, if it still runs."""
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.read)
        self.pid = None


def can_fork() -> bool:
    """Whether a copy can be made here: Linux, and a single thread (a fork copies one
    thread, and whatever lock the others held at that moment stays held)."""
    import sys
    import threading

    return sys.platform == "linux" and threading.active_count() == 1
