"""`podfeed tag`: label each episode's audio file the way the feed labels the episode.

A downloaded file then shows the right title, show, date, number, cover and chapters in any
player. This is the writing counterpart of `audio.py` (which only reads) and, like it,
keeps mutagen to itself. Tags are compared before anything is written, so a second run
changes nothing; a write goes to a temporary copy beside the file, which must still read
as the same audio with the same duration before it atomically replaces the original.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TPE1,
    TRCK,
    WXXX,
    CTOCFlags,
)
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover

from podfeed.audio import read_audio, read_audio_info
from podfeed.content import load_content
from podfeed.errors import AudioError, ContentError, PodfeedError, Problem
from podfeed.model import Chapter, Content, Episode, Show
from podfeed.writer import fsync_dir

GENRE = "Podcast"
FRONT_COVER = 3
DURATION_TOLERANCE = 0.001  # seconds; tags must not change the audio at all
NO_OFFSET = 0xFFFFFFFF  # ID3 CHAP: "byte offsets not given, use the times"

Progress = Callable[[int, int, str], None]  # (done, total, what)


@dataclass(frozen=True)
class Cover:
    mime_type: str
    data: bytes

    def __str__(self) -> str:
        digest = hashlib.sha256(self.data).hexdigest()[:12]
        return f"{self.mime_type}, {len(self.data)} bytes, sha256 {digest}"


@dataclass(frozen=True)
class Tags:
    """What podfeed writes, in a form that compares equal across formats."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    date: str | None = None
    track: str | None = None
    comment: str | None = None
    genre: str | None = None
    cover: Cover | None = None
    chapters: tuple[tuple[int, int, str, str | None], ...] = ()  # start ms, end ms, title, url

    def show(self, name: str) -> str:
        value = getattr(self, name)
        if value is None or value == ():
            return "(none)"
        if name == "chapters":
            return "; ".join(f"{_clock(start)} {title}" for start, _, title, _ in value)
        return str(value)


FIELDS = ("title", "artist", "album", "date", "track", "comment", "genre", "cover", "chapters")


@dataclass(frozen=True)
class TagChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class TagResult:
    episode: Episode
    path: Path
    changes: tuple[TagChange, ...]
    written: bool


def wanted_tags(show: Show, episode: Episode) -> Tags:
    data = show.artwork.read_bytes() if show.artwork else None
    return Tags(
        title=episode.title,
        artist=show.author,
        album=show.title,
        date=episode.released.date().isoformat(),
        track=str(episode.number),
        comment=episode.summary,
        genre=GENRE,
        cover=Cover(_image_mime(data), data) if data else None,
        chapters=_chapter_marks(episode.chapters),
    )


def _chapter_marks(chapters: tuple[Chapter, ...]) -> tuple[tuple[int, int, str, str | None], ...]:
    marks = []
    for chapter in chapters:
        end = chapter.end if chapter.end is not None else chapter.start
        marks.append((round(chapter.start * 1000), round(end * 1000), chapter.title, chapter.url))
    return tuple(marks)


def tag_show(
    root: Path, dry_run: bool = False, progress: Progress | None = None
) -> list[TagResult]:
    """Tag every episode's audio; problems with some files do not stop the others."""
    content = load_content(root.absolute())
    problems: list[Problem] = []
    results = []
    local = [e for e in content.episodes if e.audio_url is None]  # remote files are not ours
    total = len(local)
    for done, episode in enumerate(local):
        if progress:
            progress(done, total, episode.audio_path.name)
        try:
            unreadable: list[Problem] = []
            (read,) = read_audio((episode,), unreadable)
            if unreadable:
                raise ContentError(unreadable)
            results.append(tag_episode(content, read, dry_run))
        except PodfeedError as error:
            problems += error.problems
    if progress:
        progress(total, total, "")
    if problems:
        raise ContentError(problems)
    return results


def tag_episode(content: Content, episode: Episode, dry_run: bool = False) -> TagResult:
    path = episode.audio_path
    adapter = _adapter(path)
    wanted = adapter.storable(wanted_tags(content.show, episode))
    current = adapter.read(_open(path))
    changes = tuple(
        TagChange(name, current.show(name), wanted.show(name))
        for name in FIELDS
        if getattr(current, name) != getattr(wanted, name)
    )
    if not changes or dry_run:
        return TagResult(episode, path, changes, written=False)
    _write_safely(path, adapter, wanted)
    return TagResult(episode, path, changes, written=True)


