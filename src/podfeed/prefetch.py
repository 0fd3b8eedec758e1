"""Audio facts read ahead by a helper process while a cold build loads the episodes.

Reading an audio file's facts (mutagen) and parsing an episode's YAML and notes are both
work for the processor: on a cold build of a big show each takes seconds. `ReadAhead`
starts a helper (`python -m podfeed.prefetch`) that lists the episode folders itself
and reads every audio file in them, on the other core, while the build loads the
episodes; the build cache then takes the helper's answer for each file that has not
changed since the helper looked at it (see `BuildCache.read_audio_info`). Audio kept
elsewhere in the show, or changed meanwhile, is read by the build itself, as is
everything when the helper fails: it only ever saves time.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from podfeed.errors import Problem
from podfeed.model import AudioInfo
from podfeed.spool import die_with
from podfeed.writer import Stat, stat_of

# Fewer episode folders than this are read in the build's own process: a helper costs
# about a tenth of a second to start.
MIN_FOLDERS = 64

# What the helper read: the file's stat when it looked, and its facts or its problems.
Answer = tuple[Stat, AudioInfo | tuple[Problem, ...]]


class ReadAhead:
    """The helper, reading the audio in the folders under `episodes`."""

    def __init__(self, episodes: Path) -> None:
        # -P: the current folder (the show's) cannot shadow a module of the helper's.
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "podfeed.prefetch", str(episodes), str(os.getpid())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.answers: dict[str, Answer] | None = None

    def answer(self, path: Path) -> Answer | None:
        """What the helper read of `path` (waiting for it to finish), or None."""
        if self.answers is None:
            output, _ = self.process.communicate()
            try:
                self.answers = pickle.loads(output) if self.process.returncode == 0 else {}
            except (pickle.UnpicklingError, EOFError, ValueError):
                self.answers = {}
        return self.answers.get(str(path))

    def stop(self) -> None:
        if self.answers is None:  # still reading: not needed any more
            self.process.kill()
            self.process.communicate()


def read_ahead(episodes: Path) -> dict[str, Answer]:
    """The helper's work: every audio file directly inside each episode folder."""
    from podfeed.audio import FORMATS, read_audio_info
    from podfeed.errors import AudioError

    suffixes = {suffix for f in FORMATS for suffix in f.extensions}
    answers: dict[str, Answer] = {}
    for folder in sorted(os.scandir(episodes), key=lambda e: e.name):
        if not folder.is_dir(follow_symlinks=False):
            continue
        for entry in sorted(os.scandir(folder.path), key=lambda e: e.name):
            if os.path.splitext(entry.name)[1].lower() not in suffixes:
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            path = Path(entry.path)
            stamp = stat_of(path)
            try:
                answers[entry.path] = (stamp, read_audio_info(path))
            except AudioError as error:
                answers[entry.path] = (stamp, error.problems)
    return answers


if __name__ == "__main__":
    die_with(int(sys.argv[2]))
    sys.stdout.buffer.write(pickle.dumps(read_ahead(Path(sys.argv[1]))))
