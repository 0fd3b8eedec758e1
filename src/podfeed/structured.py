"""What search engines and link previews read: schema.org JSON-LD, a sitemap, robots.txt.

Every address here is absolute, since previews are read away from the site. JSON-LD
goes inside a <script> element, where HTML escaping does not apply: `script_json`
escapes the characters that could end the element or start a comment instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

from markupsafe import Markup

from podfeed.model import Episode, Organisation, Person
from podfeed.site import SITEMAP_PATH, Site

JsonObject = dict[str, Any]
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(data: JsonObject) -> Markup:
    """JSON safe to place between <script> and </script>: no '</script>', no '<!--'."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # C encoder: no indent
    for unsafe, escaped in _SCRIPT_UNSAFE.items():  # str.replace: 10 times str.translate's speed
        if unsafe in text:
            text = text.replace(unsafe, escaped)
    return Markup(text)


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration, 'PT1H5M3S', as schema.org and <time datetime> expect."""
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{secs}S" if secs or text == "PT" else "")


def _organisation(site: Site, organisation: Organisation) -> JsonObject:
    url = site.url(site.organisation_path(organisation))
    data: JsonObject = {
        "@type": "Organization",
        "@id": url + "#organisation",
        "name": organisation.name,
        "url": url,
    }
    if organisation.website:
        data["sameAs"] = organisation.website
    return data


def _person(site: Site, person: Person, role: str | None = None) -> JsonObject:
    url = site.url(site.person_path(person))
    data: JsonObject = {
        "@type": "Person",
        "@id": url + "#person",
        "name": person.name,
        "url": url,
    }
    if person.job_title:
        data["jobTitle"] = person.job_title
    if person.organisation:
        data["worksFor"] = _organisation(site, site.content.organisations[person.organisation])
    if person.link:
        data["sameAs"] = person.link
    if person.image:
        data["image"] = person.image
    if role:
        data["roleName"] = role
    return data


def _publisher(site: Site) -> JsonObject:
    return {"@type": "Organization", "name": site.content.show.author}


def series(site: Site, full: bool = True) -> JsonObject:
    show = site.content.show
    data: JsonObject = {
        "@type": "PodcastSeries",
        "@id": site.url("") + "#series",
        "name": show.title,
        "url": site.url(""),
    }
    if not full:
        return data
    data |= {
        "description": show.description,
        "image": site.artwork_url,
        "webFeed": site.feed_url,
        "inLanguage": show.language,
        "author": _publisher(site),
        "publisher": _publisher(site),
    }
    if show.copyright:
        data["copyrightNotice"] = show.copyright
    same_as = [url for url in (show.apple_podcasts_url, show.spotify_url) if url]
    if same_as:
        data["sameAs"] = same_as
    return data


def episode(site: Site, item: Episode) -> JsonObject:
    assert item.audio is not None
    people = site.content.people
    data: JsonObject = {
        "@type": "PodcastEpisode",
        "@id": site.episode_url(item) + "#episode",
        "url": site.episode_url(item),
        "name": item.title,
        "description": item.summary,
        "episodeNumber": item.number,
        "datePublished": item.released.isoformat(),
        "timeRequired": iso_duration(item.audio.duration),
        "inLanguage": site.content.show.language,
        "image": site.artwork_url,
        "partOfSeries": series(site, full=False),
        "associatedMedia": {
            "@type": "AudioObject",
            "contentUrl": site.media_url(item),
            "encodingFormat": item.audio.mime_type,
            "contentSize": str(item.audio.size),
            "duration": iso_duration(item.audio.duration),
        },
        "publisher": _publisher(site),
    }
    if item.season:
        data["partOfSeason"] = {"@type": "PodcastSeason", "seasonNumber": item.season}
    if item.people:
        data["contributor"] = [_person(site, people[a.person], a.role) for a in item.people]
    if item.organisations:
        data["mentions"] = [
            _organisation(site, site.content.organisations[o]) for o in item.organisations
        ]
    if not item.audio.duration:  # unknown for audio hosted elsewhere: say nothing, not 0
        del data["timeRequired"]
        media = data["associatedMedia"]
        if isinstance(media, dict):
            media.pop("duration", None)
    return data


def with_context(data: JsonObject) -> JsonObject:
    return {"@context": "https://schema.org", **data}


def home_data(site: Site, listed: Sequence[Episode]) -> JsonObject:
    """The series, with the episodes a listing page shows."""
    data = series(site)
    data["hasPart"] = [
        {"@type": "PodcastEpisode", "@id": site.episode_url(e) + "#episode", "name": e.title,
         "url": site.episode_url(e)}
        for e in listed
    ]  # fmt: skip
    return with_context(data)


def episode_data(site: Site, item: Episode) -> JsonObject:
    return with_context(episode(site, item))


def person_data(site: Site, person: Person) -> JsonObject:
    return with_context(
        {
            "@type": "ProfilePage",
            "url": site.url(site.person_path(person)),
            "mainEntity": _person(site, person),
        }
    )


def organisation_data(site: Site, organisation: Organisation) -> JsonObject:
    return with_context(_organisation(site, organisation))


def sitemap(site: Site) -> bytes:
    """Every page's address; episodes carry their release date as the last change."""
    latest = {site.episode_path(e): e.released for e in site.episodes}
    if site.episodes:
        latest[""] = max(e.released for e in site.episodes)
    ElementTree.register_namespace("", SITEMAP_NS)
    root = ElementTree.Element(f"{{{SITEMAP_NS}}}urlset")
    for path in site.page_paths():
        entry = ElementTree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ElementTree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = site.url(path)
        if path in latest:
            lastmod = ElementTree.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod")
            lastmod.text = latest[path].isoformat()
    ElementTree.indent(root)
    xml: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.url(SITEMAP_PATH)}\n".encode()
