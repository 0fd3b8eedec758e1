"""The website: one page per episode, person and organisation, plus the home page.

Templates come from the show's own `templates/` folder first and podfeed's built-in
ones second, so a show overrides any single file. Links between pages are relative,
so `public/` works on any host, in a sub-folder, or opened straight from disk.
"""

from __future__ import annotations

import posixpath
import traceback
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes

from podfeed import structured
from podfeed.errors import BuildError
from podfeed.markup import notes_html
from podfeed.model import Chapter, Cue, Episode, Organisation, Person
from podfeed.site import FEED_PATH, NOT_FOUND_PATH, SITEMAP_PATH, Site

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
STATIC_FILES = ("style.css", "player.js")
# A transcript paragraph ends at a new speaker, a new chapter, a pause this long (seconds),
# or at the end of a sentence once it holds this many words.
PARAGRAPH_PAUSE = 2.0
PARAGRAPH_WORDS = 90
_BATCH_CHUNKS = 2000  # chunks of a rendered page encoded at a time
_SENTENCE_END = (".", "?", "!", "…", '."', ".\u201d", "?\u201d", "!\u201d")


def environment(show_root: Path, compiled: Path | None = None) -> jinja2.Environment:
    """Templates from the show's folder, then podfeed's; `compiled` keeps them compiled
    between builds (in the build cache), so an edit need not compile them again."""
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
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
        auto_reload=False,  # one build, one reading of each template: no stat per page
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
    )
    env.filters.update(
        duration=format_duration,
        iso_duration=structured.iso_duration,
        date=format_date,
        filesize=format_size,
        timestamp=format_timestamp,
        seconds=media_seconds,
        json_ld=structured.script_json,
    )
    env.globals["once"] = _once(env)
    return env


# What every page of a site shares: a macro reading no other names gives the same output
# on any page for the same arguments.
SHOW_WIDE = frozenset({"site", "show", "people", "organisations", "feed_path"})


def _once(env: jinja2.Environment) -> Callable[[Any, Any], Any]:
    """The template function `once(macro, value)`: `macro(value)`, made once per build when
    the macro reads nothing but its argument and SHOW_WIDE names, then reused (an episode's
    date and length line, on every list it is in); any other macro is called each time."""
    made: dict[Any, dict[int, tuple[Any, Any]]] = {}  # by macro, by id(value): value, output
    pure: dict[Any, bool] = {}

    def once(macro: Any, value: Any) -> Any:
        code = getattr(getattr(macro, "_func", None), "__code__", None)
        if code not in pure:
            pure[code] = code is not None and _reads_only_its_arguments(env, code, macro.name)
        if not pure[code]:
            return macro(value)
        outputs = made.setdefault(code, {})
        known = outputs.get(id(value))
        if known is None or known[0] is not value:
            known = outputs[id(value)] = (value, macro(value))
        return known[1]

    return once


def _reads_only_its_arguments(env: jinja2.Environment, code: Any, name: str) -> bool:
    """Whether macro `name`, compiled into `code`, reads only its parameters, names it sets
    itself and SHOW_WIDE names (filters are the environment's, the same on every page)."""
    try:
        tree = env.parse(Path(code.co_filename).read_text(encoding="utf-8"))
    except (OSError, jinja2.TemplateSyntaxError):
        return False
    for macro in tree.find_all(jinja2.nodes.Macro):
        if macro.name == name:
            names = list(macro.find_all(jinja2.nodes.Name))
            own = {n.name for n in names if n.ctx in ("store", "param")}
            return all(n.name in own or n.name in SHOW_WIDE for n in names if n.ctx == "load")
    return False


def format_duration(seconds: float) -> str:
    """'34 sec', '32 min', '1 hr 5 min': running time as people say it."""
    total = round(seconds)
    if total < 60:
        return f"{total} sec"
    hours, minutes = divmod(round(total / 60), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} hr {minutes} min" if minutes else f"{hours} hr"


def format_timestamp(seconds: float) -> str:
    """'4:05' or '1:02:03', as players show a position."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def media_seconds(seconds: float) -> str:
    """A time for a media fragment, '#t=9.88': seconds, up to milliseconds."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


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
    return _linker(posixpath.dirname(from_path))(to_path)


