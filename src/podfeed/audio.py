"""Read the facts a podcast feed needs from the audio file itself.

Enclosure sizes, types and durations must match the real file or apps stall, skip or
refuse the episode, so nothing here is typed by hand. This is the only module that
imports mutagen; every mutagen or file-system error becomes an `AudioError` naming the
file and saying how to fix it.
"""

from __future__ import annotations

import base64
import binascii
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import CTOCFlags
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from podfeed.errors import AudioError, ContentError, Problem
from podfeed.model import AudioInfo, Chapter, CoverArt, Episode
from podfeed.remote import remote_audio_info
from podfeed.transcripts import read_chapters_file, with_ends

SUPPORTED = "MP3, M4A/AAC, Ogg Vorbis/Opus or FLAC"
FRONT_COVER = 3  # ID3/FLAC picture type "Cover (front)"
OPUS_SAMPLE_RATE = 48_000  # Opus always decodes at 48 kHz (RFC 7845 §5.1)
MP3_STREAM_SHORTFALL = 0.9  # below this share of the promised bytes an MP3 is cut short


@dataclass(frozen=True)
class AudioFormat:
    """A format podfeed publishes, with what apps need to know about it."""

    name: str  # as a comms officer would say it
    mime_type: str
    extensions: tuple[str, ...]  # the first is the one to suggest
    mutagen_type: type[Any]


# MIME types: M4A is audio/x-m4a, the string Apple's feed specification gives for .m4a
# (audio/mp4, the registered type, works in most apps, but Apple's list is the strictest
# reader). Ogg Opus is audio/ogg, not audio/opus: RFC 7845 §9 and IANA give Ogg Opus files
# audio/ogg (audio/opus is the RTP payload type of RFC 7587), and apps know audio/ogg.
MP3_FORMAT = AudioFormat("MP3", "audio/mpeg", (".mp3",), MP3)
M4A_FORMAT = AudioFormat("M4A (AAC)", "audio/x-m4a", (".m4a", ".mp4"), MP4)
OPUS_FORMAT = AudioFormat("Ogg Opus", "audio/ogg", (".opus", ".ogg", ".oga"), OggOpus)
VORBIS_FORMAT = AudioFormat("Ogg Vorbis", "audio/ogg", (".ogg", ".oga"), OggVorbis)
FLAC_FORMAT = AudioFormat("FLAC", "audio/flac", (".flac",), FLAC)
FORMATS = (MP3_FORMAT, M4A_FORMAT, OPUS_FORMAT, VORBIS_FORMAT, FLAC_FORMAT)


def read_audio_info(path: Path) -> AudioInfo:
    """Read size, type, length, chapters and cover, refusing files apps would choke on."""
    size = _file_size(path)
    audio_format = _detect_format(path)
    audio = _load(path, audio_format)
    _check_complete(path, audio_format, audio, size)
    duration = float(audio.info.length)
    if duration <= 0:
        raise _error(
            path,
            f"This {audio_format.name} file contains no audio (it lasts 0 seconds); "
            "export the episode again.",
        )
    bitrate = int(getattr(audio.info, "bitrate", 0) or 0) or round(size * 8 / duration)
    is_opus = audio_format is OPUS_FORMAT
    sample_rate = OPUS_SAMPLE_RATE if is_opus else int(audio.info.sample_rate)
    return AudioInfo(
        size=size,
        mime_type=audio_format.mime_type,
        duration=duration,
        bitrate=bitrate,
        sample_rate=sample_rate,
        channels=int(audio.info.channels),
        chapters=with_ends(_chapters(path, audio_format, audio), duration),
        cover=_cover(path, audio_format, audio),
    )


def _file_size(path: Path) -> int:
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise _error(
            path, "This audio file does not exist; add it, or correct the file name."
        ) from None
    except OSError as error:
        raise _unreadable(path, error) from None
    if stat.S_ISDIR(status.st_mode):
        raise _error(path, "This is a folder, not an audio file; name the audio file itself.")
    if not stat.S_ISREG(status.st_mode):
        raise _error(
            path, "This is not a regular file, so it cannot be published; use the audio file."
        )
    if status.st_size == 0:
        raise _error(
            path,
            "This audio file is empty (0 bytes), probably from a failed copy or upload; "
            "copy the exported audio file in again.",
        )
    return status.st_size


