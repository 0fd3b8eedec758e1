"""Where each thing is published: URLs and output paths, derived in one place.

The feed and the pages both link to episodes, media and artwork; deriving every
address here keeps them in agreement.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlsplit

from podfeed.model import Content, Episode, Organisation, Person, Transcript
from podfeed.remote import is_url
from podfeed.writer import Linked

FEED_PATH = "feed.xml"
SITEMAP_PATH = "sitemap.xml"
NOT_FOUND_PATH = "404.html"
# A path `quote` leaves as it is: letters, digits, "_.-~" and "/".
_PLAIN = re.compile(r"[A-Za-z0-9_.~/-]*")
T = TypeVar("T")


@dataclass(frozen=True)
class Site:
    content: Content
    # The people with a page, when `content` holds only some of the episodes (delta.py).
    people_with_pages: frozenset[str] | None = None

    @property
    def base(self) -> str:
        return self.content.show.site_url

    def url(self, path: str) -> str:
        """Absolute URL of an output path ('' is the home page); media hosted elsewhere
        already has an absolute URL and is returned as it is."""
        if is_url(path):
            return path
        return f"{self.base}/{path if _PLAIN.fullmatch(path) else quote(path)}"

    def root_relative(self, path: str) -> str:
        """'/podcast/style.css': for pages served at any address, such as the 404 page."""
        return f"{urlsplit(self.base).path}/{quote(path)}"

    @cached_property
    def feed_url(self) -> str:
        return self.url(FEED_PATH)

    @cached_property
    def artwork_url(self) -> str:
        return self.url(self.artwork_path)

    def episode_url(self, episode: Episode) -> str:
        return self.url(self.episode_path(episode))

    def media_url(self, episode: Episode) -> str:
        return self.url(self.media_path(episode))

    def page_paths(self) -> list[str]:
        """Every page's folder path ('' is home), in the order a sitemap lists them."""
        people = ((self.person_path(p), self.person_pages(p.id)) for p in self.featured_people)
        organisations = (
            (self.organisation_path(o), self.organisation_pages(o.id))
            for o in self.featured_organisations
        )
        return [
            *(self.page_path("", n) for n in range(1, len(self.listings) + 1)),
            *(self.episode_path(e) for e in self.episodes),
            *(self.page_path(f, n) for f, pages in people for n in range(1, len(pages) + 1)),
            *(self.page_path(f, n) for f, pages in organisations for n in range(1, len(pages) + 1)),
        ]

    @cached_property
    def episodes(self) -> tuple[Episode, ...]:
        """Newest first, the order listeners and apps expect; ties broken by number."""
        return tuple(
            sorted(
                self.content.episodes,
                key=lambda e: (e.released, e.season or 0, e.number),
                reverse=True,
            )
        )

    @cached_property
    def listings(self) -> list[Sequence[Episode]]:
        """The episodes each page of the home page's list shows (see `in_pages`)."""
        return self.in_pages(self.episodes)

    def person_pages(self, person_id: str) -> list[Sequence[tuple[Episode, str]]]:
        return self.in_pages(self._appearances.get(person_id, []))

    def organisation_pages(self, organisation_id: str) -> list[Sequence[Episode]]:
        return self.in_pages(self._featuring.get(organisation_id, []))

    def in_pages(self, items: Sequence[T]) -> list[Sequence[T]]:
        """`items` (newest first) split into pages of `episodes_per_page`: the first page
        the newest, the next the ones before, and so on; one empty page for none."""
        size = self.content.show.episodes_per_page
        return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]

    @staticmethod
    def page_path(folder: str, number: int) -> str:
        """The folder of page `number` of a list whose first page is `folder` ('' is home)."""
        return folder if number == 1 else f"{folder}page/{number}/"

    @cached_property
    def feed_episodes(self) -> tuple[Episode, ...]:
        """The newest `feed_episodes` of podcast.yaml (all by default); pages keep every one."""
        cap = self.content.show.feed_episodes
        return self.episodes if cap is None else self.episodes[:cap]

    @cached_property
    def artwork_path(self) -> str:
        """Named by content, so a new picture gets a new URL and apps refresh their copy.

        Artwork hosted elsewhere (an imported show) keeps its own absolute URL.
        """
        artwork = self.content.show.artwork
        if artwork is None:
            assert self.content.show.artwork_url is not None
            return self.content.show.artwork_url
        digest = hashlib.sha256(artwork.read_bytes()).hexdigest()[:10]
        return f"artwork-{digest}{artwork.suffix.lower()}"

    @staticmethod
    def episode_path(episode: Episode) -> str:
        return f"episodes/{episode.slug}/"

    def audio_source(self, episode: Episode) -> Path | Linked:
        """The show's audio file of an episode, to copy into the site or, with
        `link_audio`, to link."""
        return Linked(episode.audio_path) if self.content.show.link_audio else episode.audio_path

    @staticmethod
    def media_path(episode: Episode) -> str:
        """'<slug>.mp3', so downloaded files are not all called episode.mp3.

        Audio hosted elsewhere (an imported show) keeps its own absolute URL.
        """
        if episode.audio_url is not None:
            return episode.audio_url
        name = episode.audio_path.name
        dot = name.rfind(".")  # PurePosixPath(name).suffix, without making a path
        suffix = name[dot:].lower() if 0 < dot < len(name) - 1 else ""
        return f"episodes/{episode.slug}/{episode.slug}{suffix}"

    @staticmethod
    def transcript_path(episode: Episode, transcript: Transcript) -> str:
        """Beside the episode page, under the file's own name (transcript.cy.vtt…)."""
        return f"episodes/{episode.slug}/{transcript.path.name.lower()}"

    @staticmethod
    def chapters_path(episode: Episode) -> str:
        """The JSON Chapters file the build writes for an episode with chapters."""
        return f"episodes/{episode.slug}/chapters.json"

    @staticmethod
    def person_path(person: Person) -> str:
        return f"people/{person.id}/"

    @staticmethod
    def organisation_path(organisation: Organisation) -> str:
        return f"organisations/{organisation.id}/"

    def episodes_with_person(self, person_id: str) -> list[tuple[Episode, str]]:
        return list(self._appearances.get(person_id, ()))

    def episodes_with_organisation(self, organisation_id: str) -> list[Episode]:
        return list(self._featuring.get(organisation_id, ()))

    @cached_property
    def _appearances(self) -> dict[str, list[tuple[Episode, str]]]:
        """Person id → (episode, role), newest first: one pass, not one per person."""
        index: dict[str, list[tuple[Episode, str]]] = {}
        for episode in self.episodes:
            for appearance in episode.people:
                index.setdefault(appearance.person, []).append((episode, appearance.role))
        return index

    @cached_property
    def _featuring(self) -> dict[str, list[Episode]]:
        index: dict[str, list[Episode]] = {}
        for episode in self.episodes:
            for organisation_id in dict.fromkeys(episode.organisations):
                index.setdefault(organisation_id, []).append(episode)
        return index

    @cached_property
    def featured_people(self) -> tuple[Person, ...]:
        ids = {a.person for e in self.episodes for a in e.people}
        return tuple(p for key, p in sorted(self.content.people.items()) if key in ids)

    @cached_property
    def featured_person_ids(self) -> frozenset[str]:
        if self.people_with_pages is not None:
            return self.people_with_pages
        return frozenset(p.id for p in self.featured_people)

    @cached_property
    def featured_organisations(self) -> tuple[Organisation, ...]:
        """Organisations featured by an episode or employing someone who takes part."""
        ids = {o for e in self.episodes for o in e.organisations}
        ids |= {p.organisation for p in self.featured_people if p.organisation}
        return tuple(o for key, o in sorted(self.content.organisations.items()) if key in ids)

    def members(self, organisation_id: str) -> tuple[Person, ...]:
        return self._members.get(organisation_id, ())

    @cached_property
    def _members(self) -> dict[str, tuple[Person, ...]]:
        index: dict[str, list[Person]] = {}
        for person in self.featured_people:
            if person.organisation:
                index.setdefault(person.organisation, []).append(person)
        return {key: tuple(people) for key, people in index.items()}
