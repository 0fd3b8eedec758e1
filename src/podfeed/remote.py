"""Media hosted elsewhere: the fields an imported show uses until its files are local.

A show imported from another host keeps its audio, artwork, chapters and transcripts
at their old addresses (so download counts and links keep working), unless it is
imported with `--download`. podfeed cannot read a remote file, so an episode whose
`audio:` is a web address carries the enclosure facts the original feed declared, in
`remote_audio:`, and the build publishes those as they were. GUIDs are kept verbatim as
`feed_guid:` even where podfeed would not choose such an id itself, because changing a
published GUID makes every subscriber's app download the episode again.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from podfeed import fields as f
from podfeed.model import AudioInfo, Episode, RemoteAudio, TranscriptLink

_MIME = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")


def is_url(value: str) -> bool:
    return ":" in value and urlsplit(value).scheme in ("http", "https")  # no ":", no scheme


def any_web_url(value: Any) -> str:
    """http or https: addresses on another host are published exactly as they were."""
    result = f.line(value)
    parts = urlsplit(result)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise f.FieldError(f"'{result}' must be a full web address starting with https://.")
    return result


def media_source(value: Any) -> PurePosixPath | str:
    """A file in the episode's folder, or the web address of audio hosted elsewhere."""
    raw = f.line(value)
    return any_web_url(raw) if is_url(raw) else f.relative_path(raw)


def feed_guid(value: Any) -> str:
    """Any GUID a feed already published, kept exactly (numbers and spaces included)."""
    if isinstance(value, dict | list):
        raise f.FieldError(f"must be text, not {f.describe(value)}.")
    return f.line(value)


def remote_audio(value: Any) -> RemoteAudio:
    if not isinstance(value, dict):
        raise f.FieldError("must list length:, type: and duration: as the original feed gave them.")
    unknown = sorted(set(value) - {"length", "type", "duration"})
    if unknown:
        raise f.FieldError(f"has unknown field '{unknown[0]}'; use length, type and duration.")
    length, mime_type, duration = value.get("length"), value.get("type"), value.get("duration")
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        raise f.FieldError("length: must be the size in bytes (0 if the feed did not say).")
    if not isinstance(mime_type, str) or not _MIME.match(mime_type):
        raise f.FieldError("type: must be a MIME type like audio/mpeg.")
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0:
        raise f.FieldError("duration: must be the length in seconds (0 if the feed did not say).")
    return RemoteAudio(length=length, mime_type=mime_type, duration=float(duration))


def transcript_links(value: Any) -> tuple[TranscriptLink, ...]:
    if not isinstance(value, list):
        raise f.FieldError(f"must be a list of '- url: …' entries, not {f.describe(value)}.")
    links = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not item.get("url") or not item.get("type"):
            raise f.FieldError(f"entry {index} needs a url: and a type:.")
        unknown = sorted(set(item) - {"url", "type", "language", "rel"})
        if unknown:
            raise f.FieldError(f"entry {index} has unknown field '{unknown[0]}'.")
        try:
            links.append(
                TranscriptLink(
                    url=any_web_url(item["url"]),
                    mime_type=f.line(item["type"]),
                    language=f.line(item["language"]) if item.get("language") else None,
                    rel=f.line(item["rel"]) if item.get("rel") else None,
                )
            )
        except f.FieldError as error:
            raise f.FieldError(f"entry {index}: {error}") from None
    return tuple(links)


def remote_audio_info(episode: Episode) -> AudioInfo:
    """The enclosure facts the original feed declared, standing in for a file podfeed reads."""
    assert episode.remote_audio is not None
    facts = episode.remote_audio
    bitrate = round(facts.length * 8 / facts.duration) if facts.duration else 0
    return AudioInfo(
        size=facts.length,
        mime_type=facts.mime_type,
        duration=facts.duration,
        bitrate=bitrate,
        sample_rate=0,
        channels=0,
    )
