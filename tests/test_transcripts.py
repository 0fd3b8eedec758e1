"""Transcripts and chapter files beside an episode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podfeed.errors import ContentError
from podfeed.model import Chapter
from podfeed.pipeline import gather
from podfeed.transcripts import find_transcripts, read_chapters_file, read_transcript

VTT = """WEBVTT

1
00:00:00.000 --> 00:00:02.500
<v Ada Host>Croeso, welcome.</v>

00:02.500 --> 00:04.000 align:start
Second <b>line</b>
continues here.
"""

SRT = """1
00:00:00,000 --> 00:00:02,500
Hello.

2
00:00:02,500 --> 00:00:04,000
Goodbye.
"""


def test_webvtt_cues_speakers_and_tags(tmp_path: Path) -> None:
    path = tmp_path / "transcript.vtt"
    path.write_text(VTT)
    transcript = read_transcript(path, "cy")
    assert transcript.mime_type == "text/vtt"
    assert [(c.start, c.end, c.speaker, c.text) for c in transcript.cues] == [
        (0.0, 2.5, "Ada Host", "Croeso, welcome."),
        (2.5, 4.0, None, "Second line continues here."),
    ]


def test_srt_and_languages_from_file_names(tmp_path: Path) -> None:
    (tmp_path / "transcript.srt").write_text(SRT)
    (tmp_path / "transcript.vtt").write_text(VTT)
    (tmp_path / "transcript.cy.vtt").write_text(VTT)
    (tmp_path / "notes.vtt").write_text(VTT)
    found = find_transcripts(tmp_path, "en-GB")
    assert [(t.path.name, t.language) for t in found] == [
        ("transcript.cy.vtt", "cy"),
        ("transcript.srt", "en-GB"),
        ("transcript.vtt", "en-GB"),
    ]
    assert found[1].cues[1].text == "Goodbye."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "00:00:01.000 --> 00:00:02.000\nno header\n",
            "transcript.vtt:1: must start with the line WEBVTT.",
        ),
        (
            "WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nx\n",
            "transcript.vtt:3: has a timing line podfeed cannot read; write it like 00:00:01.000 --> 00:00:04.000.",
        ),
        (
            "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nx\n",
            "transcript.vtt:3: has a cue that ends before it starts.",
        ),
        ("WEBVTT\n\nNOTE nothing timed\n", "transcript.vtt: has no timed lines (cues)."),
    ],
)
def test_broken_transcripts_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "transcript.vtt"
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        read_transcript(path, "en")
    assert str(caught.value) == f"{tmp_path}/{message}"


def test_chapters_file_is_read_and_ends_filled(sample_show: Path) -> None:
    folder = sample_show / "episodes" / "02-second-wind"
    (folder / "chapters.json").write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": 0, "title": "Intro"},
                    {"startTime": 2, "title": "Main", "url": "https://example.org/"},
                ],
            }
        )
    )
    episode = gather(sample_show).episodes[1]
    duration = episode.audio.duration if episode.audio else 0
    assert episode.chapters == (
        Chapter(0.0, "Intro", 2.0),
        Chapter(2.0, "Main", duration, "https://example.org/"),
    )


def test_chapters_come_from_the_audio_without_a_file(sample_show: Path) -> None:
    episode = gather(sample_show).episodes[0]
    assert [c.title for c in episode.chapters] == ["Opening", "Second chapter"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "{",
            "chapters.json:1: is not valid JSON (Expecting property name enclosed in double quotes).",
        ),
        ('{"chapters": []}', 'chapters.json: needs a "chapters" list with at least one chapter.'),
        (
            '{"chapters": [{"title": "x"}]}',
            "chapters.json: chapters[0]: needs a startTime in seconds, like 0 or 93.5.",
        ),
        (
            '{"chapters": [{"startTime": 5, "title": "b"}, {"startTime": 1, "title": "a"}]}',
            "chapters.json: lists chapters out of order; sort them by startTime.",
        ),
    ],
)
def test_broken_chapters_files(tmp_path: Path, data: str, message: str) -> None:
    path = tmp_path / "chapters.json"
    path.write_text(data)
    with pytest.raises(ContentError) as caught:
        read_chapters_file(path)
    assert str(caught.value) == f"{tmp_path}/{message}"