def _linker(start: str) -> Callable[[str], str]:
    """`relative` from a page in the folder `start` ('' is the root): posixpath.relpath
    for the clean relative paths of outputs, without its file-system calls (it asks for
    the working folder each time, a tenth of a cold build), and with what depends on
    `start` alone worked out once per page."""
    inside = start + "/"
    up = start.split("/") if start else []
    top = inside[: inside.index("/") + 1]
    out_of_top = "../" * len(up)

    def link(to_path: str) -> str:
        if "://" in to_path:
            return to_path
        target = to_path + "index.html" if to_path == "" or to_path.endswith("/") else to_path
        if not up:  # a page at the root
            return target
        if target.startswith(inside):
            return target[len(inside) :]
        if not target.startswith(top):  # nothing in common: the usual case
            return out_of_top + target
        down = target.split("/")
        common = 0
        for a, b in zip(up, down[:-1], strict=False):
            if a != b:
                break
            common += 1
        return "../" * (len(up) - common) + "/".join(down[common:])

    return link


def render_pages(
    site: Site,
    skip: Collection[str] = (),
    env: jinja2.Environment | None = None,
    notes: Callable[[str], str] = notes_html,
) -> Iterator[tuple[str, bytes]]:
    """Every HTML page, static file and discovery file of the website, as (path, bytes),
    each rendered only when asked for, so a build need not hold them all.

    Pages named in `skip` (unchanged since the last build) are neither rendered nor returned.
    `notes` makes an episode's notes HTML (notes_html, or a helper's answers: notesahead.py).
    """
    env = env or environment(site.content.show.root)
    pages: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
        (
            site.page_path("", number) + "index.html",
            "index.html",
            partial(_home_context, site, paging("", number, len(site.listings)), listed),
        )
        for number, listed in enumerate(site.listings, start=1)
    ]
    ordered = site.episodes
    for position, episode in enumerate(ordered):
        pages.append(
            (
                site.episode_path(episode) + "index.html",
                "episode.html",
                lambda position=position, episode=episode: episode_context(  # type: ignore[misc]
                    site,
                    episode,
                    newer=ordered[position - 1] if position > 0 else None,
                    older=ordered[position + 1] if position + 1 < len(ordered) else None,
                    notes=notes,
                ),
            )
        )
    for person in site.featured_people:
        folder, appearances = site.person_path(person), site.person_pages(person.id)
        for number, roles in enumerate(appearances, start=1):
            place = paging(folder, number, len(appearances))
            context = partial(_person_context, site, person, place, roles)
            pages.append((site.page_path(folder, number) + "index.html", "person.html", context))
    for organisation in site.featured_organisations:
        folder = site.organisation_path(organisation)
        featuring = site.organisation_pages(organisation.id)
        for number, featured in enumerate(featuring, start=1):
            place = paging(folder, number, len(featuring))
            context = partial(_organisation_context, site, organisation, place, featured)
            pages.append(
                (site.page_path(folder, number) + "index.html", "organisation.html", context)
            )
    for path, template_name, make_context in pages:
        if path not in skip:
            yield path, render_page(env, site, path, template_name, make_context())
    # Hosts serve the 404 page at whatever address was asked for: links start at the root.
    not_found = {"page_url": None, "structured_data": None, "link": site.root_relative}
    if NOT_FOUND_PATH not in skip:
        yield NOT_FOUND_PATH, _render(env, site, "404.html", not_found)
    for name in STATIC_FILES:
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        yield name, source.encode("utf-8")
    if SITEMAP_PATH not in skip:
        yield SITEMAP_PATH, structured.sitemap(site)
    yield "robots.txt", structured.robots(site)


def episode_notes(site: Site, skip: Collection[str] = ()) -> list[str]:
    """The notes (Markdown) of the episode pages `render_pages` renders, in its order."""
    pages = ((site.episode_path(e) + "index.html", e.notes_markdown) for e in site.episodes)
    return [notes for path, notes in pages if path not in skip]


def paging(folder: str, number: int, count: int) -> dict[str, Any]:
    """What a page of a list in pages (the home page's, a person's, an organisation's)
    is told of its place: `folder` is the first page's."""
    return {
        "page_folder": folder,
        "page_number": number,
        "page_count": count,
        "newer_page": Site.page_path(folder, number - 1) if number > 1 else None,
        "older_page": Site.page_path(folder, number + 1) if number < count else None,
    }


def _home_context(site: Site, place: dict[str, Any], listed: Sequence[Episode]) -> dict[str, Any]:
    return {**place, "page_episodes": listed, "structured_data": structured.home_data(site, listed)}


def _person_context(
    site: Site, person: Person, place: dict[str, Any], listed: Sequence[tuple[Episode, str]]
) -> dict[str, Any]:
    return {
        **place,
        "person": person,
        "appearances": listed,
        "structured_data": structured.person_data(site, person),
    }


def _organisation_context(
    site: Site, organisation: Organisation, place: dict[str, Any], listed: Sequence[Episode]
) -> dict[str, Any]:
    return {
        **place,
        "organisation": organisation,
        "episodes": listed,
        "members": site.members(organisation.id) if place["page_number"] == 1 else (),
        "structured_data": structured.organisation_data(site, organisation),
    }


