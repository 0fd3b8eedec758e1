"""The Podcasting 2.0 `podcast:` namespace and Podlove Simple Chapters, as feedgen extensions.

Written the way the podcast clients in podcast-clients.md read them: the prefixes are
always `podcast:` and `psc:`, the preferred transcript comes last (apps that keep one keep
the last), and every URL is absolute. Only feed modules import feedgen.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from podfeed.chapters import JSON_CHAPTERS_TYPE, normal_play_time
from podfeed.model import Episode, Person, Show, TranscriptLink

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"
# The namespace UUID the Podcast Index specifies for podcast:guid (docs/tags/guid.md).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# podfeed's roles in the Podcast Index person taxonomy (group "cast").
PERSON_ROLES = {"host": "host", "co-host": "co-host", "guest": "guest"}


def podcast_guid(feed_url: str) -> str:
    """UUIDv5 of the feed URL with its scheme and trailing slashes removed, and nothing else."""
    seed = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, seed))


@dataclass(frozen=True)
class PersonCredit:
    """A podcast:person tag: who, in which role, with links where podfeed knows them."""

    name: str
    role: str
    href: str | None
    img: str | None


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _add(parent: Any, namespace: str, tag: str, text: str | None = None, **attrs: str) -> Any:
    element = xml_elem(f"{{{namespace}}}{tag}", parent)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    for name, value in attrs.items():
        element.attrib[name] = _NOT_XML.sub("", value)
    return element


def _person(parent: Any, credit: PersonCredit) -> None:
    attrs = {"role": credit.role, "group": "cast"}
    if credit.href:
        attrs["href"] = credit.href
    if credit.img:
        attrs["img"] = credit.img
    _add(parent, PODCAST_NS, "person", credit.name, **attrs)


def credit(person: Person, role: str, href: str | None) -> PersonCredit:
    return PersonCredit(person.name, PERSON_ROLES[role], href or person.link, person.image)


class PodcastExtension(BaseExtension):  # type: ignore[misc]
    """Channel-level Podcast Index tags."""

    def __init__(self) -> None:
        self.show: Show | None = None
        self.feed_url = ""
        self.hosts: tuple[PersonCredit, ...] = ()

    def set(self, show: Show, feed_url: str, hosts: tuple[PersonCredit, ...]) -> None:
        self.show, self.feed_url, self.hosts = show, feed_url, hosts

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        show = self.show
        if show is None:
            return rss_feed
        channel = rss_feed[0]
        _add(channel, PODCAST_NS, "guid", show.podcast_guid or podcast_guid(self.feed_url))
        locked = "yes" if show.locked else "no"
        _add(channel, PODCAST_NS, "locked", locked, owner=show.owner.email)
        if show.medium:
            _add(channel, PODCAST_NS, "medium", show.medium)
        for funding in show.funding:
            _add(channel, PODCAST_NS, "funding", funding.text, url=funding.url)
        if show.license:
            attrs = {"url": show.license_url} if show.license_url else {}
            _add(channel, PODCAST_NS, "license", show.license, **attrs)
        for host in self.hosts:
            _person(channel, host)
        return rss_feed


class PodcastEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Item-level Podcast Index tags: people, numbering, transcripts and chapters."""

    def __init__(self) -> None:
        self.episode: Episode | None = None
        self.people: tuple[PersonCredit, ...] = ()
        self.transcripts: tuple[TranscriptLink, ...] = ()
        self.chapters_url: str | None = None

    def set(
        self,
        episode: Episode,
        people: tuple[PersonCredit, ...],
        transcripts: tuple[TranscriptLink, ...],
        chapters_url: str | None,
    ) -> None:
        self.episode, self.people = episode, people
        self.transcripts, self.chapters_url = transcripts, chapters_url

    def extend_rss(self, entry: Any) -> Any:
        episode = self.episode
        if episode is None:
            return entry
        for person in self.people:
            _person(entry, person)
        if episode.season is not None:
            _add(entry, PODCAST_NS, "season", str(episode.season))
        _add(entry, PODCAST_NS, "episode", str(episode.number))
        for link in self.transcripts:
            attrs = {"url": link.url, "type": link.mime_type}
            if link.language:
                attrs["language"] = link.language
            if link.rel:
                attrs["rel"] = link.rel
            _add(entry, PODCAST_NS, "transcript", **attrs)
        if self.chapters_url:
            _add(entry, PODCAST_NS, "chapters", url=self.chapters_url, type=JSON_CHAPTERS_TYPE)
        return entry


class PodloveChaptersExtension(BaseExtension):  # type: ignore[misc]
    def extend_ns(self) -> dict[str, str]:
        return {"psc": PSC_NS}


class PodloveChaptersEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Podlove Simple Chapters 1.2 inline in the item (Spotify and gPodder read these)."""

    def __init__(self) -> None:
        self.episode: Episode | None = None

    def set(self, episode: Episode) -> None:
        self.episode = episode

    def extend_rss(self, entry: Any) -> Any:
        if self.episode is None or not self.episode.chapters:
            return entry
        chapters = _add(entry, PSC_NS, "chapters", version="1.2")
        for chapter in self.episode.chapters:
            attrs = {"start": normal_play_time(chapter.start), "title": chapter.title}
            if chapter.url:
                attrs["href"] = chapter.url
            _add(chapters, PSC_NS, "chapter", **attrs)
        return entry
