"""The writer swaps a finished site in whole, and cleans up after an interrupted build."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from podfeed.errors import BuildError
from podfeed.pages import format_duration, relative
from podfeed.writer import write_site


def test_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site([("feed.xml", b"one"), ("old/page.html", b"x")], out)
    write_site([("feed.xml", b"two")], out)
    assert sorted(p.name for p in out.rglob("*")) == ["feed.xml"]
    assert (out / "feed.xml").read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_copies_files_byte_for_byte(tmp_path: Path) -> None:
    source = tmp_path / "audio.bin"
    source.write_bytes(bytes(range(256)) * 10)
    write_site([("feed.xml", b""), ("a/audio.bin", source)], tmp_path / "public")
    assert (tmp_path / "public" / "a" / "audio.bin").read_bytes() == source.read_bytes()


def test_leftovers_of_an_interrupted_build_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site([("feed.xml", b"one")], out)
    (tmp_path / ".podfeed-public-abc123").mkdir()  # a build killed while writing
    write_site([("feed.xml", b"two")], out)
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_a_build_killed_between_the_two_renames_keeps_the_old_site(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site([("feed.xml", b"one"), ("index.html", b"home")], out)
    out.rename(tmp_path / ".podfeed-public-old")  # killed after moving the old site aside
    with pytest.raises(BuildError):
        write_site([("feed.xml", b"x"), ("feed.xml", b"y")], out)
    assert (out / "index.html").read_bytes() == b"home", "the old site is restored"


def test_refuses_to_write_twice_or_outside(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="twice"):
        write_site([("feed.xml", b"a"), ("feed.xml", b"b")], tmp_path / "public")
    with pytest.raises(BuildError, match="outside"):
        write_site([("../escape.txt", b"a")], tmp_path / "public")
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.4, "0 sec"),
        (34.4, "34 sec"),
        (60, "1 min"),
        (1929, "32 min"),
        (3600, "1 hr"),
        (3930, "1 hr 6 min"),
    ],
)
def test_durations_read_as_people_say_them(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


@pytest.mark.parametrize(
    ("page", "target", "href"),
    [
        ("index.html", "episodes/a/", "episodes/a/index.html"),
        ("episodes/a/index.html", "", "../../index.html"),
        ("episodes/a/index.html", "episodes/a/a.mp3", "a.mp3"),
        ("people/x/index.html", "organisations/y/", "../../organisations/y/index.html"),
    ],
)
def test_links_between_pages_are_relative(page: str, target: str, href: str) -> None:
    assert relative(page, target) == href


def test_the_site_is_readable_by_a_web_server(tmp_path: Path) -> None:
    out = tmp_path / "public"
    old = os.umask(0o022)
    try:
        write_site([("feed.xml", b"x"), ("episodes/a/index.html", b"y")], out)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "episodes" / "a").stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "feed.xml").stat().st_mode) == 0o644
