"""The website: one page per episode, person and organisation, plus the home page.

Templates come from the show's own `templates/` folder first and podfeed's built-in
ones second, so a show overrides any single file. Links between pages are relative,
so `public/` works on any host, in a sub-folder, or opened straight from disk.
"""

from __future__ import annotations

import posixpath
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from podfeed.errors import BuildError
from podfeed.markup import notes_html
from podfeed.site import FEED_PATH, Site

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
STATIC_FILES = ("style.css",)


def environment(show_root: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(show_root / "templates"),
                jinja2.FileSystemLoader(BUILTIN_TEMPLATES),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        duration=format_duration, iso_duration=iso_duration, date=format_date, filesize=format_size
    )
    return env


def format_duration(seconds: float) -> str:
    """'34 sec', '32 min', '1 hr 5 min': running time as people say it."""
    total = round(seconds)
    if total < 60:
        return f"{total} sec"
    hours, minutes = divmod(round(total / 60), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} hr {minutes} min" if minutes else f"{hours} hr"


def iso_duration(seconds: float) -> str:
    """The machine-readable form of a duration, for <time datetime>."""
    return f"PT{round(seconds)}S"


def format_date(value: datetime) -> str:
    return f"{value.day} {value:%B %Y}"


def format_size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def relative(from_path: str, to_path: str) -> str:
    """A link from one output page to another, ending in index.html for folders.

    Ending in index.html keeps links working when `public/` is opened from disk.
    Media hosted elsewhere has an absolute URL, which is kept as it is.
    """
    if "://" in to_path:
        return to_path
    target = to_path + "index.html" if to_path == "" or to_path.endswith("/") else to_path
    start = posixpath.dirname(from_path) or "."
    return posixpath.relpath(target, start)


def render_pages(site: Site) -> list[tuple[str, bytes]]:
    """Every HTML page and static file of the website, as (output path, bytes)."""
    env = environment(site.content.show.root)
    show = site.content.show
    pages: list[tuple[str, str, dict[str, Any]]] = [("index.html", "index.html", {})]
    for position, episode in enumerate(site.episodes):
        pages.append(
            (
                site.episode_path(episode) + "index.html",
                "episode.html",
                {
                    "episode": episode,
                    "notes": notes_html(episode.notes_markdown),
                    "newer": site.episodes[position - 1] if position > 0 else None,
                    "older": site.episodes[position + 1]
                    if position + 1 < len(site.episodes)
                    else None,
                },
            )
        )
    for person in site.featured_people:
        pages.append(
            (
                site.person_path(person) + "index.html",
                "person.html",
                {"person": person, "appearances": site.episodes_with_person(person.id)},
            )
        )
    for organisation in site.featured_organisations:
        pages.append(
            (
                site.organisation_path(organisation) + "index.html",
                "organisation.html",
                {
                    "organisation": organisation,
                    "episodes": site.episodes_with_organisation(organisation.id),
                    "members": site.members(organisation.id),
                },
            )
        )
    outputs: list[tuple[str, bytes]] = []
    for path, template_name, context in pages:

        def link(target: str, path: str = path) -> str:
            return relative(path, target)

        try:
            html = env.get_template(template_name).render(
                site=site,
                show=show,
                people=site.content.people,
                organisations=site.content.organisations,
                page_path=path,
                page_url=site.url(path.removesuffix("index.html")),
                link=link,
                feed_path=FEED_PATH,
                **context,
            )
        except jinja2.TemplateError as error:
            raise BuildError.single(_template_file(error, template_name), str(error)) from None
        outputs.append((path, html.encode("utf-8")))
    for name in STATIC_FILES:
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        outputs.append((name, source.encode("utf-8")))
    return outputs


def _template_file(error: jinja2.TemplateError, name: str) -> Path:
    filename = getattr(error, "filename", None)
    return Path(filename or name)
