"""A big show's file writes, done by a helper process while the build renders on.

Creating a file costs the kernel 0.1 to 0.6 ms on a virtual disk; a build writing
30,000 files spends seconds in those calls, and a process waits through each one.
`Spool` hands the writes to a helper (`python -m podfeed.spool`) over a pipe, in order,
so they happen on the other core while the build renders the next page. `finish` waits
for the last one and returns the stat of every file written.

A write that fails stops the helper's writing: `finish` raises the same `OSError` the
build would have met itself. The helper dies with the build (Linux only, so the spool
is used only there): nothing it left queued can write later.
"""

from __future__ import annotations

import array
import contextlib
import functools
import os
import pickle
import struct
import subprocess
import sys
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from podfeed.files import Stat, link_or_copy, make_file, stat_of

if TYPE_CHECKING:  # the helper imports nothing of podfeed's but files.py
    from pathlib import Path

    from podfeed.writer import Source

# Entries in episodes/ from which a full build starts a helper, early, while it is small
# (see pipeline.cached_build); it keeps it if it has this many files to write at least.
# A helper costs about 0.05 s and 11 MB.
MIN_EPISODES = 300
MIN_FILES = 1000
_BATCH_BYTES = 1 << 18  # ops are sent in batches of about this size
_BATCH_OPS = 256
_PIPE_BYTES = 1 << 20  # Linux's default limit for a pipe's size
_HEADER = struct.Struct("<Q")

Op = tuple[Any, ...]