def _write_safely(path: Path, adapter: _Adapter, wanted: Tags) -> None:
    before = read_audio_info(path)
    handle, name = tempfile.mkstemp(
        prefix=f".{path.stem}.podfeed-tag-", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    temp = Path(name)
    try:
        shutil.copyfile(path, temp)
        shutil.copymode(path, temp)
        audio = _open(temp)
        adapter.write(audio, wanted)
        audio.save()
        with temp.open("rb+") as file:
            os.fsync(file.fileno())
        after = read_audio_info(temp)
        if abs(after.duration - before.duration) > DURATION_TOLERANCE:
            raise AudioError.single(
                path,
                f"Tagging changed the audio's length from {before.duration:.3f} to "
                f"{after.duration:.3f} seconds, so the file was left as it was.",
            )
        if adapter.read(_open(temp)) != wanted:
            raise AudioError.single(
                path, "The tags did not read back as written, so the file was left as it was."
            )
        os.replace(temp, path)
        fsync_dir(path.parent)
    finally:
        temp.unlink(missing_ok=True)


def _open(path: Path) -> Any:
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError) as error:
        raise AudioError.single(
            path, f"podfeed could not open this file to tag it ({error})."
        ) from None
    if audio is None:
        raise AudioError.single(path, "This is not an audio file podfeed can tag.")
    return audio


# --- formats ------------------------------------------------------------------------------


class _Adapter:
    def storable(self, tags: Tags) -> Tags:
        """`tags` as this format can hold them, so what is read back compares equal."""
        return tags

    def read(self, audio: Any) -> Tags:
        raise NotImplementedError

    def write(self, audio: Any, tags: Tags) -> None:
        raise NotImplementedError


class _ID3Adapter(_Adapter):
    """MP3: ID3v2.4 text frames, a front-cover APIC and CHAP/CTOC chapters."""

    def read(self, audio: Any) -> Tags:
        tags = audio.tags
        if tags is None:
            return Tags()

        def text(frame_id: str) -> str | None:
            frame = tags.get(frame_id)
            return str(frame.text[0]) if frame is not None and frame.text else None

        comments = [c for c in tags.getall("COMM") if c.desc == ""]
        covers = [p for p in tags.getall("APIC") if p.type == FRONT_COVER]
        toc = [t for t in tags.getall("CTOC") if t.flags & CTOCFlags.TOP_LEVEL]
        frames = {c.element_id: c for c in tags.getall("CHAP")}
        order = toc[0].child_element_ids if toc else sorted(frames)
        chapters = []
        for element_id in order:
            chap = frames.get(element_id)
            if chap is None:
                continue
            titles = chap.sub_frames.getall("TIT2")
            links = chap.sub_frames.getall("WXXX")
            chapters.append(
                (
                    int(chap.start_time),
                    int(chap.end_time),
                    str(titles[0].text[0]) if titles else "",
                    str(links[0].url) if links else None,
                )
            )
        return Tags(
            title=text("TIT2"),
            artist=text("TPE1"),
            album=text("TALB"),
            date=text("TDRC"),
            track=text("TRCK"),
            comment=str(comments[0].text[0]) if comments and comments[0].text else None,
            genre=text("TCON"),
            cover=Cover(str(covers[0].mime), bytes(covers[0].data)) if covers else None,
            chapters=tuple(chapters),
        )

    def write(self, audio: Any, tags: Tags) -> None:
        if audio.tags is None:
            audio.add_tags()
        id3: ID3 = audio.tags
        for frame_id in ("TIT2", "TPE1", "TALB", "TDRC", "TRCK", "TCON", "APIC", "CHAP", "CTOC"):
            id3.delall(frame_id)
        for comment in [c for c in id3.getall("COMM") if c.desc == ""]:
            id3.delall(comment.HashKey)
        id3.add(TIT2(encoding=3, text=[tags.title]))
        id3.add(TPE1(encoding=3, text=[tags.artist]))
        id3.add(TALB(encoding=3, text=[tags.album]))
        id3.add(TDRC(encoding=3, text=[tags.date]))
        id3.add(TRCK(encoding=3, text=[tags.track]))
        id3.add(TCON(encoding=3, text=[tags.genre]))
        id3.add(COMM(encoding=3, lang="eng", desc="", text=[tags.comment]))
        if tags.cover:
            id3.add(
                APIC(
                    encoding=3,
                    mime=tags.cover.mime_type,
                    type=FRONT_COVER,
                    desc="Cover",
                    data=tags.cover.data,
                )
            )
        ids = [f"chp{index}" for index in range(len(tags.chapters))]
        for element_id, (start, end, title, url) in zip(ids, tags.chapters, strict=True):
            sub_frames: list[Any] = [TIT2(encoding=3, text=[title])]
            if url:
                sub_frames.append(WXXX(encoding=3, desc="", url=url))
            id3.add(
                CHAP(
                    element_id=element_id,
                    start_time=start,
                    end_time=end,
                    start_offset=NO_OFFSET,
                    end_offset=NO_OFFSET,
                    sub_frames=sub_frames,
                )
            )
        if ids:
            id3.add(
                CTOC(
                    element_id="toc",
                    flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                    child_element_ids=ids,
                    sub_frames=[TIT2(encoding=3, text=["Chapters"])],
                )
            )


