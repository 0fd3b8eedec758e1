"""An edit inside episode folders is redone alone (delta.py), with the same bytes as a
build from scratch; anything more runs the whole pipeline."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from podfeed import check, feed
from podfeed.build import build
from podfeed.errors import ContentError
from test_incremental import (
    edit_chapters,
    edit_notes,
    edit_title,
    edit_transcript,
    episode,
    files,
    replace_in,
)

FOUR_EPISODES = 4


def ready(show: Path) -> None:
    """A site built from scratch; the back buffer an edit patches exists from then on."""
    settled_build(show)


def settled_build(show: Path) -> Any:
    """Build a moment after the last save, as a person does: a file saved within the
    clock's tick of a build's start may have been read half-written, so the build after
    it redoes everything (cache.changed_since)."""
    time.sleep(0.05)
    return build(show)


def same_as_scratch(show: Path, scratch: Path) -> None:
    build(show, scratch, cached=False)
    assert files(show / "public") == files(scratch)


def edit_oldest_notes(show: Path) -> None:
    path = episode(show, "01") / "episode.md"
    path.write_text(path.read_text() + "\nA late note.\n")


def edit_draft_notes(show: Path) -> None:
    path = episode(show, "04") / "episode.md"
    path.write_text(path.read_text() + "\nStill drafting.\n")


def edit_notes_twice(show: Path) -> None:
    edit_notes(show)
    path = episode(show, "03") / "episode.md"
    path.write_text(path.read_text() + "\nAnd another.\n")


EDITS: dict[str, Callable[[Path], None]] = {
    "notes": edit_notes,
    "notes of two episodes": edit_notes_twice,
    "transcript": edit_transcript,
    "chapters file": edit_chapters,
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_an_edit_inside_an_episode_is_redone_alone(
    bundled_show: Path,
    tmp_path: Path,
    pipeline_runs: list[Path],
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ready(bundled_show)
    before = files(bundled_show / "public")
    pipeline_runs.clear()
    rendered: list[int] = []  # the items of each feed rendered
    original = feed.render_feed
    monkeypatch.setattr(
        feed, "render_feed", lambda s: rendered.append(len(s.feed_episodes)) or original(s)
    )
    EDITS[kind](bundled_show)
    result = build(bundled_show)
    assert pipeline_runs == []
    assert rendered and max(rendered) < FOUR_EPISODES  # the edited items only, spliced in
    assert result.episodes == FOUR_EPISODES
    assert files(bundled_show / "public") != before
    same_as_scratch(bundled_show, tmp_path / "scratch")


def test_edits_in_a_row_keep_the_back_buffer_in_step(
    bundled_show: Path, tmp_path: Path, pipeline_runs: list[Path]
) -> None:
    ready(bundled_show)
    pipeline_runs.clear()
    edits = [edit_notes, edit_transcript, edit_title, edit_notes, edit_chapters, edit_notes]
    for number, edit in enumerate(edits):
        edit(bundled_show)
        settled_build(bundled_show)
        same_as_scratch(bundled_show, tmp_path / f"scratch-{number}")
    assert pipeline_runs == [bundled_show]  # the title only


def test_only_the_page_and_feed_are_written(bundled_show: Path, pipeline_runs: list[Path]) -> None:
    ready(bundled_show)
    public = bundled_show / "public"
    inodes = {p: p.stat().st_ino for p in public.rglob("*") if p.is_file()}
    pipeline_runs.clear()
    edit_notes(bundled_show)
    build(bundled_show)
    assert pipeline_runs == []
    changed = {
        str(p.relative_to(public)) for p, inode in inodes.items() if p.stat().st_ino != inode
    }
    page = f"episodes/{episode(bundled_show, '02').name.removeprefix('02-')}/index.html"
    assert changed == {page, "feed.xml"}


def test_an_episode_out_of_the_feed_leaves_the_feed_alone(
    bundled_show: Path, tmp_path: Path, pipeline_runs: list[Path]
) -> None:
    path = bundled_show / "podcast.yaml"
    path.write_text(path.read_text() + "feed_episodes: 2\n")
    ready(bundled_show)
    feed = (bundled_show / "public" / "feed.xml").stat()
    pipeline_runs.clear()
    edit_oldest_notes(bundled_show)
    build(bundled_show)
    assert pipeline_runs == []
    same_as_scratch(bundled_show, tmp_path / "scratch")
    assert (bundled_show / "public" / "feed.xml").stat().st_ino == feed.st_ino


def test_a_draft_edited_changes_nothing_published(
    bundled_show: Path, tmp_path: Path, pipeline_runs: list[Path]
) -> None:
    path = episode(bundled_show, "04") / "episode.md"
    path.write_text(path.read_text().replace("\n---\n", "\ndraft: true\n---\n", 1))
    ready(bundled_show)
    before = files(bundled_show / "public")
    pipeline_runs.clear()
    edit_draft_notes(bundled_show)
    result = build(bundled_show)
    assert pipeline_runs == []
    assert (result.episodes, result.held_back) == (3, 1)
    assert files(bundled_show / "public") == before
    same_as_scratch(bundled_show, tmp_path / "scratch")


def add_transcript(show: Path) -> None:
    folder = episode(show, "02")
    (folder / "transcript.cy.vtt").write_text((folder / "transcript.vtt").read_text())


# Other pages list the title; a new file changes the feed, the page and the file list:
# neither is an edit one page can carry.
@pytest.mark.parametrize("edit", [edit_title, add_transcript], ids=["title", "new transcript"])
def test_more_than_an_edit_inside_an_episode_runs_the_pipeline(
    bundled_show: Path, tmp_path: Path, pipeline_runs: list[Path], edit: Callable[[Path], None]
) -> None:
    ready(bundled_show)
    pipeline_runs.clear()
    edit(bundled_show)
    build(bundled_show)
    assert pipeline_runs == [bundled_show]
    same_as_scratch(bundled_show, tmp_path / "scratch")


def test_a_broken_edit_is_reported_as_by_a_full_build(bundled_show: Path) -> None:
    ready(bundled_show)
    path = episode(bundled_show, "02") / "episode.md"
    before = files(bundled_show / "public")
    path.write_text(path.read_text().replace("number: 2", "number: two", 1))
    with pytest.raises(ContentError) as raised:
        build(bundled_show)
    assert [(p.file, p.field) for p in raised.value.problems] == [(path, "number")]
    assert files(bundled_show / "public") == before


def test_a_hand_edited_page_after_an_edit_is_rebuilt(
    bundled_show: Path, tmp_path: Path, pipeline_runs: list[Path]
) -> None:
    ready(bundled_show)
    edit_notes(bundled_show)
    build(bundled_show)
    index = bundled_show / "public" / "index.html"
    index.write_text("defaced")
    build(bundled_show)
    same_as_scratch(bundled_show, tmp_path / "scratch")


def test_a_hand_edited_feed_is_not_spliced_into(
    bundled_show: Path, tmp_path: Path, pipeline_runs: list[Path]
) -> None:
    """The splice (feed.rerender_items) starts from the live feed: edited by hand, it is
    no guide, and the whole pipeline makes the feed again."""
    ready(bundled_show)
    feed_file = bundled_show / "public" / "feed.xml"
    feed_file.write_bytes(feed_file.read_bytes().replace(b"<title>", b"<title>Defaced ", 1))
    pipeline_runs.clear()
    edit_notes(bundled_show)
    settled_build(bundled_show)
    assert pipeline_runs == [bundled_show]
    same_as_scratch(bundled_show, tmp_path / "scratch")


def test_artwork_kept_in_an_episode_folder_is_not_an_edit_of_that_episode(
    bundled_show: Path, tmp_path: Path, pipeline_runs: list[Path]
) -> None:
    """Every page shows the show's artwork, wherever podcast.yaml keeps it."""
    artwork = episode(bundled_show, "01") / "artwork.png"
    (bundled_show / "artwork.png").rename(artwork)
    settings = bundled_show / "podcast.yaml"
    settings.write_text(
        settings.read_text().replace(
            "artwork: artwork.png", f"artwork: episodes/{artwork.parent.name}/artwork.png"
        )
    )
    ready(bundled_show)
    pipeline_runs.clear()
    with Image.open(artwork) as image:
        image.rotate(90).save(artwork)
    build(bundled_show)
    assert pipeline_runs == [bundled_show]
    same_as_scratch(bundled_show, tmp_path / "scratch")


def test_warnings_point_at_the_right_line_after_an_edit(
    bundled_show: Path, pipeline_runs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit reuses what the rules found in the other episodes, and where: unless that
    episode's file changed, as when a line is added above the field at fault."""
    first = episode(bundled_show, "01") / "episode.md"
    replace_in(first, 'title: "', 'title: "Episode 1: ')  # R66: no number in titles
    ready(bundled_show)
    located: list[Path] = []  # the files read again to find a problem's line
    original = check.locate
    monkeypatch.setattr(
        check, "locate", lambda found: located.extend(p.file for p in found) or original(found)
    )

    def title_warnings() -> list[str]:
        result = settled_build(bundled_show)
        return [str(w) for w in result.warnings if w.file == first and w.field == "title"]

    (warning,) = title_warnings()
    assert warning.startswith(f"{first}:2: title: ")
    pipeline_runs.clear()
    edit_notes(bundled_show)  # another episode: the delta path, the rules redone in part
    assert title_warnings() == [warning]
    assert first not in located
    replace_in(first, "---\n", "---\n# A comment above the title.\n")  # same feed
    assert title_warnings() == [warning.replace(f"{first}:2:", f"{first}:3:")]
    assert first in located
    assert pipeline_runs == []
