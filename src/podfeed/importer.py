"""`podfeed import`: turn a podcast's existing RSS feed into a podfeed show folder.

Everything subscribers already rely on is kept: each episode's GUID (verbatim, so no app
downloads an episode twice), its release time, and (unless `--download`) its audio, artwork,
chapters and transcripts at their old addresses, with the enclosure's size, type and
duration taken from the original feed (see remote.py). Show notes are sanitised and turned
from HTML into Markdown. The show is written to a hidden folder and renamed into place
when complete, so a failed import leaves nothing half-made.
"""

from __future__ import annotations

import email.utils
import json
import mimetypes
import os
import re
import shutil
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import nh3
import yaml
from lxml import etree
from markdownify import markdownify

from podfeed.content import EPISODES_DIR, ORGANISATIONS_FILE, PEOPLE_FILE, SHOW_FILE
from podfeed.content import guid as strict_guid
from podfeed.errors import PodfeedError, Problem
from podfeed.fields import FieldError
from podfeed.model import EPISODE_FILE
from podfeed.scaffold import slugify
from podfeed.standards import APPLE_CATEGORIES

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
PODCAST_NAMESPACES = (
    "https://podcastindex.org/namespace/1.0",
    # The pre-2021 URI, still used by many feeds (and the only one gPodder knows).
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
)
NOTES_TAGS = {
    "a", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "strong", "ul",
}  # fmt: skip
ROLES = {"host": "host", "cohost": "co-host", "co-host": "co-host", "guest": "guest"}
TRANSCRIPT_SUFFIXES = {
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "application/srt": ".srt",
}
ARTWORK_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg"}
TIMEOUT = 60  # seconds per download

Progress = Callable[[int, int, str], None]
Fetch = Callable[[str], bytes]


class FeedImportError(PodfeedError):
    """The feed cannot be read or turned into a show."""


@dataclass(frozen=True)
class ImportResult:
    root: Path
    episodes: int
    people: int
    warnings: tuple[Problem, ...]


@dataclass
class _Person:
    id: str
    name: str
    link: str | None = None
    image: str | None = None


@dataclass
class _Episode:
    guid: str
    title: str
    released: datetime
    season: int | None
    number: int | None
    summary: str
    notes: str
    audio_url: str
    length: int
    mime_type: str
    duration: float
    explicit: bool | None
    episode_type: str
    people: list[tuple[str, str]] = field(default_factory=list)  # (person id, role)
    chapters_url: str | None = None
    transcripts: list[dict[str, str]] = field(default_factory=list)