def _error(path: Path, message: str, field: str | None = None) -> AudioError:
    return AudioError([Problem(path, message, field)])


def _unreadable(path: Path, error: OSError) -> AudioError:
    return _error(
        path, f"podfeed could not open this file ({error.strerror}); check it can be read."
    )


def _detect_format(path: Path) -> AudioFormat:
    """Go by the content, then insist the name agrees, since apps trust the name."""
    try:
        with path.open("rb") as file:
            audio_format = _sniff(file)
    except OSError as error:
        raise _unreadable(path, error) from None
    if audio_format is None:
        raise _error(
            path,
            f"This is not an audio file podfeed can read ({SUPPORTED}); "
            "export the episode in one of those formats.",
        )
    suffix = path.suffix.lower()
    if suffix not in audio_format.extensions:
        claimed = next((f.name for f in FORMATS if suffix in f.extensions), None)
        says = f"which says {claimed}" if claimed else "which podcast apps do not recognise"
        raise _error(
            path,
            f"The file name ends in '{suffix or '(nothing)'}', {says}, but the file holds "
            f"{audio_format.name} audio; rename it to end in "
            f"'{audio_format.extensions[0]}', or export the episode again"
            + (f" as {claimed}." if claimed else "."),
        )
    return audio_format


def _sniff(file: BinaryIO) -> AudioFormat | None:
    head = file.read(64)
    if head.startswith(b"ID3") and len(head) >= 10:
        file.seek(10 + _syncsafe(head[6:10]) + (10 if head[5] & 0x10 else 0))
        return FLAC_FORMAT if file.read(4) == b"fLaC" else MP3_FORMAT
    if head.startswith(b"fLaC"):
        return FLAC_FORMAT
    if head.startswith(b"OggS"):
        if b"OpusHead" in head:
            return OPUS_FORMAT
        return VORBIS_FORMAT if b"\x01vorbis" in head else None
    if head[4:8] == b"ftyp":
        return M4A_FORMAT
    # An MPEG audio frame sync with a real layer (layer bits 00 would be ADTS AAC).
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return MP3_FORMAT
    return None


def _syncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def _load(path: Path, audio_format: AudioFormat) -> Any:
    try:
        if audio_format is MP3_FORMAT:
            audio = _load_mp3(path)
        else:
            audio = mutagen.File(path, options=[audio_format.mutagen_type])
    except (mutagen.MutagenError, OSError) as error:
        raise _damaged(path, audio_format, error) from None
    if audio is None:
        raise _error(
            path,
            f"This is not an audio file podfeed can read ({SUPPORTED}); "
            "export the episode in one of those formats.",
        )
    return audio


def _load_mp3(path: Path) -> MP3:
    """An MP3 whose ID3 tag is brought up to version 2.4 only when older: mutagen does it
    for every tag by default, a fifth of reading a tagged MP3, and what podfeed reads
    (chapters, cover) is the same in 2.3 and 2.4. A 2.4 picture's "PNG" or "JPG" type,
    which the update would also mend, is mended in _cover."""
    audio = MP3(path, translate=False)  # type: ignore[no-untyped-call]
    if audio.tags is not None and audio.tags.version < (2, 4, 0):
        audio.tags.update_to_v24()
    return audio


