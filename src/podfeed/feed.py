"""The podcast RSS feed, written with feedgen; the only module that imports it.

feedgen's own podcast extension only knows the pre-2019 `yes`/`no`/`clean` values for
`itunes:explicit`, so podfeed registers its own `itunes:` extension, written to Apple's
current rules. Further namespaces (Podcasting 2.0) plug in the same way.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from podfeed import __version__
from podfeed.feed_podcast import (
    PersonCredit,
    PodcastEntryExtension,
    PodcastExtension,
    PodloveChaptersEntryExtension,
    PodloveChaptersExtension,
    credit,
)
from podfeed.markup import feed_html
from podfeed.model import Episode, Show, TranscriptLink
from podfeed.site import Site

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Drop characters XML cannot carry; lxml refuses them outright."""
    return _NOT_XML.sub("", value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _add(parent: Any, tag: str, value: str | None = None, **attributes: str) -> Any:
    element = xml_elem(f"{{{ITUNES_NS}}}{tag}", parent)
    if value is not None:
        element.text = xml_text(value)
    for name, value in attributes.items():
        element.attrib[name] = xml_text(value)
    return element


class ItunesExtension(BaseExtension):  # type: ignore[misc]
    """Channel-level `itunes:` tags as Apple documents them today."""

    def __init__(self) -> None:
        self.show: Show | None = None
        self.image_url = ""
        self.explicit = False

    def set(self, show: Show, image_url: str, explicit: bool) -> None:
        self.show, self.image_url, self.explicit = show, image_url, explicit

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        show = self.show
        if show is None:
            return rss_feed
        channel = rss_feed[0]
        _add(channel, "author", show.author)
        if show.subtitle:
            _add(channel, "subtitle", show.subtitle)
        _add(channel, "summary", show.description)
        _add(channel, "type", show.show_type)
        owner = _add(channel, "owner")
        _add(owner, "name", show.owner.name)
        _add(owner, "email", show.owner.email)
        _add(channel, "image", href=self.image_url)
        category = _add(channel, "category", text=show.category)
        if show.subcategory:
            _add(category, "category", text=show.subcategory)
        _add(channel, "explicit", _bool(self.explicit))
        return rss_feed


class ItunesEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Item-level `itunes:` tags; durations are whole seconds, as Apple recommends."""

    def __init__(self) -> None:
        self.episode: Episode | None = None
        self.image_url = ""

    def set(self, episode: Episode, image_url: str) -> None:
        self.episode, self.image_url = episode, image_url

    def extend_rss(self, entry: Any) -> Any:
        episode = self.episode
        if episode is None:
            return entry
        _add(entry, "title", episode.title)
        _add(entry, "episodeType", episode.episode_type)
        _add(entry, "episode", str(episode.number))
        if episode.season is not None:
            _add(entry, "season", str(episode.season))
        if episode.audio is not None:
            _add(entry, "duration", str(round(episode.audio.duration)))
        _add(entry, "image", href=self.image_url)
        _add(entry, "explicit", _bool(episode.explicit))
        _add(entry, "summary", episode.summary)
        return entry


def render_feed(site: Site) -> bytes:
    """The RSS 2.0 feed of the newest `feed_episodes` (default all), newest first, as UTF-8."""
    show = site.content.show
    artwork_url = site.url(site.artwork_path)
    fg = FeedGenerator()
    fg.register_extension("itunes", ItunesExtension, ItunesEntryExtension)
    fg.register_extension("podcast", PodcastExtension, PodcastEntryExtension)
    fg.register_extension("psc", PodloveChaptersExtension, PodloveChaptersEntryExtension)
    fg.title(xml_text(show.title))
    fg.link(href=site.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=site.url(""), rel="alternate")  # feedgen's RSS <link> is the last one
    fg.description(xml_text(show.description))
    fg.language(show.language)
    if show.copyright:
        fg.copyright(xml_text(show.copyright))
    fg.generator("podfeed", version=__version__)
    fg.docs("https://www.rssboard.org/rss-specification")  # feedgen's default is http://
    fg.image(url=artwork_url, title=xml_text(show.title), link=site.url(""))
    # Builds must be reproducible: the feed changes only when its episodes do.
    if site.feed_episodes:
        newest = site.feed_episodes[0].released
        fg.lastBuildDate(newest)
        fg.pubDate(newest)
    fg.itunes.set(show, artwork_url, show.explicit or any(e.explicit for e in site.feed_episodes))
    hosts = _hosts(site)
    fg.podcast.set(show, site.feed_url, hosts)
    for episode in site.feed_episodes:
        page_url = site.url(site.episode_path(episode))
        entry = fg.add_entry(order="append")
        entry.title(xml_text(episode.title))
        entry.link(href=page_url)
        entry.guid(episode.guid, permalink=False)
        entry.pubDate(episode.released)
        entry.description(xml_text(episode.summary))
        entry.content(xml_text(feed_html(episode.notes_markdown, page_url)), type="CDATA")
        assert episode.audio is not None, "audio is read before the feed is rendered"
        entry.enclosure(
            url=site.url(site.media_path(episode)),
            length=str(episode.audio.size),
            type=episode.audio.mime_type,
        )
        entry.itunes.set(episode, artwork_url)
        entry.podcast.set(
            episode,
            _people(site, episode, hosts),
            _transcripts(site, episode),
            site.url(site.chapters_path(episode)) if episode.chapters else episode.chapters_url,
        )
        entry.psc.set(episode)
    result: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return result


# How render_feed writes an item: its own lines, two levels in, with its <guid> inside. Item
# text cannot hold these bytes: titles and summaries are escaped, notes sanitised.
_ITEM_START, _ITEM_END = b"\n    <item>", b"</item>"
_GUID = re.compile(rb"<guid[ >][^<]*</guid>")


def rerender_items(previous: bytes, site: Site, episodes: tuple[Episode, ...]) -> bytes | None:
    """`previous`, render_feed's output for `site` before `episodes` changed, with their
    items rendered again: what render_feed(site) gives when nothing but those items changed
    (delta.py makes sure), in time for those items alone. None when `previous` does not
    hold them as expected, so the caller renders the whole feed."""
    alone = replace(site, content=replace(site.content, episodes=episodes))
    spans = _item_spans(previous)
    fresh = _item_spans(new := render_feed(alone))
    if spans is None or fresh is None:
        return None
    if len(spans) != len(site.feed_episodes) or len(fresh) != len(episodes):
        return None
    at = {_guid_of(previous, span): span for span in spans}
    if len(at) != len(spans):
        return None
    replacements = []
    for start, end in fresh:
        span = at.get(_guid_of(new, (start, end)))
        if span is None:
            return None
        replacements.append((span, new[start:end]))
    result = previous
    for (start, end), item in sorted(replacements, reverse=True):
        result = result[:start] + item + result[end:]
    return result


def _item_spans(feed: bytes) -> list[tuple[int, int]] | None:
    spans = []
    start = feed.find(_ITEM_START)
    while start != -1:
        end = feed.find(_ITEM_END, start)
        if end == -1 or feed.find(_ITEM_START, start + 1, end) != -1:
            return None
        if len(_GUID.findall(feed, start, end)) != 1:
            return None
        spans.append((start, end + len(_ITEM_END)))
        start = feed.find(_ITEM_START, end)
    return spans


def _guid_of(feed: bytes, span: tuple[int, int]) -> bytes | None:
    found = _GUID.search(feed, span[0], span[1])
    return None if found is None else found[0]


def _person_href(site: Site, person_id: str) -> str | None:
    """The person's page on the site, if the site has one."""
    if person_id in site.featured_person_ids:
        return site.url(site.person_path(site.content.people[person_id]))
    return None


def _hosts(site: Site) -> tuple[PersonCredit, ...]:
    people = site.content.people
    return tuple(credit(people[i], "host", _person_href(site, i)) for i in site.content.show.hosts)


def _people(
    site: Site, episode: Episode, hosts: tuple[PersonCredit, ...]
) -> tuple[PersonCredit, ...]:
    """Item-level people replace the channel's list in apps, so the show's hosts come first."""
    people = site.content.people
    listed = {a.person for a in episode.people}
    credits = [h for i, h in zip(site.content.show.hosts, hosts, strict=True) if i not in listed]
    credits += [
        credit(people[a.person], a.role, _person_href(site, a.person)) for a in episode.people
    ]
    return tuple(credits)


def _primary(language: str) -> str:
    """'en' of 'en-GB': a transcript in en is in the show's language when the show is en-GB."""
    return language.split("-")[0].lower()


def _transcripts(site: Site, episode: Episode) -> tuple[TranscriptLink, ...]:
    """Local files and links kept from an imported feed; the show's own language last and
    WebVTT last within it, since apps that keep one transcript keep the last."""
    language = site.content.show.language
    local = [
        # WebVTT and SubRip are both timed captions
        TranscriptLink(
            site.url(site.transcript_path(episode, t)), t.mime_type, t.language, "captions"
        )
        for t in episode.transcripts
    ]
    return tuple(
        sorted(
            [*local, *episode.transcript_links],
            key=lambda t: (
                _primary(t.language or language) == _primary(language),
                _primary(t.language or language),
                t.mime_type == "text/vtt",
            ),
        )
    )
