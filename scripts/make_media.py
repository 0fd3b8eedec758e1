#!/usr/bin/env python3
"""Make podfeed's stand-in audio, artwork and audio test fixtures, reproducibly.

The series' real recordings are not available, so every episode gets a short
synthesised stand-in (espeak-ng speech, encoded by ffmpeg, tagged by mutagen) that
podfeed can publish like the real thing: exact sizes, durations, chapters, cover art
and a transcript. Running the script twice gives byte-identical files on the same
toolchain (espeak-ng, ffmpeg/LAME/libopus/libvorbis, Pillow, zlib and libjpeg
versions); `--check` regenerates into a temporary folder and compares.

Usage (from anywhere; paths are relative to the repository):

    python scripts/make_media.py            # write artwork, episode audio, fixtures
    python scripts/make_media.py --check    # report whether committed files match

Needs: espeak-ng and ffmpeg on PATH (Debian: apt-get install espeak-ng ffmpeg),
Pillow, mutagen and PyYAML (pip install -e '.[media]').
"""

from __future__ import annotations

import argparse
import base64
import filecmp
import io
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

try:
    import yaml
    from mutagen.flac import FLAC, Picture
    from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TPE1, TRCK, CTOCFlags
    from mutagen.mp4 import MP4, MP4Cover
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis
    from PIL import Image, ImageDraw, ImageFont
except ImportError as missing:  # pragma: no cover - depends on the machine
    sys.exit(
        f"make_media: the Python package {missing.name!r} is missing; "
        "install it with: pip install mutagen Pillow PyYAML"
    )

REPO = Path(__file__).resolve().parent.parent
SERIES = "Providers Deliver: Tackling the care backlog"
PUBLISHER = "NHS Providers"
NHS_BLUE = (0, 94, 184)  # #005EB8
WHITE = (255, 255, 255)

RATE = 22050  # espeak-ng's native rate; every stand-in keeps it (Opus excepted)
VOICE = ("-v", "en-gb", "-s", "160")
SEGMENT_GAP = 0.6  # seconds of silence between chapters
BITEXACT = ("-fflags", "+bitexact", "-flags:a", "+bitexact")

RECORDING_NOTE = (
    "This recording is a synthesised stand-in for the original episode, "
    "made so that podfeed has real audio to publish."
)


@dataclass(frozen=True)
class Segment:
    title: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Mark:
    """A span of the speech, in samples at RATE: a chapter or a transcript cue."""

    start: int
    end: int
    text: str

    @property
    def start_ms(self) -> int:
        return round(self.start * 1000 / RATE)

    @property
    def end_ms(self) -> int:
        return round(self.end * 1000 / RATE)


@dataclass(frozen=True)
class Speech:
    pcm: bytes  # 16-bit mono at RATE
    chapters: tuple[Mark, ...]
    cues: tuple[Mark, ...]


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str
    album: str
    date: str  # YYYY-MM-DD
    track: int
    tracks: int
    comment: str


@dataclass(frozen=True)
class Cover:
    mime: str
    data: bytes
    size: int  # square side in pixels


def no_padding(info: object) -> int:
    """mutagen's default padding depends on the file; none keeps files small and stable."""
    return 0


# --- tools ------------------------------------------------------------------------------


def require_tools() -> None:
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        sys.exit(
            f"make_media: {' and '.join(missing)} not found on PATH; "
            "install with: apt-get install espeak-ng ffmpeg"
        )


def run(command: Sequence[str], stdin: str | None = None) -> None:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"make_media: {command[0]} failed:\n{' '.join(command)}\n{result.stderr}")


# --- speech -----------------------------------------------------------------------------


def speak(sentence: str, workdir: Path) -> bytes:
    wav_path = workdir / "sentence.wav"
    run(["espeak-ng", *VOICE, "-w", str(wav_path), "--stdin"], stdin=sentence)
    with wave.open(str(wav_path), "rb") as wav:
        if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, RATE):
            sys.exit(f"make_media: espeak-ng gave unexpected audio: {wav.getparams()}")
        return wav.readframes(wav.getnframes())


