"""Transcripts and chapter files that sit beside an episode's audio.

WebVTT and SubRip transcripts are parsed into cues, so the website can show them as
text and a broken file is reported with its line before apps see it. Chapters may come
from a JSON Chapters file (Podcast Index, version 1.2.0) instead of the audio's tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from podfeed.errors import ContentError, Problem
from podfeed.fields import read_text
from podfeed.model import Chapter, Cue, Transcript

TRANSCRIPT_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip"}
CHAPTERS_FILE = "chapters.json"

_TIMING = re.compile(r"^\s*(?P<start>[\d:.,]+)\s+-->\s+(?P<end>[\d:.,]+)(?:\s+.*)?$")
_LOOKS_TIMED = re.compile(r"-->|\d:\d\d\S*\s*-+>")
_VOICE = re.compile(r"^<v(?:\.[^\s>]*)?\s+([^>]+)>(.*?)(?:</v>)?$", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def find_transcripts(
    folder: Path, default_language: str, names: Sequence[str] | None = None
) -> tuple[Transcript, ...]:
    """`transcript.vtt`, `transcript.srt`, or `transcript.<language>.vtt` in the folder
    (whose entries named transcript… are `names`, sorted, when the caller listed it)."""
    found = []
    if names is None:
        names = sorted(p.name for p in folder.glob("transcript*"))
    for path in (folder / name for name in names):
        parts = path.name.split(".")
        suffix = path.suffix.lower()
        if suffix not in TRANSCRIPT_TYPES or parts[0] != "transcript" or len(parts) > 3:
            continue
        language = parts[1] if len(parts) == 3 else default_language
        found.append(read_transcript(path, language))
    # Podcast apps that keep only one transcript keep the last: put WebVTT last.
    return tuple(sorted(found, key=lambda t: (t.language, t.mime_type != "application/x-subrip")))


def read_transcript(path: Path, language: str) -> Transcript:
    source = read_text(path)
    mime_type = TRANSCRIPT_TYPES[path.suffix.lower()]
    if mime_type == "text/vtt" and not source.startswith("WEBVTT"):
        raise ContentError.single(path, "must start with the line WEBVTT.", line=1)
    cues: list[Cue] = []
    lines = source.split("\n")
    index = 0
    while index < len(lines):
        match = _TIMING.match(lines[index])
        if not match:
            if _LOOKS_TIMED.search(lines[index]):
                raise ContentError.single(
                    path,
                    "has a timing line podfeed cannot read; write it like "
                    "00:00:01.000 --> 00:00:04.000.",
                    line=index + 1,
                )
            index += 1
            continue
        start = _seconds(match["start"], path, index + 1)
        end = _seconds(match["end"], path, index + 1)
        if end < start:
            raise ContentError.single(path, "has a cue that ends before it starts.", line=index + 1)
        text_lines = []
        index += 1
        while index < len(lines) and lines[index].strip():
            text_lines.append(lines[index])
            index += 1
        speaker, text = _speaker(" ".join(line.strip() for line in text_lines))
        cues.append(Cue(start, end, text, speaker))
    if not cues:
        raise ContentError.single(path, "has no timed lines (cues).")
    return Transcript(path, mime_type, language, tuple(cues))


def _speaker(text: str) -> tuple[str | None, str]:
    match = _VOICE.match(text)
    if match:
        return match[1].strip(), _TAG.sub("", match[2]).strip()
    return None, _TAG.sub("", text).strip()


def _seconds(stamp: str, path: Path, line: int) -> float:
    parts = stamp.replace(",", ".").split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (2, 3):
        raise ContentError.single(path, f"has a time '{stamp}' podfeed cannot read.", line=line)
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds


def read_chapters_file(path: Path) -> tuple[Chapter, ...]:
    """Chapters from a JSON Chapters file (https://podcastindex.org JSON Chapters 1.2.0)."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise ContentError.single(
            path, f"is not valid JSON ({error.msg}).", line=error.lineno
        ) from None
    problems: list[Problem] = []
    entries = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ContentError.single(path, 'needs a "chapters" list with at least one chapter.')
    chapters = []
    for number, entry in enumerate(entries, start=1):
        field = f"chapters[{number - 1}]"
        if not isinstance(entry, dict):
            problems.append(Problem(path, "must be an object with startTime and title.", field))
            continue
        start, title = entry.get("startTime"), entry.get("title")
        if isinstance(start, bool) or not isinstance(start, int | float) or start < 0:
            problems.append(Problem(path, "needs a startTime in seconds, like 0 or 93.5.", field))
            continue
        if not isinstance(title, str) or not title.strip():
            problems.append(Problem(path, "needs a title.", field))
            continue
        end = entry.get("endTime")
        url = entry.get("url")
        chapters.append(
            Chapter(
                float(start),
                title.strip(),
                float(end) if isinstance(end, int | float) else None,
                url if isinstance(url, str) else None,
            )
        )
    starts = [c.start for c in chapters]
    if starts != sorted(starts):
        problems.append(Problem(path, "lists chapters out of order; sort them by startTime."))
    if problems:
        raise ContentError(problems)
    return tuple(chapters)


def with_ends(chapters: Sequence[Chapter], duration: float) -> tuple[Chapter, ...]:
    """Each chapter ends where the next starts, the last where the audio ends."""
    ends = [chapter.start for chapter in chapters[1:]] + [duration]
    return tuple(
        chapter if chapter.end is not None else replace(chapter, end=end)
        for chapter, end in zip(chapters, ends, strict=True)
    )
