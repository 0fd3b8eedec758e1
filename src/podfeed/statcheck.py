"""Whether the last build's site is still as it wrote it, found by a helper process.

A build that finds nothing changed, or only an edit inside episodes, still makes a `stat`
call for each file of the last build's site, since a page edited or deleted by hand must
be made again: at 10,000 episodes that is 33,000 calls and a seventh of an edit's time.
For a big show `OutputCheck` makes them in a helper (`python -m podfeed.statcheck`) on the
other core while the build looks at its inputs; the build asks for the answer only
before it changes anything. The helper reads the build cache's file of outputs itself,
so it imports nothing of podfeed's but the standard library's file calls.
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import TYPE_CHECKING

from podfeed.files import stat_of

if TYPE_CHECKING:  # the helper imports only what it runs
    import subprocess
    from pathlib import Path

# Inputs of the last build from which the outputs are checked in a helper, when some
# inputs changed: starting one costs the other core about 0.05 s.
MIN_INPUTS = 3000

Version = tuple[int, str]  # the cache's format and code digest (cache.py)


def changed_outputs(
    stats_file: str | Path, version: Version, token: int, out: str | Path
) -> list[str] | None:
    """The paths of the last build's outputs whose stat changed since, from the cache's
    `stats_file` (names joined by NULs, and their stats); None when the file is not the
    one saved with the inputs' stats stamped `token`."""
    try:
        with open(stats_file, "rb") as file:
            found, (saved, joined, stats) = pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        return None
    except (AttributeError, ImportError, IndexError):  # written by another podfeed
        return None
    names = joined.split("\0") if joined else []
    if tuple(found) != version or saved != token or len(names) != len(stats):
        return None
    paths = [f"{out}/{name}" for name in names]
    return [path for path, stat in zip(paths, stats, strict=True) if stat_of(path) != stat]


class OutputCheck:
    """`changed_outputs`, in a helper process when `helper`, else in this one when asked."""

    def __init__(
        self, stats_file: Path, version: Version, token: int, out: Path, helper: bool
    ) -> None:
        self.request = (stats_file, version, token, out)
        self.answer: list[str] | None = None
        self.answered = False
        self.process: subprocess.Popen[bytes] | None = None
        if helper and sys.platform == "linux":
            import subprocess

            command = [sys.executable, "-P", "-m", "podfeed.statcheck", str(os.getpid())]
            command += [str(stats_file), str(version[0]), version[1], str(token), str(out)]
            try:
                # Its failure is no news: this process checks instead.
                self.process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            except OSError:
                self.process = None  # checked here when asked

    def changed(self) -> list[str] | None:
        """The answer (waiting for the helper): as `changed_outputs`. A helper that fails
        leaves the check to this process."""
        if not self.answered:
            replied, answer = self._reply()
            self.answer = answer if replied else changed_outputs(*self.request)
            self.answered = True
        return self.answer

    def _reply(self) -> tuple[bool, list[str] | None]:
        """(whether the helper answered, its answer)."""
        if self.process is None:
            return False, None
        output, _ = self.process.communicate()
        status, self.process = self.process.returncode, None
        try:
            return status == 0, pickle.loads(output) if status == 0 else None
        except (pickle.UnpicklingError, EOFError, ValueError):
            return False, None

    def stop(self) -> None:
        """Not needed any more: stop the helper if it still runs."""
        if self.process is not None:
            self.process.kill()
            self.process.communicate()
            self.process = None


if __name__ == "__main__":
    from podfeed.spool import die_with

    die_with(int(sys.argv[1]))
    file, kind, code, token, out = sys.argv[2:]
    answer = changed_outputs(file, (int(kind), code), int(token), out)
    sys.stdout.buffer.write(pickle.dumps(answer))