def episode_context(
    site: Site,
    episode: Episode,
    newer: Episode | None,
    older: Episode | None,
    notes: Callable[[str], str] = notes_html,
) -> dict[str, Any]:
    """What episode.html is given; `newer` and `older` are its neighbours in site order."""
    return {
        "episode": episode,
        "notes": notes(episode.notes_markdown),
        "transcript": transcript_sections(episode, site.content.show.language),
        "newer": newer,
        "older": older,
        "structured_data": structured.episode_data(site, episode),
    }


def render_page(
    env: jinja2.Environment, site: Site, path: str, template_name: str, context: dict[str, Any]
) -> bytes:
    """One page at output `path`, its links relative to it."""

    link = _linker(posixpath.dirname(path))
    context |= {"page_url": site.url(path.removesuffix("index.html")), "link": link}
    return _render(env, site, template_name, context)


def builtin_sources() -> dict[str, str]:
    """podfeed's own templates, by name."""
    return {path.name: path.read_text(encoding="utf-8") for path in BUILTIN_TEMPLATES.iterdir()}


def template_sources(env: jinja2.Environment) -> dict[str, str]:
    """Every template the site can use, from the show's folder first, by name."""
    assert env.loader is not None
    sources = {}
    for name in sorted(env.loader.list_templates()):
        sources[name], _, _ = env.loader.get_source(env, name)
    return sources


def _render(
    env: jinja2.Environment, site: Site, template_name: str, context: dict[str, Any]
) -> bytes:
    try:
        chunks = env.get_template(template_name).generate(
            site=site,
            show=site.content.show,
            people=site.content.people,
            organisations=site.content.organisations,
            feed_path=FEED_PATH,
            **context,
        )
        # Encoded a batch of chunks at a time: a page listing 10,000 episodes (a show's own
        # template; podfeed's list in pages) is 400,000 chunks, 25 MB as a list of strings
        # where it is 7 MB of bytes.
        parts = []
        while batch := "".join(islice(chunks, _BATCH_CHUNKS)):
            parts.append(batch.encode("utf-8"))
    except jinja2.TemplateError as error:
        file, line = _template_line(error, template_name)
        raise BuildError.single(file, str(error), line=line) from None
    return parts[0] if len(parts) == 1 else b"".join(parts)  # b"" for an empty page


def _template_line(error: jinja2.TemplateError, name: str) -> tuple[Path, int | None]:
    """The template file and line at fault: a syntax error knows them; for an error while
    rendering, Jinja puts the template's own lines in the traceback."""
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if filename is None:
        for frame, number in traceback.walk_tb(error.__traceback__):
            if frame.f_code.co_filename.endswith(".html"):
                filename, line = frame.f_code.co_filename, number
    return Path(filename or name), line


@dataclass
class Paragraph:
    start: float
    end: float
    speaker: str | None
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def ends_sentence(self) -> bool:
        return self.text.rstrip().endswith(_SENTENCE_END)


@dataclass
class TranscriptSection:
    """The transcript of one chapter (or of the whole episode when it has none)."""

    chapter: Chapter | None
    paragraphs: list[Paragraph] = field(default_factory=list)


def transcript_sections(episode: Episode, show_language: str) -> list[TranscriptSection]:
    """The episode's transcript as text to read: chapters, then paragraphs of cues."""
    if not episode.transcripts:
        return []
    preferred = [t for t in episode.transcripts if t.language == show_language]
    transcript = (preferred or list(episode.transcripts))[-1]
    sections: list[TranscriptSection] = []
    for cue in transcript.cues:
        chapter = _chapter_at(episode.chapters, cue.start)
        if not sections or sections[-1].chapter is not chapter:
            sections.append(TranscriptSection(chapter))
        paragraphs = sections[-1].paragraphs
        if not paragraphs or _starts_paragraph(paragraphs[-1], cue):
            paragraphs.append(Paragraph(cue.start, cue.end, cue.speaker))
        paragraphs[-1].lines.append(" ".join(cue.text.split()))
        paragraphs[-1].end = cue.end
    return sections


def _chapter_at(chapters: tuple[Chapter, ...], seconds: float) -> Chapter | None:
    """The chapter playing at `seconds`; a cue starting a moment early counts as in it."""
    current = None
    for chapter in chapters:
        if chapter.start <= seconds + 0.5:
            current = chapter
    return current


def _starts_paragraph(paragraph: Paragraph, cue: Cue) -> bool:
    if cue.speaker != paragraph.speaker or cue.start - paragraph.end >= PARAGRAPH_PAUSE:
        return True
    return len(paragraph.text.split()) >= PARAGRAPH_WORDS and paragraph.ends_sentence()
