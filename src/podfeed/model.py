"""Plain typed records passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

EPISODE_FILE = "episode.md"  # the file that makes a folder of episodes/ an episode


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter mark inside an episode; times in seconds from the start."""

    start: float
    title: str
    end: float | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class CoverArt:
    """A picture embedded in an audio file's tags: what it is, not its bytes (a build never
    needs them, and 10,000 episodes' pictures would fill the memory and the build cache)."""

    mime_type: str
    size: int  # bytes


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """Facts read from an audio file itself, never typed by hand."""

    size: int  # bytes on disk
    mime_type: str  # e.g. audio/mpeg, audio/x-m4a, audio/ogg, audio/flac
    duration: float  # seconds
    bitrate: int  # bits per second (average)
    sample_rate: int  # Hz
    channels: int
    chapters: tuple[Chapter, ...] = ()
    cover: CoverArt | None = None


@dataclass(frozen=True, slots=True)
class Cue:
    """One timed line of a transcript; times in seconds."""

    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """A transcript file beside the episode, parsed so pages can show it as text."""

    path: Path
    mime_type: str  # text/vtt or application/x-subrip
    language: str
    cues: tuple[Cue, ...]


@dataclass(frozen=True, slots=True)
class RemoteAudio:
    """Enclosure facts copied from an imported show's original feed (no local file to read)."""

    length: int  # bytes, 0 when the original feed did not say
    mime_type: str
    duration: float  # seconds, 0 when the original feed did not say


@dataclass(frozen=True, slots=True)
class TranscriptLink:
    """A transcript hosted elsewhere, as an imported feed's podcast:transcript gave it."""

    url: str
    mime_type: str
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Funding:
    """A page where listeners can support the show (podcast:funding)."""

    url: str
    text: str


@dataclass(frozen=True, slots=True)
class Show:
    """The podcast as a whole, from podcast.yaml."""

    root: Path
    title: str
    description: str
    author: str
    owner: Owner
    language: str
    category: str
    subcategory: str | None
    explicit: bool
    show_type: str  # episodic | serial
    site_url: str  # absolute, no trailing slash
    artwork: Path | None  # inside root; None when artwork_url is given instead
    copyright: str
    subtitle: str | None = None
    # The show's pages in Apple Podcasts and Spotify, once listed there.
    apple_podcasts_url: str | None = None
    spotify_url: str | None = None
    # Podcasting 2.0 (podcast: namespace); see feed_podcast.py.
    podcast_guid: str | None = None  # fixed once published; else derived from the feed URL
    locked: bool = True
    medium: str | None = None
    funding: tuple[Funding, ...] = ()
    license: str | None = None
    license_url: str | None = None
    hosts: tuple[str, ...] = ()  # person ids
    artwork_url: str | None = None  # artwork hosted elsewhere (an imported show)
    feed_episodes: int | None = None  # newest episodes the feed carries; None: all
    episodes_per_page: int = 50  # episodes the home page and each older page list
    link_audio: bool = False  # audio hard-linked into the site, not copied (see writer.Linked)


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    kind: str
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    job_title: str | None = None
    organisation: str | None = None  # organisation id
    link: str | None = None
    image: str | None = None


@dataclass(frozen=True, slots=True)
class Appearance:
    """A person taking part in an episode, in a role (host, guest, ...)."""

    person: str  # person id
    role: str


@dataclass(frozen=True, slots=True)
class Episode:
    """One episode folder: its front matter, its notes and its audio facts."""

    folder: Path
    slug: str
    title: str
    number: int
    released: datetime  # timezone-aware
    guid: str
    summary: str
    notes_markdown: str
    people: tuple[Appearance, ...]
    organisations: tuple[str, ...]  # organisation ids
    audio_path: Path
    explicit: bool
    episode_type: str  # full | trailer | bonus
    season: int | None = None
    draft: bool = False  # kept out of every output until set to false, whatever `released` says
    transcripts: tuple[Transcript, ...] = ()
    chapters_file: Path | None = None  # chapters.json beside the episode, if any
    audio: AudioInfo | None = None  # filled in by the audio stage
    # From chapters_file when there is one, else from the audio's own tags; set with `audio`.
    chapters: tuple[Chapter, ...] = ()
    # Media hosted elsewhere (an imported show; see remote.py).
    audio_url: str | None = None
    remote_audio: RemoteAudio | None = None
    chapters_url: str | None = None
    transcript_links: tuple[TranscriptLink, ...] = ()

    @property
    def source(self) -> Path:
        """The episode.md file (made when asked: 10,000 episodes' paths take room)."""
        return self.folder / EPISODE_FILE


@dataclass(frozen=True, slots=True)
class Content:
    """Everything a build reads from the show's folder, before any output is made."""

    show: Show
    people: dict[str, Person]
    organisations: dict[str, Organisation]
    episodes: tuple[Episode, ...]  # in folder order
    held_back: int = 0  # drafts and scheduled episodes left out of `episodes`


@dataclass(frozen=True, slots=True)
class PartialContent:
    """What loaded from a show with problems, so every later stage can still report its own.

    A part is None when its file failed to load.
    """

    root: Path
    show: Show | None
    people: dict[str, Person] | None
    organisations: dict[str, Organisation] | None
    episodes: tuple[Episode, ...]

    def complete(self) -> Content | None:
        if self.show is None or self.people is None or self.organisations is None:
            return None
        return Content(self.show, self.people, self.organisations, self.episodes)