def _check_complete(path: Path, audio_format: AudioFormat, audio: Any, size: int) -> None:
    """Catch files cut short by a failed copy: their headers promise more than is there.

    mutagen reads a duration from the header, so a half-copied file would otherwise go
    into the feed with the full length and stop halfway for every listener.
    """
    if audio_format is MP3_FORMAT:
        tag_size = int(getattr(audio.tags, "size", 0) or 0)
        promised = audio.info.bitrate * audio.info.length / 8
        present = size - tag_size
        if promised > 0 and present < MP3_STREAM_SHORTFALL * promised:
            raise _cut_short(
                path, audio_format, f"only {present / promised:.0%} of its audio is there"
            )
    elif audio_format is M4A_FORMAT:
        declared_end = _mp4_declared_end(path)
        if declared_end > size:
            raise _cut_short(path, audio_format, f"only {size / declared_end:.0%} of it is there")
    elif audio_format in (OPUS_FORMAT, VORBIS_FORMAT):
        try:
            with path.open("rb") as file:
                last_page = OggPage.find_last(file, audio.info.serial)  # type: ignore[no-untyped-call]
        except (mutagen.MutagenError, OSError) as error:
            raise _damaged(path, audio_format, error) from None
        if last_page is None or not last_page.last:
            raise _cut_short(
                path, audio_format, "its audio stops without the end mark of a whole file"
            )
    # FLAC: STREAMINFO gives a sample count but no byte count to compare the size with.


def _damaged(path: Path, audio_format: AudioFormat, error: Exception) -> AudioError:
    detail = f" ({error})" if str(error) else ""
    return _error(
        path,
        f"podfeed could not read this {audio_format.name} file: it is damaged or cut short"
        f"{detail}; copy or export the file again.",
    )


def _cut_short(path: Path, audio_format: AudioFormat, evidence: str) -> AudioError:
    return _error(
        path,
        f"This {audio_format.name} file is cut short: {evidence}, "
        "probably because a copy or upload stopped early; copy or export the file again.",
    )


def _mp4_declared_end(path: Path) -> int:
    """Where the top-level MP4 boxes say the file ends; beyond the real size means cut."""
    offset = 0
    with path.open("rb") as file:
        while True:
            file.seek(offset)
            header = file.read(16)
            if len(header) < 8:
                return offset
            box_size = int.from_bytes(header[:4], "big")
            if box_size == 1 and len(header) == 16:
                box_size = int.from_bytes(header[8:16], "big")
            if box_size == 0:  # "runs to the end of the file"
                return offset + len(header)
            if box_size < 8:
                return offset  # garbage after the boxes; mutagen already read what matters
            offset += box_size


# --- chapters ---------------------------------------------------------------------------

_CHAPTER_KEY = re.compile(r"chapter(\d+)", re.IGNORECASE)
_CHAPTER_TIME = re.compile(r"(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)")


def _chapters(path: Path, audio_format: AudioFormat, audio: Any) -> list[Chapter]:
    if audio_format is MP3_FORMAT:
        return _id3_chapters(audio.tags) if audio.tags is not None else []
    if audio_format is M4A_FORMAT:
        marks = getattr(audio, "chapters", None) or []
        return [Chapter(start=float(mark.start), title=str(mark.title)) for mark in marks]
    return _vorbis_chapters(path, audio.tags) if audio.tags is not None else []


def _id3_chapters(tags: Any) -> list[Chapter]:
    """CHAP frames in the order of the top-level CTOC, or by start time without one."""
    frames = {frame.element_id: frame for frame in tags.getall("CHAP")}
    top_level = [toc for toc in tags.getall("CTOC") if toc.flags & CTOCFlags.TOP_LEVEL]
    if top_level:
        ordered = [frames[i] for i in top_level[0].child_element_ids if i in frames]
    else:
        ordered = sorted(frames.values(), key=lambda frame: frame.start_time)
    chapters = []
    for number, frame in enumerate(ordered, start=1):
        titles = frame.sub_frames.getall("TIT2")
        links = frame.sub_frames.getall("WXXX")
        start, end = frame.start_time / 1000, frame.end_time / 1000
        chapters.append(
            Chapter(
                start=start,
                title=str(titles[0].text[0]) if titles and titles[0].text else f"Chapter {number}",
                end=end if end > start else None,
                url=str(links[0].url) if links else None,
            )
        )
    return chapters


