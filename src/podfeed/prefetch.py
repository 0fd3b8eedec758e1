"""Audio facts read ahead by a helper process while a cold build loads the episodes.

Reading an audio file's facts (mutagen) and parsing an episode's YAML and notes are both
work for the processor: on a cold build of a big show each takes seconds. `ReadAhead`
starts a helper (`python -m podfeed.prefetch`) that lists the episode folders itself
and reads every audio file in them, on the other core, while the build loads the
episodes. It sends its answers a batch at a time; once the build has loaded the
episodes, it reads the last files itself until it meets the helper, which it then stops.
The build cache then takes the answer for each file that has not changed since it was
read (see `BuildCache.read_audio_info`). Audio kept
elsewhere in the show, or changed meanwhile, is read by the build itself, as is
everything when the helper fails: it only ever saves time.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from podfeed.errors import Problem
from podfeed.model import AudioInfo
from podfeed.spool import die_with, read_message, send_message
from podfeed.writer import Stat, stat_of

# Fewer episode folders than this are read in the build's own process: a helper costs
# about a tenth of a second to start.
MIN_FOLDERS = 64

# What the helper read: the file's stat when it looked, and its facts or its problems.
Answer = tuple[Stat, AudioInfo | tuple[Problem, ...]]


_CHUNK = 128  # files the helper reads between two answers


class ReadAhead:
    """The helper, reading the audio in the folders under `episodes`, in order; it sends
    its answers a few at a time, so the build can read the last files itself
    (`read_from_the_end`) while the helper reads the first."""

    def __init__(self, episodes: Path) -> None:
        # -P: the current folder (the show's) cannot shadow a module of the helper's.
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "podfeed.prefetch", str(episodes), str(os.getpid())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.episodes = episodes
        self.answers: dict[str, Answer] = {}
        self.done = False  # the helper said all it will say

    def answer(self, path: Path) -> Answer | None:
        """What the helper or the build read of `path` (waiting for the helper as long as it
        may still read it), or None."""
        while str(path) not in self.answers and not self.done:
            self._receive()
        return self.answers.get(str(path))

    def read_from_the_end(self, paths: list[Path]) -> None:
        """Read those of `paths` the helper reads too (directly in an episode folder) here,
        from the last in the helper's order, until meeting what the helper read, then stop
        it: the two processes share the work, and neither waits for the other. At most one
        of the helper's batches is read twice."""
        stream = self.process.stdout
        assert stream is not None
        theirs = [p for p in paths if p.parent.parent == self.episodes]
        for path in sorted(theirs, key=lambda p: (p.parent.name, p.name), reverse=True):
            while not self.done and select.select([stream], [], [], 0)[0]:
                self._receive()
            if self.done or str(path) in self.answers:
                self.stop()  # the helper read this one and every one before: all known
                return
            self.answers[str(path)] = _answer(path)
        self.stop()  # read all here: the helper was slower to start than the build to load

    def _receive(self) -> None:
        """The helper's next batch of answers (blocking); at its end, or if it fails, done."""
        assert self.process.stdout is not None
        batch = read_message(self.process.stdout)
        if isinstance(batch, dict):
            for key, value in batch.items():
                self.answers.setdefault(key, value)
            return
        self.stop()

    def stop(self) -> None:
        """Not needed any more (or finished): the helper ends, if it still runs."""
        self.done = True
        if self.process.returncode is None:
            self.process.kill()
            self.process.communicate()


def read_ahead(episodes: Path) -> Iterator[tuple[str, Answer]]:
    """The helper's work: every audio file directly inside each episode folder, in order
    of folder and then file name."""
    from podfeed.audio import FORMATS

    suffixes = {suffix for f in FORMATS for suffix in f.extensions}
    for folder in sorted(os.scandir(episodes), key=lambda e: e.name):
        if not folder.is_dir(follow_symlinks=False):
            continue
        for entry in sorted(os.scandir(folder.path), key=lambda e: e.name):
            if os.path.splitext(entry.name)[1].lower() not in suffixes:
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            yield entry.path, _answer(Path(entry.path))


def _answer(path: Path) -> Answer:
    """The stat of `path`, then its audio facts or its problems."""
    from podfeed.audio import read_audio_info
    from podfeed.errors import AudioError

    stamp = stat_of(path)
    try:
        return stamp, read_audio_info(path)
    except AudioError as error:
        return stamp, error.problems


def _serve(episodes: Path, replies: BinaryIO) -> None:
    """Send the answers a batch at a time. A thread writes them: until the build has loaded
    its episodes it reads none, and reading on must not wait for a full pipe."""
    import queue
    import threading

    batches: queue.SimpleQueue[dict[str, Answer] | None] = queue.SimpleQueue()

    def write() -> None:
        while (batch := batches.get()) is not None:
            send_message(replies, batch)

    writer = threading.Thread(target=write)
    writer.start()
    batch: dict[str, Answer] = {}
    try:
        for path, answer in read_ahead(episodes):
            batch[path] = answer
            if len(batch) == _CHUNK:
                batches.put(batch)
                batch = {}
        if batch:
            batches.put(batch)
    finally:
        batches.put(None)
        writer.join()


if __name__ == "__main__":
    die_with(int(sys.argv[2]))
    _serve(Path(sys.argv[1]), sys.stdout.buffer)
