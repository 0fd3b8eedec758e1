"""Chapters as podcast apps read them: JSON Chapters 1.2.0 files and Normal Play Time.

The same chapters go into the feed twice: `podcast:chapters` points at the JSON file
(Podcast Index, Apple) and `psc:chapters` lists them inline (Podlove; Spotify, gPodder).
"""

from __future__ import annotations

import json
from typing import Any

from podfeed.model import Episode, Show

JSON_CHAPTERS_VERSION = "1.2.0"
JSON_CHAPTERS_TYPE = "application/json+chapters"


def _seconds(value: float) -> float | int:
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def chapters_json(show: Show, episode: Episode) -> bytes:
    """The episode's chapters as a JSON Chapters 1.2.0 document (deterministic bytes)."""
    chapters: list[dict[str, Any]] = []
    for chapter in episode.chapters:
        entry: dict[str, Any] = {"startTime": _seconds(chapter.start), "title": chapter.title}
        if chapter.end is not None:
            entry["endTime"] = _seconds(chapter.end)
        if chapter.url:
            entry["url"] = chapter.url
        chapters.append(entry)
    document = {
        "version": JSON_CHAPTERS_VERSION,
        "title": episode.title,
        "podcastName": show.title,
        "author": show.author,
        "chapters": chapters,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def normal_play_time(seconds: float) -> str:
    """`HH:MM:SS.mmm`, the Normal Play Time Podlove Simple Chapters use."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, millis = divmod(rest, 1000)
    stamp = f"{hours:02d}:{minutes:02d}:{whole:02d}"
    return f"{stamp}.{millis:03d}" if millis else stamp