def synthesise(segments: Sequence[Segment], workdir: Path) -> Speech:
    """Speak sentence by sentence so chapters and cues get exact sample times."""
    pcm = bytearray()
    starts: list[tuple[int, str]] = []
    cues: list[Mark] = []
    for index, segment in enumerate(segments):
        if index:
            pcm += bytes(2 * round(SEGMENT_GAP * RATE))
        starts.append((len(pcm) // 2, segment.title))
        for sentence in segment.sentences:
            start = len(pcm) // 2
            pcm += speak(sentence, workdir)
            cues.append(Mark(start, len(pcm) // 2, sentence))
    ends = [start for start, _ in starts[1:]] + [len(pcm) // 2]
    chapters = tuple(
        Mark(start, end, title) for (start, title), end in zip(starts, ends, strict=True)
    )
    return Speech(bytes(pcm), chapters, tuple(cues))


def sentences(text: str) -> tuple[str, ...]:
    return tuple(re.split(r"(?<=[.!?])\s+", " ".join(text.split())))


def write_wav(speech: Speech, path: Path) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(speech.pcm)


def encode(wav: Path, out: Path, codec: Sequence[str], chapters: Sequence[Mark] = ()) -> None:
    """Encode with ffmpeg's bit-exact flags so reruns give the same bytes.

    Chapters go in here only for MP4, whose chapters mutagen cannot write.
    """
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav)]
    mapping = ["-map_metadata", "-1"]
    if chapters:
        meta = wav.with_suffix(".ffmeta")
        meta.write_text(ffmetadata_chapters(chapters), encoding="utf-8")
        command += ["-i", str(meta)]
        # "-map_metadata -1" would also blank the chapter titles; the WAV has no tags anyway.
        mapping = ["-map", "0:a", "-map_chapters", "1"]
    command += [*BITEXACT, *mapping, *codec, str(out)]
    run(command)


def ffmetadata_chapters(chapters: Sequence[Mark]) -> str:
    lines = [";FFMETADATA1"]
    for chapter in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={chapter.start_ms}"]
        lines += [f"END={chapter.end_ms}", f"title={chapter.text}"]
    return "\n".join(lines) + "\n"


def clock(ms: int) -> str:
    """HH:MM:SS.mmm, the form both WebVTT and Vorbis-comment chapters use."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def webvtt(speech: Speech) -> str:
    blocks = ["WEBVTT"]
    for number, cue in enumerate(speech.cues, start=1):
        blocks.append(f"{number}\n{clock(cue.start_ms)} --> {clock(cue.end_ms)}\n{cue.text}")
    return "\n\n".join(blocks) + "\n"


# --- tags -------------------------------------------------------------------------------


def tag_mp3(path: Path, tags: Tags, cover: Cover, chapters: Sequence[Mark]) -> None:
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    id3.add(TPE1(encoding=3, text=[tags.artist]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    id3.add(TDRC(encoding=3, text=[tags.date]))
    id3.add(TRCK(encoding=3, text=[f"{tags.track}/{tags.tracks}"]))
    id3.add(COMM(encoding=3, lang="eng", desc="", text=[tags.comment]))
    id3.add(APIC(encoding=3, mime=cover.mime, type=3, desc="Cover", data=cover.data))
    ids = [f"chp{index}" for index in range(len(chapters))]
    id3.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text=["Chapters"])],
        )
    )
    for element_id, chapter in zip(ids, chapters, strict=True):
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=3, text=[chapter.text])],
            )
        )
    id3.save(path, v1=0, v2_version=4, padding=no_padding)


def tag_m4a(path: Path, tags: Tags, cover: Cover) -> None:
    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    assert audio.tags is not None
    audio.tags.update(
        {
            "\xa9nam": [tags.title],
            "\xa9ART": [tags.artist],
            "\xa9alb": [tags.album],
            "\xa9day": [tags.date],
            "\xa9cmt": [tags.comment],
            "trkn": [(tags.track, tags.tracks)],
            "covr": [MP4Cover(cover.data, imageformat=image_format(cover))],
        }
    )
    audio.save(padding=no_padding)


def image_format(cover: Cover) -> int:
    return MP4Cover.FORMAT_PNG if cover.mime == "image/png" else MP4Cover.FORMAT_JPEG


def flac_picture(cover: Cover) -> Picture:
    picture = Picture()
    picture.type = 3
    picture.mime = cover.mime
    picture.desc = "Cover"
    picture.width = picture.height = cover.size
    picture.depth = 24
    picture.data = cover.data
    return picture


def vorbis_comments(tags: Tags, chapters: Sequence[Mark]) -> dict[str, list[str]]:
    comments = {
        "TITLE": [tags.title],
        "ARTIST": [tags.artist],
        "ALBUM": [tags.album],
        "DATE": [tags.date],
        "TRACKNUMBER": [str(tags.track)],
        "TRACKTOTAL": [str(tags.tracks)],
        "COMMENT": [tags.comment],
    }
    for number, chapter in enumerate(chapters, start=1):
        comments[f"CHAPTER{number:03d}"] = [clock(chapter.start_ms)]
        comments[f"CHAPTER{number:03d}NAME"] = [chapter.text]
    return comments


def tag_ogg(path: Path, tags: Tags, cover: Cover, chapters: Sequence[Mark]) -> None:
    audio = OggOpus(path) if path.suffix == ".opus" else OggVorbis(path)
    assert audio.tags is not None
    audio.tags.clear()
    for key, values in vorbis_comments(tags, chapters).items():
        audio.tags[key] = values
    picture = base64.b64encode(flac_picture(cover).write()).decode("ascii")
    audio.tags["METADATA_BLOCK_PICTURE"] = [picture]
    audio.save(padding=no_padding)


def tag_flac(path: Path, tags: Tags, cover: Cover, chapters: Sequence[Mark]) -> None:
    audio = FLAC(path)
    if audio.tags is None:
        audio.add_tags()
    assert audio.tags is not None
    audio.tags.clear()
    for key, values in vorbis_comments(tags, chapters).items():
        audio.tags[key] = values
    audio.clear_pictures()
    audio.add_picture(flac_picture(cover))
    audio.save(padding=no_padding)


# --- artwork ----------------------------------------------------------------------------


def make_artwork() -> Image.Image:
    """Pillow's built-in font, so the picture is the same on machines without DejaVu."""
    side, margin = 1400, 120
    image = Image.new("RGB", (side, side), NHS_BLUE)
    draw = ImageDraw.Draw(image)

    def text(y: int, words: str, size: int) -> int:
        font = ImageFont.load_default(size=size)
        draw.text((margin, y), words, font=font, fill=WHITE)
        right, bottom = draw.textbbox((margin, y), words, font=font)[2:]
        assert right <= side - margin, f"artwork text too wide: {words!r}"
        return round(bottom)

    y = text(250, "Providers", 210)
    y = text(y + 30, "Deliver", 210)
    draw.rectangle((margin, y + 70, margin + 260, y + 90), fill=WHITE)
    y = text(y + 150, "Tackling the", 112)
    text(y + 25, "care backlog", 112)
    text(side - margin - 80, "NHS Providers podcast", 72)
    return image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def cover_art(artwork: Image.Image, size: int, mime: str) -> Cover:
    small = artwork.resize((size, size), Image.Resampling.LANCZOS)
    if mime == "image/png":
        return Cover(mime, png_bytes(small), size)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=85, optimize=True)
    return Cover(mime, buffer.getvalue(), size)


# --- the show's episodes ----------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeSource:
    folder: Path  # relative to the repository
    number: int
    title: str
    summary: str
    released: str  # YYYY-MM-DD


def front_matter(path: Path) -> dict[str, object]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (s.strip() for s in lines[1:]):
        sys.exit(f"make_media: {path} has no YAML front matter between '---' lines")
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    data = yaml.safe_load("\n".join(lines[1:end]))
    if not isinstance(data, dict):
        sys.exit(f"make_media: {path}: the front matter is not a mapping")
    return data


def release_day(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)[:10]


def find_episodes(source_root: Path) -> list[EpisodeSource]:
    episodes = []
    for markdown in sorted(source_root.glob("episodes/[0-9][0-9]-*/episode.md")):
        data = front_matter(markdown)
        try:
            episodes.append(
                EpisodeSource(
                    folder=markdown.parent.relative_to(source_root),
                    number=int(str(data["number"])),
                    title=str(data["title"]).strip(),
                    summary=str(data["summary"]).strip(),
                    released=release_day(data["released"]),
                )
            )
        except KeyError as field:
            sys.exit(f"make_media: {markdown}: front matter has no {field} field")
    return episodes


def episode_segments(episode: EpisodeSource) -> list[Segment]:
    title = episode.title if episode.title[-1:] in ".!?" else episode.title + "."
    welcome = (f"{SERIES}.", f"A podcast series from {PUBLISHER}.")
    return [
        Segment("Welcome", (*welcome, f"Episode {episode.number}: {title}")),
        Segment("About this episode", sentences(episode.summary)),
        Segment("About this recording", (RECORDING_NOTE,)),
    ]


MP3_CODEC = ("-c:a", "libmp3lame", "-b:a", "32k", "-ac", "1", "-ar", str(RATE))
MP3_MUXER = ("-id3v2_version", "0", "-write_id3v1", "0", "-write_xing", "1")


def make_episode(episode: EpisodeSource, out_root: Path, cover: Cover, total: int) -> list[Path]:
    folder = out_root / episode.folder
    folder.mkdir(parents=True, exist_ok=True)
    mp3, vtt = folder / "episode.mp3", folder / "transcript.vtt"
    with tempfile.TemporaryDirectory() as tmp:
        speech = synthesise(episode_segments(episode), Path(tmp))
        wav = Path(tmp) / "episode.wav"
        write_wav(speech, wav)
        encode(wav, mp3, (*MP3_CODEC, *MP3_MUXER))
    tags = Tags(
        title=episode.title,
        artist=PUBLISHER,
        album=SERIES,
        date=episode.released,
        track=episode.number,
        tracks=total,
        comment=episode.summary,
    )
    tag_mp3(mp3, tags, cover, speech.chapters)
    vtt.write_text(webvtt(speech), encoding="utf-8", newline="\n")
    return [mp3, vtt]


# --- test fixtures ----------------------------------------------------------------------

FIXTURE_SEGMENTS = (
    Segment("Opening", ("This is podfeed test audio.",)),
    Segment("Second chapter", ("Here is the second chapter.",)),
)
FIXTURE_TAGS = Tags(
    title="podfeed test audio",
    artist="podfeed",
    album="podfeed tests",
    date="2022-05-19",
    track=1,
    tracks=2,
    comment="Synthesised speech for podfeed's audio tests.",
)
NOT_AUDIO = (
    "This is a text file, not audio. podfeed's tests use it to check that a file\n"
    "whose name ends in .mp3 must really hold MP3 audio.\n"
)


def make_fixtures(out_root: Path, artwork: Image.Image) -> list[Path]:
    data = out_root / "tests" / "data"
    data.mkdir(parents=True, exist_ok=True)
    jpeg, png = cover_art(artwork, 96, "image/jpeg"), cover_art(artwork, 96, "image/png")
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        speech = synthesise(FIXTURE_SEGMENTS, Path(tmp))
        wav = Path(tmp) / "speech.wav"
        write_wav(speech, wav)

        mp3 = data / "speech.mp3"
        encode(wav, mp3, (*MP3_CODEC, *MP3_MUXER))
        tag_mp3(mp3, FIXTURE_TAGS, jpeg, speech.chapters)

        m4a = data / "speech.m4a"
        m4a_codec = ("-c:a", "aac", "-b:a", "32k", "-movflags", "+faststart")
        encode(wav, m4a, m4a_codec, speech.chapters)
        tag_m4a(m4a, FIXTURE_TAGS, png)

        opus = data / "speech.opus"
        encode(wav, opus, ("-c:a", "libopus", "-b:a", "24k"))
        tag_ogg(opus, FIXTURE_TAGS, jpeg, speech.chapters)

        ogg = data / "speech.ogg"
        encode(wav, ogg, ("-c:a", "libvorbis", "-b:a", "32k"))
        tag_ogg(ogg, FIXTURE_TAGS, png, speech.chapters)

        flac = data / "speech.flac"
        encode(wav, flac, ("-c:a", "flac", "-ar", "16000", "-compression_level", "8"))
        tag_flac(flac, FIXTURE_TAGS, png, speech.chapters)

        written += [mp3, m4a, opus, ogg, flac]
    not_audio = data / "not-audio.mp3"
    not_audio.write_text(NOT_AUDIO, encoding="utf-8", newline="\n")
    ogg_named = data / "ogg-named.mp3"
    shutil.copyfile(ogg, ogg_named)
    return [*written, not_audio, ogg_named]


# --- main -------------------------------------------------------------------------------


def make_all(source_root: Path, out_root: Path) -> list[Path]:
    artwork = make_artwork()
    out_root.mkdir(parents=True, exist_ok=True)
    artwork_path = out_root / "artwork.png"
    artwork_path.write_bytes(png_bytes(artwork))
    written = [artwork_path]
    episodes = find_episodes(source_root)
    if not episodes:
        print("make_media: no episodes/NN-*/episode.md yet, so no episode audio was made")
    cover = cover_art(artwork, 600, "image/jpeg")
    for episode in episodes:
        written += make_episode(episode, out_root, cover, len(episodes))
    written += make_fixtures(out_root, artwork)
    return [path.relative_to(out_root) for path in written]


def describe(root: Path, path: Path) -> str:
    return f"{(root / path).stat().st_size:>9,} bytes  {path}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and report whether the committed files match",
    )
    args = parser.parse_args(argv)
    require_tools()
    if not args.check:
        for path in make_all(REPO, REPO):
            print("wrote", describe(REPO, path))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        differing = 0
        for path in make_all(REPO, Path(tmp)):
            committed = REPO / path
            same = committed.is_file() and filecmp.cmp(committed, Path(tmp) / path, shallow=False)
            differing += not same
            print("matches" if same else "DIFFERS", describe(Path(tmp), path))
    if differing:
        print(f"make_media: {differing} file(s) differ; run python scripts/make_media.py")
        return 1
    print("make_media: all committed media match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