def _vorbis_chapters(path: Path, tags: Any) -> list[Chapter]:
    """The CHAPTERnnn=HH:MM:SS.mmm / CHAPTERnnnNAME convention of Ogg and FLAC comments."""
    chapters = []
    for key in tags.keys():  # noqa: SIM118 - VCommentDict iterates (key, value) pairs
        if not _CHAPTER_KEY.fullmatch(key):
            continue
        value = str(tags[key][0]).strip()
        time = _CHAPTER_TIME.fullmatch(value)
        if time is None:
            raise _error(
                path,
                f"The chapter time '{value}' is not a time like 00:01:30.000; "
                "fix the chapter tag in the audio file.",
                field=key.upper(),
            )
        hours, minutes, seconds = time.groups()
        names, urls = tags.get(f"{key}name"), tags.get(f"{key}url")
        chapters.append(
            Chapter(
                start=int(hours) * 3600 + int(minutes) * 60 + float(seconds),
                title=str(names[0]) if names else f"Chapter {int(key[7:])}",
                url=str(urls[0]) if urls else None,
            )
        )
    return sorted(chapters, key=lambda chapter: chapter.start)


# --- cover art --------------------------------------------------------------------------


def _cover(path: Path, audio_format: AudioFormat, audio: Any) -> CoverArt | None:
    pictures: list[tuple[int, str, bytes]]  # (picture type, declared MIME type, data)
    if audio_format is MP3_FORMAT:
        frames = audio.tags.getall("APIC") if audio.tags is not None else []
        pictures = [
            (int(f.type), _ID3_PICTURE_TYPES.get(f.mime, str(f.mime)), bytes(f.data))
            for f in frames
            if f.mime != "-->"
        ]
    elif audio_format is M4A_FORMAT:
        covers = audio.tags.get("covr", []) if audio.tags is not None else []
        pictures = [(FRONT_COVER, _mp4_cover_mime(c), bytes(c)) for c in covers]
    elif audio_format is FLAC_FORMAT:
        pictures = [(int(p.type), str(p.mime), bytes(p.data)) for p in audio.pictures]
    else:
        pictures = _ogg_pictures(path, audio.tags.get("metadata_block_picture", []))
    if not pictures:
        return None
    _, declared, data = next((p for p in pictures if p[0] == FRONT_COVER), pictures[0])
    return CoverArt(mime_type=_image_mime(data) or declared.lower(), size=len(data))


# ID3v2.2's image formats, as mutagen's update to 2.4 turns them into MIME types
_ID3_PICTURE_TYPES = {"PNG": "image/png", "JPG": "image/jpeg"}


def _mp4_cover_mime(cover: Any) -> str:
    return "image/png" if cover.imageformat == MP4Cover.FORMAT_PNG else "image/jpeg"


def _ogg_pictures(path: Path, encoded: Iterable[str]) -> list[tuple[int, str, bytes]]:
    pictures = []
    for value in encoded:
        try:
            data = base64.b64decode(value, validate=True)
            picture = Picture(data)  # type: ignore[no-untyped-call]
        except (binascii.Error, mutagen.MutagenError):
            raise _error(
                path,
                "The cover picture embedded in this file is damaged; embed the artwork "
                "again, or remove it.",
                field="METADATA_BLOCK_PICTURE",
            ) from None
        pictures.append((int(picture.type), str(picture.mime), bytes(picture.data)))
    return pictures


def _image_mime(data: bytes) -> str | None:
    """Trust the picture's own bytes over the tag, which taggers often get wrong."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def read_audio(
    episodes: tuple[Episode, ...],
    problems: list[Problem],
    progress: Callable[[int, int, str], None] | None = None,
    reader: Callable[[Path], AudioInfo] = read_audio_info,
) -> tuple[Episode, ...]:
    """Each episode with its audio facts and chapters; unreadable files go to `problems`."""
    result: list[Episode] = []
    for done, episode in enumerate(episodes):
        if progress:
            progress(done, len(episodes), "reading audio")
        try:
            audio = remote_audio_info(episode) if episode.audio_url else reader(episode.audio_path)
            chapters = (
                with_ends(read_chapters_file(episode.chapters_file), audio.duration)
                if episode.chapters_file
                else audio.chapters
            )
        except (AudioError, ContentError) as error:
            # The audio file's path names the episode folder as well as the file.
            problems += error.problems
            result.append(episode)  # kept without audio, so later checks still see it
            continue
        result.append(replace(episode, audio=audio, chapters=chapters))
    return tuple(result)