class _MP4Adapter(_Adapter):
    """M4A: iTunes atoms. mutagen cannot write MP4 chapters, so none are written."""

    def storable(self, tags: Tags) -> Tags:
        return replace(tags, chapters=())

    def read(self, audio: Any) -> Tags:
        tags = audio.tags or {}

        def text(atom: str) -> str | None:
            values = tags.get(atom)
            return str(values[0]) if values else None

        track = tags.get("trkn")
        covers = tags.get("covr") or []
        cover = None
        if covers:
            mime = "image/png" if covers[0].imageformat == MP4Cover.FORMAT_PNG else "image/jpeg"
            cover = Cover(mime, bytes(covers[0]))
        return Tags(
            title=text("\xa9nam"),
            artist=text("\xa9ART"),
            album=text("\xa9alb"),
            date=text("\xa9day"),
            track=str(track[0][0]) if track else None,
            comment=text("\xa9cmt"),
            genre=text("\xa9gen"),
            cover=cover,
        )

    def write(self, audio: Any, tags: Tags) -> None:
        if audio.tags is None:
            audio.add_tags()
        audio.tags["\xa9nam"] = [tags.title]
        audio.tags["\xa9ART"] = [tags.artist]
        audio.tags["\xa9alb"] = [tags.album]
        audio.tags["\xa9day"] = [tags.date]
        audio.tags["trkn"] = [(int(tags.track or 0), 0)]
        audio.tags["\xa9cmt"] = [tags.comment]
        audio.tags["\xa9gen"] = [tags.genre]
        if tags.cover:
            image_format = (
                MP4Cover.FORMAT_PNG if tags.cover.mime_type == "image/png" else MP4Cover.FORMAT_JPEG
            )
            audio.tags["covr"] = [MP4Cover(tags.cover.data, imageformat=image_format)]


_VORBIS_KEYS = {
    "title": "TITLE",
    "artist": "ARTIST",
    "album": "ALBUM",
    "date": "DATE",
    "track": "TRACKNUMBER",
    "comment": "COMMENT",
    "genre": "GENRE",
}


class _VorbisAdapter(_Adapter):
    """Ogg Vorbis, Ogg Opus and FLAC: Vorbis comments with CHAPTERnnn chapter marks;
    the cover is a FLAC picture block, or METADATA_BLOCK_PICTURE in an Ogg file."""

    def storable(self, tags: Tags) -> Tags:
        """Vorbis chapter marks have a start but no end."""
        return replace(tags, chapters=tuple((s, s, t, u) for s, _, t, u in tags.chapters))

    def read(self, audio: Any) -> Tags:
        tags = audio.tags
        if tags is None:
            return Tags()
        values = {
            name: (str(tags[key][0]) if key in tags else None) for name, key in _VORBIS_KEYS.items()
        }
        return Tags(**values, cover=self._cover(audio), chapters=self._chapters(tags))

    @staticmethod
    def _cover(audio: Any) -> Cover | None:
        if isinstance(audio, FLAC):
            pictures = list(audio.pictures)
        else:
            pictures = [
                Picture(base64.b64decode(value))
                for value in audio.tags.get("METADATA_BLOCK_PICTURE", [])
            ]
        front = [p for p in pictures if p.type == FRONT_COVER]
        return Cover(str(front[0].mime), bytes(front[0].data)) if front else None

    @staticmethod
    def _chapters(tags: Any) -> tuple[tuple[int, int, str, str | None], ...]:
        marks = []
        number = 1
        while f"CHAPTER{number:03d}" in tags:
            key = f"CHAPTER{number:03d}"
            start = _parse_clock(str(tags[key][0]))
            names, urls = tags.get(key + "NAME"), tags.get(key + "URL")
            title = str(names[0]) if names else ""
            marks.append((start, start, title, str(urls[0]) if urls else None))
            number += 1
        return tuple(marks)

    def write(self, audio: Any, tags: Tags) -> None:
        if audio.tags is None:
            audio.add_tags()
        comments = audio.tags
        for name, key in _VORBIS_KEYS.items():
            comments[key] = [getattr(tags, name)]
        for key in [k for k in comments.keys() if k.upper().startswith("CHAPTER")]:  # noqa: SIM118
            del comments[key]
        for number, (start, _, title, url) in enumerate(tags.chapters, start=1):
            comments[f"CHAPTER{number:03d}"] = [_clock(start)]
            comments[f"CHAPTER{number:03d}NAME"] = [title]
            if url:
                comments[f"CHAPTER{number:03d}URL"] = [url]
        if tags.cover:
            picture = Picture()
            picture.type = FRONT_COVER
            picture.mime = tags.cover.mime_type
            picture.desc = "Cover"
            picture.data = tags.cover.data
            picture.width, picture.height = _png_size(tags.cover.data)
            if isinstance(audio, FLAC):
                audio.clear_pictures()
                audio.add_picture(picture)
            else:
                comments["METADATA_BLOCK_PICTURE"] = [
                    base64.b64encode(picture.write()).decode("ascii")
                ]


def _adapter(path: Path) -> _Adapter:
    audio = _open(path)
    if isinstance(audio, MP3):
        return _ID3Adapter()
    if isinstance(audio, MP4):
        return _MP4Adapter()
    return _VorbisAdapter()


def _clock(milliseconds: int) -> str:
    seconds, ms = divmod(milliseconds, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"


def _parse_clock(value: str) -> int:
    hours, minutes, seconds = value.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


def _image_mime(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG\r\n\x1a\n") else "image/jpeg"


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; 0, 0 (unknown) for other images."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0
