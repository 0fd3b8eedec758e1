"""Show notes made into HTML by a helper process, ahead of the pages that show them.

A cold build of a big show renders pages with its process busy from the first page to
the last, while the other core only makes the files the pages become (spool.py), a third
to two thirds of the time. An episode's notes as HTML (markup.notes_html: Markdown, then
the sanitiser) need nothing but the notes, and were a tenth of the build's own time at
10,000 episodes. `NotesAhead` starts a helper (`python -m podfeed.notesahead`) that makes
them for the pages to come, in the order the build renders them; the build takes each
page's HTML as it gets there. The pipes between the two hold what the helper made ahead
(it is far quicker than the pages), so neither process holds every note twice.

The helper runs the same function on the same text, so the pages have the same bytes;
if it fails, or is asked out of order, the build makes the HTML itself: the helper only
ever saves time. It dies with the build (Linux only, as the spool).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import BinaryIO

from podfeed.markup import notes_html
from podfeed.spool import die_with, read_message, send_message, widen

# Fewer pages than this make their notes in the build's process: a helper costs about
# 0.05 s and 13 MB. It is started at the start of a build of a big show (spool.MIN_EPISODES),
# while the build is small: until it has started it shares the build's memory, and counts
# as being as big.
MIN_PAGES = 300
_BATCH = 32  # notes sent, and their HTML sent back, this many at a time


class NotesAhead:
    """The helper, started early (see pipeline.cached_build), then `given` the notes
    (Markdown) in the order their pages will ask for them."""

    def __init__(self) -> None:
        # -P: the current folder (the show's) cannot shadow a module of the helper's.
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "podfeed.notesahead", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for pipe in (self.process.stdin, self.process.stdout):
            widen(pipe.fileno())  # type: ignore[union-attr]  # a few hundred notes ahead
        self.notes: Sequence[str] = ()
        self.asked = 0  # notes whose HTML the build has taken
        self.batch: list[str | None] = []  # the helper's last answer, from `taken` on
        self.taken = 0
        self.done = False  # the helper has failed or was stopped: no more answers
        self.sender: threading.Thread | None = None

    def give(self, notes: Sequence[str]) -> None:
        """The notes to make, in the order `html` will be asked for them."""
        self.notes = notes
        # A thread sends the notes: the helper answers in turn, and the build reads the
        # answers only as it renders, so a single thread writing all would wait forever.
        self.sender = threading.Thread(target=self._send, daemon=True)
        self.sender.start()

    def html(self, markdown: str) -> str:
        """notes_html(markdown): the helper's answer when these are the next notes it was
        given, otherwise made here."""
        if not self.done and self.asked < len(self.notes) and self.notes[self.asked] == markdown:
            self.asked += 1
            made = self._next()
            if made is not None:
                return made
        return notes_html(markdown)

    def stop(self) -> None:
        """Not needed any more: the helper ends, if it still runs, and so does the thread
        sending to it. Stopping twice does no harm."""
        self.done = True
        if self.process.returncode is None:
            self.process.kill()
            self.process.wait()
        if self.sender is not None:
            self.sender.join()
        else:  # never given any: the pipe the sender closes
            with contextlib.suppress(OSError):
                self.process.stdin.close()  # type: ignore[union-attr]
        assert self.process.stdout is not None
        self.process.stdout.close()

    def _send(self) -> None:
        stream = self.process.stdin
        assert stream is not None
        with contextlib.suppress(OSError, ValueError):  # the helper is gone: done
            for start in range(0, len(self.notes), _BATCH):
                send_message(stream, list(self.notes[start : start + _BATCH]))
        with contextlib.suppress(OSError):
            stream.close()

    def _next(self) -> str | None:
        """The helper's answer for the next notes (None where it failed on them); None
        too, and done, when the helper fails."""
        while self.taken == len(self.batch):
            assert self.process.stdout is not None
            batch = read_message(self.process.stdout)
            if not isinstance(batch, list):
                self.done = True
                return None
            self.batch, self.taken = batch, 0
        self.taken += 1
        return self.batch[self.taken - 1]


def _serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """The helper's work: the HTML of each batch of notes, in order; None for notes the
    build must make itself (it then meets the same error, and reports it)."""
    while (notes := read_message(requests)) is not None:
        made: list[str | None] = []
        for markdown in notes:
            try:
                made.append(notes_html(markdown))
            except Exception:
                made.append(None)
        send_message(replies, made)


if __name__ == "__main__":
    die_with(int(sys.argv[1]))
    _serve(sys.stdin.buffer, sys.stdout.buffer)