def fetch_url(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "podfeed-import"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        data: bytes = response.read()
        return data


def import_feed(
    source: str,
    target: Path,
    *,
    site_url: str | None = None,
    owner_email: str | None = None,
    download: bool = False,
    progress: Progress | None = None,
    fetch: Fetch = fetch_url,
) -> ImportResult:
    """Read the feed at `source` (a path or URL) and write a show folder at `target`."""
    where = Path(source) if not _is_web(source) else Path(urlsplit(source).path.split("/")[-1])
    target = target.absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FeedImportError.single(
            target, "already exists and is not empty; import into a new folder."
        )
    data = _read_source(source, fetch)
    warnings: list[Problem] = []
    channel = _parse(data, where, warnings)
    importer = _Importer(channel, where, warnings)
    show = importer.show(site_url, owner_email)
    episodes = importer.episodes(progress)
    if not episodes:
        raise FeedImportError.single(where, "has no episodes with audio (no <enclosure>).")
    _write_show(target, show, episodes, importer.people, download, fetch, progress, warnings)
    return ImportResult(target, len(episodes), len(importer.people), tuple(warnings))


def _is_web(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def _read_source(source: str, fetch: Fetch) -> bytes:
    if _is_web(source):
        try:
            return fetch(source)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise FeedImportError.single(
                Path(source), f"could not be downloaded ({error}); check the address."
            ) from None
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FeedImportError.single(path, "does not exist; give the feed's file or URL.") from None
    except OSError as error:
        raise FeedImportError.single(path, f"cannot be read ({error.strerror}).") from None


def _parse(data: bytes, where: Path, warnings: list[Problem]) -> Any:
    """Strict XML, with one forgiven mistake: blank lines before the XML declaration."""
    bom = b"\xef\xbb\xbf"
    body = data[len(bom) :] if data.startswith(bom) else data
    stripped = body.lstrip(b" \t\r\n")
    if stripped is not body and stripped.startswith(b"<?xml") and len(stripped) < len(body):
        lines = body[: len(body) - len(stripped)].count(b"\n")
        warnings.append(
            Problem(
                where,
                f"starts with {lines} blank line{'s' if lines != 1 else ''} before the XML "
                "declaration, which some podcast apps (gPodder) refuse; podfeed ignored "
                f"{'them' if lines != 1 else 'it'}.",
                line=1,
            )
        )
        body = stripped
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        message = re.sub(r", line \d+, column \d+$", "", error.msg or str(error))
        line, column = error.position if error.position else (None, None)
        raise FeedImportError(
            [
                Problem(
                    where,
                    f"is not well-formed XML: {message} (column {column}). Podcast apps "
                    "refuse such a feed too; ask its host to fix it, or correct the file.",
                    line=line,
                )
            ]
        ) from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise FeedImportError.single(
            where, f"is not an RSS podcast feed (its root element is <{root.tag}>, not <rss>)."
        )
    return channel


class _Importer:
    def __init__(self, channel: Any, where: Path, warnings: list[Problem]) -> None:
        self.channel = channel
        self.where = where
        self.warnings = warnings
        self.people: dict[str, _Person] = {}
        self._person_ids: dict[tuple[str, str | None], str] = {}

    # --- lookups in every podcast: namespace -------------------------------------------

    @staticmethod
    def _podcast_all(element: Any, tag: str) -> list[Any]:
        found: list[Any] = []
        for namespace in PODCAST_NAMESPACES:
            found += element.findall(f"{{{namespace}}}{tag}")
        return found

    @staticmethod
    def _text(element: Any, path: str) -> str:
        return " ".join((element.findtext(path) or "").split())

    @staticmethod
    def _itunes(element: Any, tag: str) -> str:
        return (element.findtext(f"{{{ITUNES}}}{tag}") or "").strip()

    # --- the show ----------------------------------------------------------------------

    def show(self, site_url: str | None, owner_email: str | None) -> dict[str, Any]:
        channel = self.channel
        title = _plain_text(self._text(channel, "title"))
        if not title:
            raise FeedImportError.single(self.where, "has no <title> for the show.")
        description = _plain_text(
            channel.findtext("description") or self._itunes(channel, "summary") or title
        )
        author = (
            _plain_text(self._itunes(channel, "author") or self._text(channel, "managingEditor"))
            or title
        )
        owner = channel.find(f"{{{ITUNES}}}owner")
        owner_name = _plain_text(self._itunes(owner, "name")) if owner is not None else ""
        email = (self._itunes(owner, "email") if owner is not None else "") or owner_email
        if not email:
            self.warnings.append(
                Problem(
                    self.where,
                    "gives no owner e-mail (itunes:owner); add owner: email: to "
                    f"{SHOW_FILE} before building, or import with --owner-email.",
                )
            )
        link = self._text(channel, "link")
        chosen_site = site_url or link
        if not chosen_site or urlsplit(chosen_site).scheme != "https":
            raise FeedImportError.single(
                self.where,
                f"gives the website '{link or '(none)'}', which is not an https:// address; "
                "import with --site-url and the address the new site will have.",
            )
        category, subcategory = self._category()
        image = channel.find(f"{{{ITUNES}}}image")
        artwork = (image.get("href") if image is not None else None) or self._text(
            channel, "image/url"
        )
        if not artwork:
            raise FeedImportError.single(self.where, "has no show artwork (itunes:image).")
        show: dict[str, Any] = {
            "title": title,
            "subtitle": self._itunes(channel, "subtitle").replace("\n", " ") or None,
            "description": description,
            "author": author,
            "owner": {"name": owner_name or author, "email": email},
            "language": _language(self._text(channel, "language")),
            "category": category,
            "subcategory": subcategory,
            "explicit": _explicit(self._itunes(channel, "explicit")) or False,
            "type": "serial" if self._itunes(channel, "type") == "serial" else "episodic",
            "site_url": chosen_site.rstrip("/"),
            "artwork": artwork,
            "copyright": self._text(channel, "copyright") or None,
        }
        return {key: value for key, value in show.items() if value is not None}

    def _category(self) -> tuple[str, str | None]:
        first = self.channel.find(f"{{{ITUNES}}}category")
        if first is None:
            self.warnings.append(
                Problem(self.where, "gives no Apple category; podfeed used 'Society & Culture'.")
            )
            return "Society & Culture", None
        sub_element = first.find(f"{{{ITUNES}}}category")
        name = first.get("text", "").strip()
        sub = sub_element.get("text", "").strip() if sub_element is not None else None
        current = LEGACY_CATEGORIES.get(name, name)
        if current not in APPLE_CATEGORIES:
            self.warnings.append(
                Problem(
                    self.where,
                    f"uses '{name}', which is not an Apple category; podfeed used "
                    "'Society & Culture'. Pick the right one in podcast.yaml.",
                )
            )
            return "Society & Culture", None
        if current != name:
            self.warnings.append(
                Problem(
                    self.where, f"uses Apple's old category '{name}'; podfeed used '{current}'."
                )
            )
        if sub is not None and sub not in APPLE_CATEGORIES[current]:
            self.warnings.append(
                Problem(
                    self.where,
                    f"uses '{sub}', which is not an Apple subcategory of '{current}'; "
                    "podfeed left the subcategory out.",
                )
            )
            sub = None
        return current, sub

    # --- episodes ----------------------------------------------------------------------

    def episodes(self, progress: Progress | None) -> list[_Episode]:
        items = self.channel.findall("item")
        channel_people = self._persons(self.channel)
        result = []
        skipped = 0
        for index, item in enumerate(items):
            if progress and index % 50 == 0:
                progress(index, len(items), "reading episodes")
            episode = self._episode(item, channel_people)
            if episode is None:
                skipped += 1
            else:
                result.append(episode)
        if progress:
            progress(len(items), len(items), "reading episodes")
        if skipped:
            self.warnings.append(
                Problem(
                    self.where,
                    f"has {skipped} item{'s' if skipped != 1 else ''} without audio "
                    "(no <enclosure>), left out.",
                )
            )
        result.sort(key=lambda e: e.released)
        _number(result)
        self._warn_counts(result)
        return result

    def _secure_link(self, url: str, what: str, title: str) -> str | None:
        """Apps fetch chapters and transcripts only over https; others are left out, said so."""
        url = url.strip()
        if not url:
            return None
        if not url.startswith("https://"):
            self.warnings.append(
                Problem(
                    self.where, f"'{title}': left out its {what} link {url}, which is not https."
                )
            )
            return None
        return url

    def _episode(self, item: Any, channel_people: list[tuple[str, str]]) -> _Episode | None:
        enclosure = item.find("enclosure")
        if enclosure is None or not (enclosure.get("url") or "").strip():
            return None
        url = enclosure.get("url").strip()
        # Titles are plain text: markup a host let through is dropped, not published.
        raw_title = self._text(item, "title") or self._itunes(item, "title")
        title = _plain_text(raw_title) or "Untitled"
        guid = (item.findtext("guid") or "").strip() or url
        released = _date(item.findtext("pubDate"))
        if released is None:
            raise FeedImportError.single(
                self.where, f"gives the episode '{title}' no valid <pubDate> release date."
            )
        notes_html = item.findtext(f"{{{CONTENT}}}encoded") or item.findtext("description") or ""
        summary_source = (
            self._itunes(item, "summary")
            or item.findtext("description")
            or self._itunes(item, "subtitle")
            or title
        )
        people = self._persons(item)
        author = _plain_text(self._itunes(item, "author"))
        if not people and author and author != self._itunes(self.channel, "author"):
            people = [(self._person_id(author, None, None), "host")]
        episode_type = self._itunes(item, "episodeType").lower()
        chapters = self._podcast_all(item, "chapters")
        return _Episode(
            guid=guid,
            title=title,
            released=released,
            season=_positive(self._itunes(item, "season")),
            number=_positive(self._itunes(item, "episode")),
            summary=_plain_text(summary_source) or title,
            notes=html_to_markdown(notes_html),
            audio_url=url,
            length=_positive(enclosure.get("length") or "") or 0,
            mime_type=_mime_type(enclosure.get("type"), url),
            duration=_duration(self._itunes(item, "duration")),
            explicit=_explicit(self._itunes(item, "explicit")),
            episode_type=episode_type if episode_type in ("full", "trailer", "bonus") else "full",
            people=people or list(channel_people),
            chapters_url=self._secure_link(
                (chapters[0].get("url") or "").strip() if chapters else "", "chapters", title
            ),
            transcripts=[
                {
                    key: value
                    for key, value in (
                        ("url", (t.get("url") or "").strip()),
                        ("type", _transcript_type(t.get("type"))),
                        ("language", (t.get("language") or "").strip()),
                        ("rel", (t.get("rel") or "").strip()),
                    )
                    if value
                }
                for t in self._podcast_all(item, "transcript")
                if t.get("type") and self._secure_link(t.get("url") or "", "transcript", title)
            ],
        )

    def _persons(self, element: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for person in self._podcast_all(element, "person"):
            name = _plain_text(person.text or "")
            if not name:
                continue
            role = ROLES.get((person.get("role") or "host").strip().lower(), "guest")
            person_id = self._person_id(name, person.get("href"), person.get("img"))
            if all(existing != person_id for existing, _ in found):
                found.append((person_id, role))
        return found

    def _person_id(self, name: str, href: str | None, image: str | None) -> str:
        key = (name, _https(href))
        if key in self._person_ids:
            return self._person_ids[key]
        base = slugify(name) or "person"
        person_id, count = base, 1
        while person_id in self.people:
            count += 1
            person_id = f"{base}-{count}"
        self._person_ids[key] = person_id
        self.people[person_id] = _Person(person_id, name, _https(href), _https(image))
        return person_id

    def _warn_counts(self, episodes: list[_Episode]) -> None:
        unknown_length = sum(1 for e in episodes if not e.length)
        unknown_duration = sum(1 for e in episodes if not e.duration)
        for count, what in ((unknown_length, "size (length)"), (unknown_duration, "duration")):
            if count:
                self.warnings.append(
                    Problem(
                        self.where,
                        f"gives no audio {what} for {count} episode{'s' if count != 1 else ''}; "
                        "podfeed publishes 0 (unknown) as the original did. Import with "
                        "--download to measure the files.",
                    )
                )


# --- conversions ----------------------------------------------------------------------------


def html_to_markdown(html: str) -> str:
    """Sanitise first (scripts, styles and unknown tags go), then convert to Markdown."""
    if not html.strip():
        return ""
    if not re.search(r"<[a-zA-Z/!]", html):
        return html.strip().replace("\r\n", "\n")
    clean = nh3.clean(
        html,
        tags=NOTES_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    text = markdownify(clean, heading_style="ATX", bullets="-", strip=["img"])
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _plain_text(html: str) -> str:
    """Summaries, titles and names are plain text: tags dropped, entities decoded.

    Repeated until nothing changes, since hosts double-escape markup (&amp;lt;b&amp;gt;)
    and decoding one layer can reveal another.
    """
    for _ in range(3):
        text = _strip_markup(html)
        if text == html:
            break
        html = text
    return text


def _strip_markup(html: str) -> str:
    if not html.strip():
        return ""
    # Paragraph and line breaks become blank lines before the tags go.
    spaced = re.sub(r"(?i)<br\s*/?>|</p\s*>|</h\d\s*>|</li\s*>", "\n\n", html)
    text = unescape(nh3.clean(spaced, tags=set(), attributes={})).replace("\xa0", " ")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def _date(value: str | None) -> datetime | None:
    if not value or not value.strip():
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _duration(value: str) -> float:
    """itunes:duration: seconds, MM:SS or HH:MM:SS; 0 when missing or unreadable."""
    parts = value.strip().split(":")
    try:
        numbers = [float(p) for p in parts if p.strip()]
    except ValueError:
        return 0.0
    if not numbers or len(numbers) > 3 or len(numbers) != len(parts):
        return 0.0
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds


def _positive(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _explicit(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in ("yes", "true", "explicit"):
        return True
    if lowered in ("no", "false", "clean"):
        return False
    return None


def _language(value: str) -> str:
    parts = value.replace("_", "-").split("-") if value else ["en"]
    return "-".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


def _https(url: str | None) -> str | None:
    url = (url or "").strip()
    return url if url.startswith("https://") else None


# Apple's 2019 list renamed these; an imported show should build without a manual fix.
LEGACY_CATEGORIES = {
    "News & Politics": "News",
    "Games & Hobbies": "Leisure",
    "Government & Organizations": "Government",
    "Health": "Health & Fitness",
    "Science & Medicine": "Science",
    "Sports & Recreation": "Sports",
}
# Types hosts write for MP3 that apps and Apple know only as audio/mpeg.
MIME_ALIASES = {"audio/mp3": "audio/mpeg", "audio/x-mp3": "audio/mpeg", "audio/mpeg3": "audio/mpeg"}


# Transcript types hosts write for SubRip; the namespace and apps know application/x-subrip.
TRANSCRIPT_ALIASES = {"application/srt": "application/x-subrip", "text/srt": "application/x-subrip"}


def _transcript_type(declared: str | None) -> str:
    value = (declared or "").strip().lower()
    return TRANSCRIPT_ALIASES.get(value, value)


def _mime_type(declared: str | None, url: str) -> str:
    value = (declared or "").strip().lower()
    return MIME_ALIASES.get(value, value) or _guess_type(url)


def _guess_type(url: str) -> str:
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    return guessed or "audio/mpeg"


def _number(episodes: list[_Episode]) -> None:
    """Keep each itunes:episode number unless missing or taken; number the rest in order."""
    taken: set[tuple[int | None, int]] = set()
    for episode in episodes:
        if episode.number is not None and (episode.season, episode.number) not in taken:
            taken.add((episode.season, episode.number))
        else:
            episode.number = None
    for episode in episodes:
        if episode.number is None:
            in_season = [n for s, n in taken if s == episode.season]
            episode.number = max(in_season, default=0) + 1
            taken.add((episode.season, episode.number))


# --- writing ------------------------------------------------------------------------------


def _write_show(
    target: Path,
    show: dict[str, Any],
    episodes: list[_Episode],
    people: dict[str, _Person],
    download: bool,
    fetch: Fetch,
    progress: Progress | None,
    warnings: list[Problem],
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.parent / f".podfeed-import-{target.name}-{uuid.uuid4().hex}"
    temp.mkdir()  # not mkdtemp, whose folders only their owner may read
    try:
        if download:
            show["artwork"] = _download_artwork(temp, show["artwork"], fetch)
        _write_yaml(temp / SHOW_FILE, show)
        base = temp / EPISODES_DIR
        base.mkdir()
        _write_people(base / PEOPLE_FILE, people)
        (base / ORGANISATIONS_FILE).write_text(
            "# id → name, kind (nhs-trust, national-body, membership-body, charity, company,\n"
            "# partnership, other) and website. The original feed named no organisations.\n"
            "{}\n",
            encoding="utf-8",
        )
        width = max(2, len(str(len(episodes))))
        slugs: set[str] = set()
        for index, episode in enumerate(episodes, start=1):
            if progress and (index % 50 == 0 or index == len(episodes)):
                progress(index, len(episodes), "writing episodes")
            slug = slugify(episode.title) or f"episode-{index}"
            if slug in slugs:
                slug = f"{slug}-{index}"
            slugs.add(slug)
            folder = base / f"{index:0{width}d}-{slug}"
            folder.mkdir()
            if download:
                _download_media(folder, episode, fetch)
            (folder / EPISODE_FILE).write_text(_episode_text(episode), encoding="utf-8")
        _fsync_tree(temp)
        if target.exists():
            target.rmdir()  # empty, checked before the import started
        os.rename(temp, target)
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _yaml(data: dict[str, Any]) -> str:
    text: str = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=88)
    return text


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    header = "# Imported by podfeed import. See README.md for every field.\n"
    path.write_text(header + _yaml(data), encoding="utf-8")


def _write_people(path: Path, people: dict[str, _Person]) -> None:
    records = {
        p.id: {k: v for k, v in (("name", p.name), ("link", p.link), ("image", p.image)) if v}
        for p in people.values()
    }
    header = "# id → name, job_title, organisation (an id), link, image; from the original feed.\n"
    path.write_text(header + (_yaml(records) if records else "{}\n"), encoding="utf-8")


def _episode_text(episode: _Episode) -> str:
    try:
        strict_guid(episode.guid)
        guid_lines = _yaml({"guid": episode.guid})
    except FieldError:
        guid_lines = (
            "# The GUID the original feed gave; kept as it was so no app downloads the\n"
            "# episode twice, even though podfeed would not choose one like it.\n"
            + _yaml({"feed_guid": episode.guid})
        )
    front: dict[str, Any] = {
        "title": episode.title,
        "number": episode.number,
    }
    if episode.season is not None:
        front["season"] = episode.season
    front["released"] = episode.released.isoformat()
    lines = _yaml(front) + guid_lines
    lines += _yaml({"summary": episode.summary})
    if episode.people:
        lines += _yaml({"people": [{"id": pid, "role": role} for pid, role in episode.people]})
    lines += _yaml({"audio": episode.audio_url})
    if _is_web(episode.audio_url):
        lines += (
            "# Taken from the original feed, not measured: podfeed cannot read a file on\n"
            "# another host. 0 means the original feed did not say.\n"
            + _yaml(
                {
                    "remote_audio": {
                        "length": episode.length,
                        "type": episode.mime_type,
                        "duration": round(episode.duration, 3),
                    }
                }
            )
        )
    if episode.explicit is not None:
        lines += _yaml({"explicit": episode.explicit})
    lines += _yaml({"type": episode.episode_type})
    if episode.chapters_url:
        lines += _yaml({"chapters_url": episode.chapters_url})
    if episode.transcripts:
        lines += _yaml({"transcripts": episode.transcripts})
    return f"---\n{lines}---\n\n{episode.notes}\n"


def _download_artwork(folder: Path, url: str, fetch: Fetch) -> str:
    data = _fetch_checked(url, fetch)
    suffix = ".png" if data.startswith(b"\x89PNG") else ".jpg"
    (folder / f"artwork{suffix}").write_bytes(data)
    return f"artwork{suffix}"


def _download_media(folder: Path, episode: _Episode, fetch: Fetch) -> None:
    """Fetch the audio, chapters and WebVTT/SRT transcripts into the episode's folder."""
    suffix = PurePosixPath(urlsplit(episode.audio_url).path).suffix.lower() or ".mp3"
    name = f"episode{suffix}"
    (folder / name).write_bytes(_fetch_checked(episode.audio_url, fetch))
    episode.audio_url = name
    if episode.chapters_url:
        chapters = _fetch_checked(episode.chapters_url, fetch)
        try:
            json.loads(chapters)
        except ValueError:
            pass
        else:
            (folder / "chapters.json").write_bytes(chapters)
            episode.chapters_url = None
    kept = []
    for link in episode.transcripts:
        kind = TRANSCRIPT_SUFFIXES.get(link["type"])
        if kind and not (folder / f"transcript{kind}").exists():
            (folder / f"transcript{kind}").write_bytes(_fetch_checked(link["url"], fetch))
        else:
            kept.append(link)
    episode.transcripts = kept


def _fetch_checked(url: str, fetch: Fetch) -> bytes:
    try:
        return fetch(url)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise FeedImportError.single(
            Path(urlsplit(url).path.split("/")[-1] or url),
            f"could not be downloaded from {url} ({error}).",
        ) from None


def _fsync_tree(root: Path) -> None:
    """Flush the new show to disk before it is renamed into place.

    One sync of everything is far quicker than an fsync per file for thousands of episodes.
    """
    del root
    os.sync()
