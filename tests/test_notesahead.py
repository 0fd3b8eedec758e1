"""A big build takes its pages' notes HTML from a helper process (notesahead.py): the same
HTML, whether the helper answers, is asked out of order, or dies."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from podfeed import notesahead, pipeline
from podfeed.build import build
from podfeed.markup import notes_html
from podfeed.notesahead import _BATCH, NotesAhead
from test_incremental import edit_template, files

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the helper is Linux only")

NOTES = [
    f"Episode {n} with [a link](https://example.org/{n}).\n\n## Part {n}\n\n- one\n- *two*\n"
    f"\n<script>alert({n})</script>\n\n| a | b |\n|---|---|\n| {n} | x |\n"
    for n in range(3 * _BATCH + 5)
]


def started(notes: list[str]) -> NotesAhead:
    ahead = NotesAhead()
    ahead.give(notes)
    return ahead


@pytest.fixture
def made_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes the build's own process made into HTML (the helper has its own module)."""
    made: list[str] = []

    def spy(markdown: str) -> str:
        made.append(markdown)
        return notes_html(markdown)

    monkeypatch.setattr(notesahead, "notes_html", spy)
    return made


def test_the_helper_makes_the_notes_in_order(made_here: list[str]) -> None:
    ahead = started(NOTES)
    try:
        assert [ahead.html(markdown) for markdown in NOTES] == [notes_html(n) for n in NOTES]
    finally:
        ahead.stop()
    assert made_here == []
    assert ahead.process.returncode is not None and not ahead.sender.is_alive()


def test_notes_asked_out_of_order_are_made_here(made_here: list[str]) -> None:
    ahead = started(NOTES)
    try:
        assert ahead.html(NOTES[0]) == notes_html(NOTES[0])
        assert ahead.html(NOTES[2]) == notes_html(NOTES[2])  # NOTES[1] was due
        assert ahead.html("Not *given* to the helper") == notes_html("Not *given* to the helper")
        assert ahead.html(NOTES[1]) == notes_html(NOTES[1])  # back in order: the helper's
    finally:
        ahead.stop()
    assert made_here == [NOTES[2], "Not *given* to the helper"]


def test_a_helper_that_dies_leaves_the_notes_to_the_build(made_here: list[str]) -> None:
    many = (
        NOTES * 100
    )  # more HTML (3 MB) than the pipe back holds: some is left to make at the kill
    ahead = started(many)
    try:
        assert ahead.html(many[0]) == notes_html(many[0])
        os.kill(ahead.process.pid, signal.SIGKILL)
        ahead.process.wait()
        answers = [ahead.html(markdown) for markdown in many[1:]]
    finally:
        ahead.stop()
    assert answers == [notes_html(n) for n in many[1:]]
    # What was in the pipe when it died still came from it; the rest was made here.
    assert 0 < len(made_here) < len(many) - 1
    assert made_here == many[len(many) - len(made_here) :]


def test_stopping_early_ends_the_helper_and_its_sender() -> None:
    many = NOTES * 200  # more than the pipes hold: the helper and the sender wait
    ahead = started(many)
    assert ahead.html(many[0]) == notes_html(many[0])
    ahead.stop()
    assert ahead.process.returncode is not None
    assert not ahead.sender.is_alive()
    assert ahead.html(many[1]) == notes_html(many[1])  # made here once stopped


def test_a_helper_never_given_notes_stops(made_here: list[str]) -> None:
    ahead = NotesAhead()
    assert ahead.html(NOTES[0]) == notes_html(NOTES[0])
    ahead.stop()
    ahead.stop()
    assert ahead.process.returncode is not None
    assert made_here == [NOTES[0]]


def test_a_first_build_with_the_helper_makes_the_same_site(
    bundled_show: Path, tmp_path: Path, made_here: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "MIN_EPISODES", 1)  # a big show: the helper starts
    monkeypatch.setattr(pipeline, "MIN_PAGES", 1)
    helpers: list[NotesAhead] = []
    monkeypatch.setattr(pipeline, "NotesAhead", lambda: helpers.append(NotesAhead()) or helpers[-1])
    build(bundled_show)
    assert len(helpers) == 1 and len(helpers[0].notes) == 4
    assert helpers[0].process.returncode is not None  # stopped with the build
    assert made_here == []  # every page's notes came from the helper
    build(bundled_show, tmp_path / "plain", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "plain")
    time.sleep(0.05)
    edit_template(bundled_show)  # every page again, but a rebuild: no helper
    build(bundled_show)
    assert len(helpers) == 1
    build(bundled_show, tmp_path / "edited", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "edited")


def test_a_build_with_few_pages_stops_the_helper_before_them(
    bundled_show: Path, made_here: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "MIN_EPISODES", 1)
    helpers: list[NotesAhead] = []
    monkeypatch.setattr(pipeline, "NotesAhead", lambda: helpers.append(NotesAhead()) or helpers[-1])
    build(bundled_show)  # 4 pages, fewer than MIN_PAGES
    assert len(helpers) == 1 and helpers[0].notes == ()
    assert helpers[0].process.returncode is not None
    assert len(made_here) == 4
