"""`podfeed new`: the next episode folder, its template, and never overwriting anything."""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from podfeed import scaffold
from podfeed.build import build
from podfeed.cli import cli
from podfeed.content import EPISODE_FIELDS, load_content
from podfeed.errors import ContentError
from podfeed.scaffold import (
    FIELD_COMMENTS,
    IMPORTED_FIELDS,
    SUMMARY_PLACEHOLDER,
    new_episode,
    slugify,
)

NOW = datetime(2024, 3, 15, tzinfo=UTC)


def test_every_field_has_a_comment() -> None:
    names = {field.name for field in EPISODE_FIELDS}
    assert set(FIELD_COMMENTS) == names - IMPORTED_FIELDS
    assert names > IMPORTED_FIELDS


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Tackling A&E backlogs — part 2", "tackling-a-e-backlogs-part-2"),
        ("Ysbyty\u2019r Gogledd: gofal", "ysbytyr-gogledd-gofal"),
        ("  ", ""),
        ("a " * 40, "-".join(["a"] * 30)),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_new_creates_the_next_episode(
    runner: CliRunner, sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_show)
    result = runner.invoke(
        cli, ["new", "Third time: lucky?", "--now", "2024-03-15T00:00:00Z"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    folder = sample_show / "episodes" / "03-third-time-lucky"
    assert result.output == (
        "Created episodes/03-third-time-lucky/episode.md: episode 3, "
        "released 2024-03-21 09:30+00:00.\n"
        "Next: write its summary and notes, and add the audio as "
        "episodes/03-third-time-lucky/episode.mp3.\n"
    )
    text = (folder / "episode.md").read_text()
    front = text.split("---\n")[1]
    data = yaml.safe_load(front)
    assert data["title"] == "Third time: lucky?"
    assert data["number"] == 3
    assert data["released"] == datetime.fromisoformat("2024-03-21T09:30:00+00:00")
    assert uuid.UUID(data["guid"]).version == 4
    assert data["draft"] is False
    for field in EPISODE_FIELDS:  # every field is there, set or commented out
        if field.name in IMPORTED_FIELDS:
            continue
        assert re.search(rf"^(# )?{field.name}: ", front, re.MULTILINE), field.name
    # Each field sits under its comment.
    lines = front.splitlines()
    for field in EPISODE_FIELDS:
        if field.name in IMPORTED_FIELDS:
            continue
        index = next(i for i, line in enumerate(lines) if re.match(rf"(# )?{field.name}: ", line))
        assert lines[index - 1] == "# " + FIELD_COMMENTS[field.name].split("\n")[-1]
    assert not list((sample_show / "episodes").glob(".podfeed-*"))
    umask = os.umask(0)
    os.umask(umask)
    assert folder.stat().st_mode & 0o777 == 0o777 & ~umask  # readable like any new folder

    # The new episode loads, and stays out of a build until its release time.
    (folder / "episode.mp3").write_bytes(
        (sample_show / "episodes/01-first-light/episode.mp3").read_bytes()
    )
    episode = next(e for e in load_content(sample_show).episodes if e.number == 3)
    assert episode.slug == "third-time-lucky"
    assert build(sample_show, sample_show.parent / "before", now=NOW).episodes == 2
    after = datetime(2024, 3, 21, 9, 30, tzinfo=UTC)
    # Once released, the template's text must be replaced before it can go out.
    with pytest.raises(ContentError) as refused:
        build(sample_show, sample_show.parent / "after", now=after)
    assert [p.field for p in refused.value.problems] == ["summary", None]
    text = (folder / "episode.md").read_text()
    front, _ = text.rsplit("\n---\n", 1)
    front = front.replace(SUMMARY_PLACEHOLDER, "Third time's the charm.")
    (folder / "episode.md").write_text(front + "\n---\nNotes about the third episode.\n")
    assert build(sample_show, sample_show.parent / "after", now=after).episodes == 3


def test_status_flags_the_template_text(runner: CliRunner, sample_show: Path) -> None:
    new_episode(sample_show, "Third", NOW)
    result = runner.invoke(
        cli, ["status", "--show", str(sample_show), "--now", "2030-01-01T00:00:00Z"]
    )
    assert result.exit_code == 1
    blockers = result.output.split("Third is blocked by:\n")[1].splitlines()
    assert blockers[0].endswith(
        "03-third/episode.mp3: This audio file does not exist; add it, or correct the file name."
    )
    assert blockers[1].endswith(
        "03-third/episode.md:14: summary: still has the template's text; write the summary."
    )
    assert blockers[2].endswith(
        "03-third/episode.md: The show notes still start with the template's text; write them "
        "before release."
    )


def test_options_set_number_release_and_slug(sample_show: Path) -> None:
    released = datetime.fromisoformat("2024-04-01T18:00:00+01:00")
    episode = new_episode(sample_show, "Extra", NOW, released=released, number=10, slug="bonus-x")
    assert episode.folder.name == "10-bonus-x"
    data = yaml.safe_load((episode.folder / "episode.md").read_text().split("---\n")[1])
    assert (data["number"], data["released"]) == (10, released)


def test_first_episode_of_a_new_show(sample_show: Path) -> None:
    for folder in ("01-first-light", "02-second-wind"):
        for path in (sample_show / "episodes" / folder).iterdir():
            path.unlink()
        (sample_show / "episodes" / folder).rmdir()
    episode = new_episode(sample_show, "Pilot", NOW)
    assert episode.number == 1
    # 09:00 local time a week after "now", in this computer's zone.
    assert episode.released.date() == NOW.astimezone().date().replace(day=22)
    assert (episode.released.hour, episode.released.minute) == (9, 0)
    assert episode.released.utcoffset() is not None


@pytest.fixture
def in_london(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's clock in the UK's zone, which changes offset in March and October."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        ("2024-10-24T09:30:00+01:00", "2024-10-31T09:30:00+00:00"),  # summer time ends
        ("2024-03-28T09:30:00+00:00", "2024-04-04T09:30:00+01:00"),  # summer time starts
        ("2024-03-14T09:30:00+00:00", "2024-03-21T09:30:00+00:00"),
        ("2024-10-24T09:30:00-04:00", "2024-10-31T09:30:00-04:00"),  # a show in another zone
    ],
)
def test_the_next_episode_keeps_the_clock_time_across_summer_time(
    sample_show: Path, in_london: None, latest: str, expected: str
) -> None:
    for path in (sample_show / "episodes").glob("*/episode.md"):
        text = path.read_text()
        released = next(line for line in text.splitlines() if line.startswith("released:"))
        path.write_text(text.replace(released, f"released: {latest}"))
    episode = new_episode(sample_show, "Next", NOW, number=9)
    assert episode.released.isoformat() == expected


def test_a_first_episode_in_the_week_summer_time_ends(sample_show: Path, in_london: None) -> None:
    for folder in ("01-first-light", "02-second-wind"):
        shutil.rmtree(sample_show / "episodes" / folder)
    now = datetime.fromisoformat("2024-10-22T12:00:00+01:00")
    assert new_episode(sample_show, "Pilot", now).released.isoformat() == (
        "2024-10-29T09:00:00+00:00"
    )


def test_refuses_to_overwrite_a_folder(runner: CliRunner, sample_show: Path) -> None:
    # A folder named for number 3 that holds episode 9 under another address.
    existing = sample_show / "episodes" / "03-third"
    existing.mkdir()
    source = (sample_show / "episodes/01-first-light/episode.md").read_text()
    mine = (
        source.replace("number: 1", "number: 9")
        .replace("5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01", "8e9d55ba-6f8a-4a1e-9a4c-0e0b8b1c2d3e")
        .replace("type: full", "type: full\nslug: ninth")
    )
    (existing / "episode.md").write_text(mine)
    result = runner.invoke(cli, ["new", "Third", "--number", "3", "--show", str(sample_show)])
    assert result.exit_code == 1
    assert result.output.endswith(
        "episodes/03-third: already exists; podfeed new never overwrites a folder.\n"
    )
    assert [p.name for p in existing.iterdir()] == ["episode.md"]
    assert (existing / "episode.md").read_text() == mine


def test_refuses_a_number_or_slug_in_use(sample_show: Path) -> None:
    with pytest.raises(ContentError, match="already is episode 2; choose another --number"):
        new_episode(sample_show, "Again", NOW, number=2)
    with pytest.raises(ContentError, match="already uses the web address 'first-light'"):
        new_episode(sample_show, "First light", NOW)


def test_a_failed_write_leaves_nothing_behind(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rename(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scaffold.os, "rename", no_rename)
    with pytest.raises(OSError, match="No space left"):
        new_episode(sample_show, "Third", NOW)
    assert sorted(p.name for p in (sample_show / "episodes").iterdir()) == [
        "01-first-light",
        "02-second-wind",
        "organisations.yaml",
        "people.yaml",
    ]
