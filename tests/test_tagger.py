"""`podfeed tag` on copies of the real audio fixtures, read back with mutagen and ffmpeg."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import mutagen
import pytest
from click.testing import CliRunner
from mutagen.flac import FLAC, Picture
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from podfeed import tagger
from podfeed.audio import read_audio_info
from podfeed.cli import cli
from podfeed.model import CoverArt
from podfeed.tagger import tag_show

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
FORMATS = ["mp3", "m4a", "ogg", "opus", "flac"]
CHAPTERS = {
    "version": "1.2.0",
    "chapters": [
        {"startTime": 0, "title": "Welcome"},
        {"startTime": 1.5, "title": "The story", "url": "https://example.org/story"},
        {"startTime": 3.25, "title": "Goodbye"},
    ],
}


@pytest.fixture(params=FORMATS)
def show(request: pytest.FixtureRequest, sample_show: Path) -> Path:
    """The sample show with episode 1 in the given format and a chapters.json."""
    suffix = request.param
    folder = sample_show / "episodes" / "01-first-light"
    (folder / "episode.mp3").unlink()
    shutil.copyfile(DATA / f"speech.{suffix}", folder / f"episode.{suffix}")
    episode = folder / "episode.md"
    episode.write_text(
        episode.read_text().replace("audio: episode.mp3", f"audio: episode.{suffix}")
    )
    (folder / "chapters.json").write_text(json.dumps(CHAPTERS))
    return sample_show


def audio_file(show: Path) -> Path:
    return next((show / "episodes" / "01-first-light").glob("episode.*[!d]"))


def decodes(path: Path) -> bool:
    if shutil.which("ffmpeg") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ffmpeg is needed in CI to decode tagged audio: apt-get install ffmpeg")
        pytest.skip("ffmpeg is not installed")
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stderr == ""


def test_tags_are_written_and_read_back(show: Path) -> None:
    path = audio_file(show)
    before = read_audio_info(path)
    results = tag_show(show)
    assert [r.written for r in results] == [True, True]
    artwork = (REPO / "artwork.png").read_bytes()
    audio = mutagen.File(path)
    if isinstance(audio, MP3):
        tags = audio.tags
        assert str(tags["TIT2"]) == "First light"
        assert str(tags["TPE1"]) == "Sample Team"
        assert str(tags["TALB"]) == "Sample Show: Tests & Tales"
        assert str(tags["TDRC"]) == "2024-03-07"
        assert str(tags["TRCK"]) == "1"
        assert str(tags.getall("COMM")[0]) == "The first episode, in MP3."
        (cover,) = tags.getall("APIC")
        assert (cover.type, cover.mime, cover.data) == (3, "image/png", artwork)
        chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
        assert [(c.start_time, str(c.sub_frames["TIT2"])) for c in chapters] == [
            (0, "Welcome"),
            (1500, "The story"),
            (3250, "Goodbye"),
        ]
        assert chapters[-1].end_time == round(before.duration * 1000)
        assert chapters[1].sub_frames.getall("WXXX")[0].url == "https://example.org/story"
        (toc,) = tags.getall("CTOC")
        assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    elif isinstance(audio, MP4):
        tags = audio.tags
        assert tags["\xa9nam"] == ["First light"]
        assert tags["\xa9ART"] == ["Sample Team"]
        assert tags["\xa9alb"] == ["Sample Show: Tests & Tales"]
        assert tags["\xa9day"] == ["2024-03-07"]
        assert tags["trkn"] == [(1, 0)]
        assert tags["\xa9cmt"] == ["The first episode, in MP3."]
        assert bytes(tags["covr"][0]) == artwork
    else:
        tags = audio.tags
        assert tags["TITLE"] == ["First light"]
        assert tags["ARTIST"] == ["Sample Team"]
        assert tags["ALBUM"] == ["Sample Show: Tests & Tales"]
        assert tags["DATE"] == ["2024-03-07"]
        assert tags["TRACKNUMBER"] == ["1"]
        assert tags["COMMENT"] == ["The first episode, in MP3."]
        assert tags["CHAPTER002"] == ["00:00:01.500"]
        assert tags["CHAPTER002NAME"] == ["The story"]
        assert tags["CHAPTER002URL"] == ["https://example.org/story"]
        assert "CHAPTER004" not in tags
        if isinstance(audio, FLAC):
            pictures = audio.pictures
        else:
            pictures = [Picture(base64.b64decode(v)) for v in tags["METADATA_BLOCK_PICTURE"]]
        assert [(p.type, p.mime, p.data, p.width) for p in pictures] == [
            (3, "image/png", artwork, 1400)
        ]
    after = read_audio_info(path)
    assert after.duration == pytest.approx(before.duration, abs=0.001)
    assert after.cover == CoverArt("image/png", len(artwork))
    if not isinstance(audio, MP4):  # podfeed reads the chapters it wrote
        assert [c.title for c in after.chapters] == ["Welcome", "The story", "Goodbye"]
    assert decodes(path)
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        ["chapters.json", "episode.md", path.name]
    )


def test_a_second_run_changes_nothing(show: Path) -> None:
    tag_show(show)
    path = audio_file(show)
    first = path.read_bytes()
    stat = path.stat()
    results = tag_show(show)
    assert [(r.changes, r.written) for r in results] == [((), False), ((), False)]
    assert path.read_bytes() == first
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


def test_dry_run_lists_changes_and_writes_nothing(runner: CliRunner, show: Path) -> None:
    path = audio_file(show)
    original = path.read_bytes()
    result = runner.invoke(cli, ["tag", "--show", str(show), "--dry-run"], catch_exceptions=False)
    assert result.exit_code == 0
    assert path.read_bytes() == original
    lines = result.output.splitlines()
    assert lines[0].endswith(f"01-first-light/{path.name}: would change")
    assert "  title: podfeed test audio -> First light" in lines
    assert "  genre: (none) -> Podcast" in lines


def test_cli_reports_then_stays_quiet(runner: CliRunner, sample_show: Path) -> None:
    first = runner.invoke(cli, ["tag", "--show", str(sample_show)], catch_exceptions=False)
    assert first.exit_code == 0
    assert first.output.splitlines()[0].endswith("01-first-light/episode.mp3: changed")
    again = runner.invoke(cli, ["tag", "--show", str(sample_show)], catch_exceptions=False)
    assert again.output.splitlines()[0].endswith(
        "01-first-light/episode.mp3: tags already up to date"
    )
    quiet = runner.invoke(cli, ["tag", "--show", str(sample_show), "-q"], catch_exceptions=False)
    assert (quiet.exit_code, quiet.output) == (0, "")


def test_a_failed_check_leaves_the_original_untouched(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sample_show / "episodes/01-first-light/episode.mp3"
    original = path.read_bytes()
    real = tagger.read_audio_info

    def shorter_copy(candidate: Path) -> object:
        info = real(candidate)
        if "podfeed-tag" in candidate.name:
            from dataclasses import replace

            return replace(info, duration=info.duration - 1)
        return info

    monkeypatch.setattr(tagger, "read_audio_info", shorter_copy)
    with pytest.raises(Exception) as raised:
        tag_show(sample_show)
    assert "Tagging changed the audio's length" in str(raised.value)
    assert path.read_bytes() == original
    assert not list(path.parent.glob(".*podfeed-tag*"))


def test_a_crash_while_writing_leaves_no_half_written_file(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sample_show / "episodes/01-first-light/episode.mp3"
    original = path.read_bytes()

    def crash(self: object, audio: object, tags: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(tagger._ID3Adapter, "write", crash)
    with pytest.raises(KeyboardInterrupt):
        tag_show(sample_show)
    assert path.read_bytes() == original
    assert not list(path.parent.glob(".*podfeed-tag*"))


def test_a_missing_file_is_reported_and_the_others_are_tagged(
    runner: CliRunner, sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_show)
    (sample_show / "episodes/01-first-light/episode.mp3").unlink()
    result = runner.invoke(cli, ["tag"])
    assert result.exit_code == 1
    assert result.output == (
        "podfeed found 1 problem:\n"
        "  episodes/01-first-light/episode.mp3: This audio file does not exist; add it, "
        "or correct the file name.\n"
    )
    tags = mutagen.File(sample_show / "episodes/02-second-wind/episode.m4a").tags
    assert tags["\xa9nam"] == ["Second wind — ail wynt"]
