"""podfeed.audio on real encoded files (made by scripts/make_media.py), checked against ffprobe.

ffprobe is the mutagen-independent truth for durations, sample rates, channels and
chapters; without it those comparisons are skipped locally and fail in CI.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from podfeed.audio import read_audio_info
from podfeed.errors import AudioError, Problem

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
FIXTURE_CHAPTERS = ("Opening", "Second chapter")
EPISODE_CHAPTERS = ("Welcome", "About this episode", "About this recording")
IMAGE_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


@dataclass(frozen=True)
class Fixture:
    name: str
    mime_type: str
    sample_rate: int
    channels: int
    cover_mime: str


FIXTURES = [
    Fixture("speech.mp3", "audio/mpeg", 22050, 1, "image/jpeg"),
    # mutagen reports the MP4 sample entry's channel count, which ffmpeg sets to the ISO
    # template value 2 even for mono AAC (ffprobe decodes the AAC config and says 1).
    Fixture("speech.m4a", "audio/x-m4a", 22050, 2, "image/png"),
    Fixture("speech.opus", "audio/ogg", 48000, 1, "image/jpeg"),
    Fixture("speech.ogg", "audio/ogg", 22050, 1, "image/png"),
    Fixture("speech.flac", "audio/flac", 16000, 1, "image/png"),
]


@functools.cache
def ffprobe(path: Path) -> dict[str, Any] | None:
    if shutil.which("ffprobe") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ffprobe is needed in CI to check audio facts: apt-get install ffmpeg")
        return None
    command = ["ffprobe", "-v", "error", "-print_format", "json"]
    command += ["-show_format", "-show_streams", "-show_chapters", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    facts: dict[str, Any] = json.loads(result.stdout)
    return facts


def audio_stream(facts: dict[str, Any]) -> dict[str, Any]:
    stream: dict[str, Any] = next(s for s in facts["streams"] if s["codec_type"] == "audio")
    return stream


def copy_start(source: Path, tmp_path: Path, length: int) -> Path:
    """A copy of the first `length` bytes, as a failed upload would leave it."""
    target = tmp_path / source.name
    target.write_bytes(source.read_bytes()[:length])
    return target


def read_error(path: Path) -> AudioError:
    with pytest.raises(AudioError) as caught:
        read_audio_info(path)
    assert str(path) in str(caught.value)
    assert [problem.file for problem in caught.value.problems] == [path]
    return caught.value


# --- the fixtures read correctly --------------------------------------------------------


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_reads_stream_facts(fixture: Fixture) -> None:
    path = DATA / fixture.name
    info = read_audio_info(path)
    assert info.mime_type == fixture.mime_type
    assert info.size == os.path.getsize(path)
    assert info.sample_rate == fixture.sample_rate
    assert info.channels == fixture.channels
    assert info.bitrate > 0
    assert 3.0 < info.duration < 8.0
    facts = ffprobe(path)
    if facts is not None:
        assert info.duration == pytest.approx(float(facts["format"]["duration"]), abs=0.1)
        assert info.sample_rate == int(audio_stream(facts)["sample_rate"])
        if fixture.mime_type != "audio/x-m4a":
            assert info.channels == audio_stream(facts)["channels"]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_reads_cover_art(fixture: Fixture) -> None:
    info = read_audio_info(DATA / fixture.name)
    assert info.cover is not None
    assert info.cover.mime_type == fixture.cover_mime
    assert info.cover.size > 1000


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_reads_chapters(fixture: Fixture) -> None:
    path = DATA / fixture.name
    info = read_audio_info(path)
    assert tuple(chapter.title for chapter in info.chapters) == FIXTURE_CHAPTERS
    first, second = info.chapters
    assert first.start == 0
    assert first.end == pytest.approx(second.start)
    assert second.end is not None
    assert second.start < second.end <= info.duration
    facts = ffprobe(path)
    if facts is not None:
        expected = [float(chapter["start_time"]) for chapter in facts["chapters"]]
        assert [chapter.start for chapter in info.chapters] == pytest.approx(expected, abs=0.001)


def test_opus_reports_its_decoding_rate_not_the_input_rate() -> None:
    assert read_audio_info(DATA / "speech.opus").sample_rate == 48000


def test_id3_chapters_without_ctoc_are_ordered_by_start(tmp_path: Path) -> None:
    from mutagen.id3 import ID3

    path = tmp_path / "speech.mp3"
    shutil.copyfile(DATA / "speech.mp3", path)
    tags = ID3(path)
    tags.delall("CTOC")
    chapters = tags.getall("CHAP")
    tags.delall("CHAP")
    for chapter in reversed(chapters):
        tags.add(chapter)
    tags.save()
    titles = [chapter.title for chapter in read_audio_info(path).chapters]
    assert titles == list(FIXTURE_CHAPTERS)


def test_unreadable_vorbis_chapter_time_names_the_tag(tmp_path: Path) -> None:
    from mutagen.oggvorbis import OggVorbis

    path = tmp_path / "speech.ogg"
    shutil.copyfile(DATA / "speech.ogg", path)
    audio = OggVorbis(path)
    audio.tags["CHAPTER002"] = ["soon"]
    audio.save()
    error = read_error(path)
    assert error.problems == (
        Problem(
            path,
            "The chapter time 'soon' is not a time like 00:01:30.000; "
            "fix the chapter tag in the audio file.",
            field="CHAPTER002",
        ),
    )


# --- files podfeed refuses --------------------------------------------------------------


def test_an_id3v23_tag_reads_as_its_id3v24_original(tmp_path: Path) -> None:
    """podfeed brings only tags older than ID3v2.4 up to it (mutagen's default is every tag)."""
    from mutagen.id3 import ID3

    path = tmp_path / "speech.mp3"
    shutil.copyfile(DATA / "speech.mp3", path)
    ID3(path).save(v2_version=3)
    assert ID3(path).version == (2, 3, 0)
    original = read_audio_info(DATA / "speech.mp3")
    assert replace(read_audio_info(path), size=original.size) == original  # new padding


def test_an_id3_picture_typed_the_id3v22_way_gets_a_mime_type(tmp_path: Path) -> None:
    from mutagen.id3 import APIC, ID3

    path = tmp_path / "speech.mp3"
    shutil.copyfile(DATA / "speech.mp3", path)
    tags = ID3(path)
    tags.delall("APIC")
    tags.add(APIC(encoding=3, mime="PNG", type=3, desc="", data=b"not a picture" * 100))
    tags.save()
    cover = read_audio_info(path).cover
    assert cover is not None
    assert cover.mime_type == "image/png"  # what mutagen's update to ID3v2.4 would make it


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "episode.mp3"
    error = read_error(path)
    message = "This audio file does not exist; add it, or correct the file name."
    assert error.problems == (Problem(path, message),)
    assert str(error) == f"{path}: {message}"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "episode.mp3"
    path.touch()
    error = read_error(path)
    message = (
        "This audio file is empty (0 bytes), probably from a failed copy or upload; "
        "copy the exported audio file in again."
    )
    assert error.problems == (Problem(path, message),)
    assert str(error) == f"{path}: {message}"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    path = tmp_path / "episode.mp3"
    path.mkdir()
    assert "is a folder, not an audio file" in str(read_error(path))


def test_text_file_named_mp3() -> None:
    error = read_error(DATA / "not-audio.mp3")
    assert (
        "This is not an audio file podfeed can read (MP3, M4A/AAC, Ogg Vorbis/Opus or FLAC)"
        in error.problems[0].message
    )


def test_extension_that_lies_about_the_format() -> None:
    error = read_error(DATA / "ogg-named.mp3")
    assert error.problems[0].message == (
        "The file name ends in '.mp3', which says MP3, but the file holds Ogg Vorbis audio; "
        "rename it to end in '.ogg', or export the episode again as MP3."
    )


def test_extension_podcast_apps_do_not_know(tmp_path: Path) -> None:
    path = tmp_path / "episode.wav"
    shutil.copyfile(DATA / "speech.mp3", path)
    assert (
        "ends in '.wav', which podcast apps do not recognise, but the file holds MP3 audio"
        in read_error(path).problems[0].message
    )


@pytest.mark.parametrize("name", ["speech.mp3", "speech.m4a", "speech.ogg", "speech.opus"])
@pytest.mark.parametrize("keep", ["half", "200 bytes"])
def test_truncated_file(tmp_path: Path, name: str, keep: str) -> None:
    source = DATA / name
    length = source.stat().st_size // 2 if keep == "half" else 200
    message = read_error(copy_start(source, tmp_path, length)).problems[0].message
    assert "cut short" in message
    assert message.endswith("copy or export the file again.")


def test_half_an_mp3_says_how_much_is_missing(tmp_path: Path) -> None:
    source = DATA / "speech.mp3"
    path = copy_start(source, tmp_path, source.stat().st_size // 2)
    message = read_error(path).problems[0].message
    assert message.startswith("This MP3 file is cut short: only ")
    assert "% of its audio is there" in message


# --- the show's own stand-in audio ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    sorted(REPO.glob("episodes/*/episode.mp3")),
    ids=lambda path: path.parent.name,
)
def test_show_episode_audio(path: Path) -> None:
    info = read_audio_info(path)
    assert info.mime_type == "audio/mpeg"
    assert info.size < 500_000
    assert tuple(chapter.title for chapter in info.chapters) == EPISODE_CHAPTERS
    assert info.cover is not None
    assert info.cover.mime_type in IMAGE_MAGIC and info.cover.size > 1000
    assert (path.parent / "transcript.vtt").read_text(encoding="utf-8").startswith("WEBVTT\n")
