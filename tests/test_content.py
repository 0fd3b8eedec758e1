"""Loading a show; the catalogue of bad input is in test_bad_input.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from podfeed.build import build
from podfeed.content import load_content
from podfeed.errors import PodfeedError

EP1 = "episodes/01-first-light/episode.md"
EP2 = "episodes/02-second-wind/episode.md"


def edit(show: Path, name: str, old: str, new: str) -> None:
    path = show / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(show: Path, tmp_path: Path) -> list[str]:
    with pytest.raises(PodfeedError) as caught:
        build(show, tmp_path / "out")
    return [str(p).replace(str(show) + "/", "") for p in caught.value.problems]


def test_loads_the_sample_show(sample_show: Path) -> None:
    content = load_content(sample_show)
    assert content.show.title == "Sample Show: Tests & Tales"
    assert content.show.site_url == "https://sample.example.org/podcast"
    assert [e.slug for e in content.episodes] == ["first-light", "second-wind"]
    second = content.episodes[1]
    assert [(a.person, a.role) for a in second.people] == [
        ("ada-host", "host"),
        ("sam-solo", "guest"),
    ]
    assert second.explicit is False, "inherits the show's explicit setting"
    assert second.released.utcoffset() is not None


def test_every_problem_is_reported_at_once(sample_show: Path, tmp_path: Path) -> None:
    edit(sample_show, EP1, "number: 1", "number: 0")
    edit(
        sample_show, EP2, "guid: urn:sample:episode-2", "guid: 5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01"
    )
    edit(sample_show, "podcast.yaml", "language: cy", "language: Welsh")
    assert problems(sample_show, tmp_path) == [
        "podcast.yaml:11: language: 'Welsh' is not a language code like en-GB or cy.",
        f"{EP1}:3: number: must be 1 or more, not 0.",
    ]
    edit(sample_show, "podcast.yaml", "language: Welsh", "language: cy")
    edit(sample_show, EP1, "number: 0", "number: 2")
    assert problems(sample_show, tmp_path) == [
        f"{EP2}:3: number: is the same as in {EP1}; each episode needs its own number.",
        f"{EP2}:5: guid: is the same as in {EP1}; each episode needs its own guid.",
    ]


def test_windows_line_endings_and_byte_order_mark_are_fine(sample_show: Path) -> None:
    path = sample_show / EP1
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    episode = load_content(sample_show).episodes[0]
    assert episode.title == "First light"
    assert "\r" not in episode.notes_markdown
