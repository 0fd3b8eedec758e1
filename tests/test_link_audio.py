"""`link_audio: true` publishes the show's audio as hard links instead of copies: the same
site, byte for byte, with no room taken and no audio bytes written."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from podfeed.build import build
from podfeed.errors import ContentError
from test_incremental import DATA, EPISODES, episode, files, replace_in

AUDIO = "episode.mp3"


def published_audio(show: Path, prefix: str) -> Path:
    slug = episode(show, prefix).name.split("-", 1)[1]
    return next((show / "public" / EPISODES).glob(f"*{slug}*/*.mp3"))


def link_audio(show: Path, on: bool) -> None:
    settings = show / "podcast.yaml"
    text = settings.read_text().replace("link_audio: true\n", "").replace("link_audio: false\n", "")
    settings.write_text(text + f"link_audio: {'true' if on else 'false'}\n")
    time.sleep(0.05)  # a file saved within the clock's tick of a build is read again anyway


def same_inode(a: Path, b: Path) -> bool:
    return os.stat(a).st_ino == os.stat(b).st_ino


def test_linked_audio_is_the_shows_file_and_the_site_is_the_same(
    bundled_show: Path, tmp_path: Path
) -> None:
    build(bundled_show, tmp_path / "copied", cached=False)
    link_audio(bundled_show, True)
    build(bundled_show)
    source = episode(bundled_show, "02") / AUDIO
    assert same_inode(published_audio(bundled_show, "02"), source)
    assert files(bundled_show / "public") == files(tmp_path / "copied")
    build(bundled_show, tmp_path / "scratch", cached=False)  # no cache: writer.write_site
    name = published_audio(bundled_show, "02").relative_to(bundled_show / "public")
    assert same_inode(tmp_path / "scratch" / name, source)


def test_turning_link_audio_on_and_off_relinks_or_copies(bundled_show: Path) -> None:
    source = episode(bundled_show, "02") / AUDIO
    build(bundled_show)
    assert not same_inode(published_audio(bundled_show, "02"), source)
    link_audio(bundled_show, True)
    build(bundled_show)
    assert same_inode(published_audio(bundled_show, "02"), source)
    link_audio(bundled_show, False)
    build(bundled_show)
    published = published_audio(bundled_show, "02")
    assert not same_inode(published, source)
    assert published.read_bytes() == source.read_bytes()


def test_audio_saved_as_a_new_file_is_linked_again(bundled_show: Path, tmp_path: Path) -> None:
    link_audio(bundled_show, True)
    build(bundled_show)
    source = episode(bundled_show, "02") / AUDIO
    new = source.with_name(".new.mp3")
    new.write_bytes((DATA / "speech.mp3").read_bytes())
    os.replace(new, source)  # as `podfeed tag` and most editors save
    time.sleep(0.05)
    build(bundled_show)
    assert same_inode(published_audio(bundled_show, "02"), source)
    build(bundled_show, tmp_path / "scratch", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "scratch")


def test_link_audio_must_be_true_or_false(bundled_show: Path) -> None:
    replace_in(bundled_show / "podcast.yaml", "title:", "link_audio: sometimes\ntitle:")
    with pytest.raises(ContentError) as error:
        build(bundled_show)
    (problem,) = error.value.problems
    assert (problem.file.name, problem.field, problem.line) == ("podcast.yaml", "link_audio", 1)
    assert not (bundled_show / "public").exists()