class Spool:
    """The helper, and the writes queued for it."""

    def __init__(self, out: Path) -> None:
        self.out = out  # the site being written, for messages
        # -P: the current folder (the show's) cannot shadow a module of the helper's.
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "podfeed.spool", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.ops: list[Op] = []
        self.size = 0
        # A pipe that holds a few batches, so that sending one seldom waits; the helper
        # counts as behind when a whole batch waits in it while it works on another.
        import fcntl  # Linux only, as the spool
        import termios

        pipe = self.process.stdin.fileno()  # type: ignore[union-attr]
        self.behind_at = min(_BATCH_BYTES, widen(pipe) // 2)
        self._waiting = array.array("i", [0])
        self._bytes_waiting = functools.partial(fcntl.ioctl, pipe, termios.FIONREAD)

    def behind(self) -> bool:
        """Whether the helper has a batch of writes waiting besides the one it is doing: a
        build that made the next file itself would not wait for it (on a disk where making
        a file takes the kernel long, the helper cannot keep up with the rendering)."""
        try:
            self._bytes_waiting(self._waiting)
        except OSError:
            return False
        return self._waiting[0] >= self.behind_at

    def makedirs(self, path: str) -> None:
        self._add(("makedirs", path))

    def unlink(self, path: str) -> None:
        self._add(("unlink", path))

    def link_or_copy(self, source: str, target: str, replace: bool) -> None:
        self._add(("link", source, target, replace))

    def write(self, target: str, data: Source) -> None:
        """Make `target` from `data` (as writer.write_output); its stat comes from `finish`."""
        from podfeed.writer import file_source

        kind, source = file_source(data)
        if isinstance(source, bytes) and len(source) > _BATCH_BYTES:
            # A big page (a show's own template listing every episode) follows its op as it is, so
            # neither process holds a second copy of it.
            self._add(("stream", target, len(source)))
            self._flush()
            self._send(source)
        else:
            self._add((kind, source, target), len(source) if isinstance(source, bytes) else 0)

    def _add(self, op: Op, size: int = 0) -> None:
        self.ops.append(op)
        self.size += size
        if self.size >= _BATCH_BYTES or len(self.ops) >= _BATCH_OPS:
            self._flush()

    def _flush(self) -> None:
        if not self.ops:
            return
        data = pickle.dumps(self.ops, protocol=pickle.HIGHEST_PROTOCOL)
        self.ops, self.size = [], 0
        self._send(_HEADER.pack(len(data)) + data)

    def _send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # the helper is gone: `finish` says why
            self.process.stdin.write(data)

    def finish(self) -> list[Stat]:
        """Wait for every queued write; the stat of each file written, in order."""
        self._add(("finish",))
        self._flush()
        output, _ = self.process.communicate()
        try:
            packed, failure = pickle.loads(output)
        except (pickle.UnpicklingError, EOFError, ValueError):
            from podfeed.errors import BuildError

            status = self.process.returncode
            message = f"the helper writing this site stopped (exit status {status})."
            raise BuildError.single(self.out, message) from None
        if failure is not None:
            raise OSError(*failure)
        numbers = array.array("q", packed).tolist()
        triples = zip(numbers[0::3], numbers[1::3], numbers[2::3], strict=True)
        return [None if size < 0 else (size, mtime, inode) for size, mtime, inode in triples]

    def abort(self) -> None:
        """Stop the helper at once, if it still runs; what it wrote stays where it was
        (never in the live site)."""
        if self.process.returncode is None:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # what was queued for it is lost
                    pipe.close()


def _serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """The helper's work: run every op in order; after a failure, only wait for "finish".
    The stat of each file made goes back as three numbers (-1s for none)."""
    stats = array.array("q")
    failure: tuple[Any, ...] | None = None
    while header := requests.read(_HEADER.size):
        for op in pickle.loads(requests.read(_HEADER.unpack(header)[0])):
            kind = op[0]
            if kind == "finish":
                replies.write(pickle.dumps((stats.tobytes(), failure)))
                return
            if kind == "stream":  # the last op of its batch; its bytes follow
                failed = _receive(requests, op[1], op[2], failure is None, stats)
                failure = failure or failed
                continue
            if failure is not None:
                continue
            try:
                if kind == "makedirs":
                    os.makedirs(op[1], exist_ok=True)
                elif kind == "unlink":
                    os.unlink(op[1])
                elif kind == "link":
                    link_or_copy(op[1], op[2], op[3])
                else:
                    made = make_file(kind, op[1], op[2])
                    stats.extend(made if made is not None and len(made) == 3 else (-1, -1, -1))
            except OSError as error:
                failure = (error.errno, error.strerror, error.filename)


_CHUNK = 1 << 16


def _receive(
    requests: BinaryIO, target: str, size: int, write: bool, stats: array.array[int]
) -> tuple[Any, ...] | None:
    """Read the next `size` bytes of `requests`, a chunk at a time, into a new file
    `target` if `write`, adding its stat to `stats`; the failure, if any. The bytes are
    read to the end whatever happens, so that the next op is found."""
    failure = None
    file = None
    if write:
        try:
            # Not a `with`: the bytes must be read to the end even if the file fails.
            file = open(target, "xb")  # noqa: SIM115
        except OSError as error:
            failure = (error.errno, error.strerror, error.filename)
    try:
        left = size
        while left:
            chunk = requests.read(min(_CHUNK, left))
            if not chunk:
                raise EOFError("the build stopped sending")
            left -= len(chunk)
            if file is not None and failure is None:
                try:
                    file.write(chunk)
                except OSError as error:
                    failure = (error.errno, error.strerror, target)
    finally:
        if file is not None:
            try:
                file.close()
            except OSError as error:
                failure = failure or (error.errno, error.strerror, target)
    if write and failure is None:
        made = stat_of(target)
        stats.extend(made if made is not None and len(made) == 3 else (-1, -1, -1))
    return failure


def widen(pipe: int) -> int:
    """Let `pipe` hold 1 MB, where the system allows (Linux only); its size in bytes."""
    import fcntl

    with contextlib.suppress(OSError):  # kept at its size (64 KB) where not allowed
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    return fcntl.fcntl(pipe, fcntl.F_GETPIPE_SZ)


def send_message(stream: IO[bytes], value: Any) -> None:
    """`value`, pickled after its length: one message on a helper's pipe."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_message(stream: IO[bytes]) -> Any:
    """The next message on a helper's pipe (waiting for it); None at the pipe's end, or
    when the message is cut short."""
    try:
        header = stream.read(_HEADER.size)
        if len(header) == _HEADER.size:
            return pickle.loads(stream.read(_HEADER.unpack(header)[0]))
    except (pickle.UnpicklingError, EOFError, ValueError, OSError):
        pass
    return None


def die_with(parent: int) -> None:
    """Be killed with the build that started this helper (`parent`): nobody would read
    a helper left running, and a writer left running could write into the next build."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(pr_set_pdeathsig, signal.SIGKILL) != 0 or os.getppid() != parent:
        raise SystemExit("podfeed: the build that started this helper is gone")


if __name__ == "__main__":
    die_with(int(sys.argv[1]))
    _serve(sys.stdin.buffer, sys.stdout.buffer)
