"""Load the show from plain files: podcast.yaml, the registries and the episode folders.

Every problem in every file is collected, so one run tells the comms team everything
that needs fixing. Cross-file rules (ids that must exist, numbers that must be unique)
live in `validate.py`; this module only reads and checks each file on its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, ParamSpec, Protocol, TypeVar

from podfeed import fields as f
from podfeed import remote
from podfeed.errors import ContentError, Problem
from podfeed.model import (
    EPISODE_FILE,
    Appearance,
    Content,
    Episode,
    Funding,
    Organisation,
    Owner,
    PartialContent,
    Person,
    Show,
    Transcript,
)
from podfeed.standards import MEDIUMS
from podfeed.transcripts import CHAPTERS_FILE, find_transcripts

P = ParamSpec("P")
T = TypeVar("T")

SHOW_FILE = "podcast.yaml"
EPISODES_DIR = "episodes"
PEOPLE_FILE = "people.yaml"
ORGANISATIONS_FILE = "organisations.yaml"

ROLES = ("host", "co-host", "guest")
ORGANISATION_KINDS = (
    "nhs-trust",
    "national-body",
    "membership-body",
    "charity",
    "company",
    "partnership",
    "other",
)
ARTWORK_SUFFIXES = (".png", ".jpg", ".jpeg")

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_NUMERIC = re.compile(r"^[0-9.eE+-]+$")


def language(value: Any) -> str:
    result = f.line(value)
    if not _LANGUAGE.match(result):
        raise f.FieldError(f"'{result}' is not a language code like en-GB or cy.")
    return result


def guid(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise f.FieldError(
            "looks like a number, which YAML and some podcast apps rewrite (00042 becomes 42); "
            "use a UUID instead."
        )
    result = f.line(value)
    if re.search(r"\s", result):
        raise f.FieldError("must not contain spaces.")
    if _NUMERIC.match(result):
        raise f.FieldError(
            f"'{result}' looks like a number, which some podcast apps rewrite (00042 becomes 42); "
            "use a UUID instead."
        )
    return result


def appearances(value: Any) -> tuple[Appearance, ...]:
    """`- id: x` with an optional `role:` (guest by default), or just `- x`."""
    if not isinstance(value, list):
        raise f.FieldError(
            f"must be a list of '- id: …' entries with a role, not {f.describe(value)}."
        )
    result: list[Appearance] = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            item = {"id": item}
        unknown = sorted(set(item) - {"id", "role"})
        if unknown:
            raise f.FieldError(f"entry {index} has unknown field '{unknown[0]}'; use id and role.")
        if not item.get("id"):
            raise f.FieldError(f"entry {index} needs an id from people.yaml.")
        try:
            person = f.identifier(item["id"])
            role = f.choice(*ROLES)(item.get("role") or "guest")
        except f.FieldError as error:
            raise f.FieldError(f"entry {index}: {error}") from None
        result.append(Appearance(person, role))
    ids = [a.person for a in result]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise f.FieldError(f"lists {', '.join(duplicates)} more than once.")
    return tuple(result)


TITLE = f.limited(f.line, 255)
TEXT = f.limited(f.text, 4000, "bytes")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def uuid_text(value: Any) -> str:
    result = f.line(value).lower()
    if not _UUID.match(result):
        raise f.FieldError(f"'{result}' is not a UUID like ead4c236-bf58-58c6-a2c6-a6b28d128cb6.")
    return result


def funding(value: Any) -> tuple[Funding, ...]:
    """`- url: https://… ` with `text:` saying what the link is for."""
    items = value if isinstance(value, list) else [value]
    result = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) != {"url", "text"}:
            raise f.FieldError(f"entry {index} needs exactly url: and text:.")
        try:
            result.append(Funding(f.web_url(item["url"]), f.line(item["text"])))
        except f.FieldError as error:
            raise f.FieldError(f"entry {index}: {error}") from None
    return tuple(result)


SHOW_FIELDS = (
    f.Field("title", TITLE, required=True, help="Give the podcast's name."),
    f.Field("subtitle", f.limited(f.line, 255)),
    f.Field("description", TEXT, required=True, help="Describe the show in plain text."),
    f.Field("author", f.line, required=True, help="Name who makes the show."),
    f.Field("owner", lambda v: v, required=True, help="Give owner: name: and email:."),
    f.Field("language", language, required=True, help="Use a code like en-GB."),
    f.Field("category", f.line, required=True, help="Use an Apple Podcasts category."),
    f.Field("subcategory", f.line),
    f.Field("explicit", f.boolean, default=False),
    f.Field("type", f.choice("episodic", "serial"), default="episodic"),
    f.Field("site_url", f.site_url, required=True, help="Give the website's https:// address."),
    f.Field("artwork", remote.media_source, required=True, help="Name a square PNG or JPEG file."),
    f.Field("copyright", f.line, default=""),
    f.Field("apple_podcasts_url", f.web_url),
    f.Field("spotify_url", f.web_url),
    f.Field("podcast_guid", uuid_text),
    f.Field("locked", f.boolean, default=True),
    f.Field("medium", f.choice(*MEDIUMS)),  # the Podcast Index's list
    f.Field("funding", funding, default=()),
    f.Field("license", f.line),
    f.Field("license_url", f.web_url),
    f.Field("hosts", f.identifiers, default=()),
    f.Field("feed_episodes", f.positive_int),
    f.Field("episodes_per_page", f.positive_int, default=50),
    f.Field("link_audio", f.boolean, default=False),
)
OWNER_FIELDS = (
    f.Field("name", f.line, required=True),
    f.Field("email", f.email, required=True),
)
PERSON_FIELDS = (
    f.Field("name", f.line, required=True),
    f.Field("job_title", f.line),
    f.Field("organisation", f.identifier),
    f.Field("link", f.web_url),
    f.Field("image", f.web_url),
)
ORGANISATION_FIELDS = (
    f.Field("name", f.line, required=True),
    f.Field("kind", f.choice(*ORGANISATION_KINDS), required=True),
    f.Field("website", f.web_url),
)
EPISODE_FIELDS = (
    f.Field("title", TITLE, required=True),
    f.Field("number", f.positive_int, required=True),
    f.Field("season", f.positive_int),
    f.Field(
        "released", f.zoned_datetime, required=True, help="Write it like 2022-05-19T09:00:00+01:00."
    ),
    f.Field("guid", guid),  # required unless feed_guid is given; see load_episode
    f.Field("summary", TEXT, required=True, help="Describe the episode in a sentence or two."),
    f.Field("people", appearances, default=()),
    f.Field("organisations", f.identifiers, default=()),
    f.Field(
        "audio", remote.media_source, required=True, help="Name the audio file in this folder."
    ),
    f.Field("explicit", f.boolean),
    f.Field("type", f.choice("full", "trailer", "bonus"), default="full"),
    f.Field("slug", f.identifier),
    f.Field("draft", f.boolean, default=False),
    f.Field("feed_guid", remote.feed_guid),
    f.Field("remote_audio", remote.remote_audio),
    f.Field("chapters_url", remote.any_web_url),
    f.Field("transcripts", remote.transcript_links, default=()),
)
GUID_HELP = "Add a permanent unique id that never changes, such as a UUID."


def load_content(root: Path, site_url: str | None = None) -> Content:
    """Read the whole show, raising one ContentError that lists every problem found."""
    partial, problems = collect_content(root, site_url)
    content = partial.complete()
    if problems or content is None:
        raise ContentError(problems)
    return content


class Loads(Protocol):
    """Stands in for the loaders, e.g. to answer from the build cache (cache.py)."""

    def load_episode(
        self, load: Callable[..., Episode], folder: Path, root: Path, explicit: bool, language: str
    ) -> Episode: ...

    def load_file(self, load: Callable[[Path], T], path: Path) -> T: ...


def collect_content(
    root: Path, site_url: str | None = None, loads: Loads | None = None
) -> tuple[PartialContent, list[Problem]]:
    """Read what can be read and list every problem, so later stages can add theirs.

    `loads` may answer for the loaders of episodes, people and organisations.
    """
    problems: list[Problem] = []
    show = _collect(problems, load_show, root, site_url)
    people_file = root / EPISODES_DIR / PEOPLE_FILE
    organisations_file = root / EPISODES_DIR / ORGANISATIONS_FILE
    if loads is None:
        people = _collect(problems, load_people, people_file)
        organisations = _collect(problems, load_organisations, organisations_file)
    else:
        people = _collect(problems, loads.load_file, load_people, people_file)
        organisations = _collect(problems, loads.load_file, load_organisations, organisations_file)
    explicit = show.explicit if show else False
    language = show.language if show else "en"
    episodes = [
        _collect(problems, load_episode, folder, root, explicit, language)
        if loads is None
        else _collect(problems, loads.load_episode, load_episode, folder, root, explicit, language)
        for folder in episode_folders(root, problems)
    ]
    partial = PartialContent(
        root, show, people, organisations, tuple(e for e in episodes if e is not None)
    )
    return partial, problems


def _collect(
    problems: list[Problem], load: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """Run one loader, keeping its problems so the others still run."""
    try:
        return load(*args, **kwargs)
    except ContentError as error:
        problems.extend(error.problems)
        return None


def load_show(root: Path, site_url: str | None = None) -> Show:
    path = root / SHOW_FILE
    if not path.is_file():
        raise ContentError.single(
            path, f"is missing; is {root} the folder of a show? It needs a {SHOW_FILE}."
        )
    source = f.read_text(path)
    data = f.load_yaml(source, path)
    if site_url is not None:
        data = {**data, "site_url": site_url} if isinstance(data, dict) else data
    values = f.read_fields(data, SHOW_FIELDS, path)
    problems = list(values.problems)
    owner = None
    if values["owner"] is not None:
        owner_values = f.read_fields(values["owner"], OWNER_FIELDS, path, prefix="owner.")
        problems += owner_values.problems
        owner = Owner(owner_values["name"], owner_values["email"])
    artwork = None
    artwork_url = values["artwork"] if isinstance(values["artwork"], str) else None
    if values["artwork"] is not None and artwork_url is None:
        try:
            artwork = inside(root, root, values["artwork"])
            check_artwork_format(artwork, values["artwork"])
        except f.FieldError as error:
            problems.append(Problem(path, str(error), "artwork"))
    problems = f.with_lines(problems, source)
    if problems:
        raise ContentError(problems)
    assert owner is not None and (artwork is not None or artwork_url is not None)
    # Fields are named as in podcast.yaml, so a new setting needs no line here.
    settings = {k: v for k, v in values.values.items() if k not in ("owner", "artwork", "type")}
    return Show(
        root=root,
        owner=owner,
        artwork=artwork,
        artwork_url=artwork_url,
        show_type=values["type"],
        **settings,
    )


def check_artwork_format(path: Path, name: PurePosixPath) -> None:
    """Apple wants the file type in the name to match the file; check the first bytes."""
    suffix = path.suffix.lower()
    if suffix not in ARTWORK_SUFFIXES:
        raise f.FieldError(f"'{name}' must be a PNG (.png) or JPEG (.jpg) image.")
    with path.open("rb") as file:
        head = file.read(8)
    actual = (
        "png" if head == b"\x89PNG\r\n\x1a\n" else "jpeg" if head[:3] == b"\xff\xd8\xff" else None
    )
    expected = "png" if suffix == ".png" else "jpeg"
    if actual is None:
        raise f.FieldError(f"'{name}' is not a PNG or JPEG image; export the artwork as PNG.")
    if actual != expected:
        raise f.FieldError(
            f"'{name}' is a {actual.upper()} image named {suffix}; rename it to "
            f"{'.png' if actual == 'png' else '.jpg'}."
        )


def inside(folder: Path, root: Path, relative: PurePosixPath) -> Path:
    """The file `relative` in `folder`, refusing anything that resolves outside the show."""
    path = folder.joinpath(*relative.parts)
    if not path.is_file():
        raise f.FieldError(f"'{relative}' does not exist in the show's folder.")
    if not path.resolve().is_relative_to(root.resolve()):
        raise f.FieldError(f"'{relative}' is a link to a file outside the show's folder.")
    return path


def _load_registry(path: Path, table: tuple[f.Field, ...]) -> dict[str, f.Fields]:
    if not path.exists():
        return {}
    source = f.read_text(path)
    data = f.load_yaml(source, path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError.single(
            path, "must map each id to its fields, like 'ipsos:' then 'name: Ipsos'."
        )
    problems: list[Problem] = []
    entries: dict[str, f.Fields] = {}
    for key, record in data.items():
        try:
            f.identifier(key)
        except f.FieldError as error:
            problems.append(Problem(path, f"id {error}", str(key)))
            continue
        entries[key] = f.read_fields(record, table, path, prefix=f"{key}.")
        problems += entries[key].problems
    problems = f.with_lines(problems, source)
    if problems:
        raise ContentError(problems)
    return entries


def load_people(path: Path) -> dict[str, Person]:
    return {
        key: Person(
            id=key,
            name=v["name"],
            job_title=v["job_title"],
            organisation=v["organisation"],
            link=v["link"],
            image=v["image"],
        )
        for key, v in _load_registry(path, PERSON_FIELDS).items()
    }


def load_organisations(path: Path) -> dict[str, Organisation]:
    return {
        key: Organisation(id=key, name=v["name"], kind=v["kind"], website=v["website"])
        for key, v in _load_registry(path, ORGANISATION_FIELDS).items()
    }


def episode_folders(root: Path, problems: list[Problem]) -> list[Path]:
    """Every folder under episodes/ is an episode, so a misnamed file is reported, not skipped."""
    base = root / EPISODES_DIR
    if not base.is_dir():
        return []
    with os.scandir(base) as entries:  # no stat per entry: a big show has thousands
        names = sorted(e.name for e in entries if e.is_dir() and e.name[:1] not in "._")
    folders = []
    for name in names:
        folder = base / name
        if not os.path.isfile(os.path.join(base, name, EPISODE_FILE)):
            problems.append(
                Problem(
                    folder,
                    f"has no {EPISODE_FILE}; each folder in {EPISODES_DIR}/ is an episode "
                    "(start its name with _ to keep a folder that is not).",
                )
            )
            continue
        folders.append(folder)
    return folders


def split_front_matter(source: str, path: Path) -> tuple[str, str]:
    """Split '---' YAML front matter from the Markdown notes that follow it."""
    if not source.startswith("---\n"):
        raise ContentError.single(
            path,
            "must start with a line '---', then the episode's fields, then another '---' line.",
            line=1,
        )
    end = source.find("\n---\n", 3)
    if end == -1:
        if source.endswith("\n---"):
            end = len(source) - 4
        else:
            raise ContentError.single(
                path, "has no closing '---' line after the episode's fields.", line=1
            )
    return source[4 : end + 1], source[end + 5 :]


def locate(problems: list[Problem]) -> list[Problem]:
    """Add line numbers to problems found after loading, by re-reading only those files."""
    by_file: dict[Path, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    located: dict[Path, list[Problem]] = {}
    for path, found in by_file.items():
        try:
            source = f.read_text(path)
            if path.name == EPISODE_FILE:
                source, _ = split_front_matter(source, path)
                located[path] = f.with_lines(found, source, first_line=2)
            else:
                located[path] = f.with_lines(found, source)
        except ContentError:
            located[path] = found
    return [located[p.file].pop(0) for p in problems]


def default_slug(folder: Path) -> str:
    """'01-how-is-the-nhs…' → 'how-is-the-nhs…': the number prefix only orders folders."""
    return re.sub(r"^\d+[-_]", "", folder.name).lower()


def _inside(folder: Path, root: Path) -> bool:
    """Whether an episode folder resolves to a place inside the show. When neither it nor
    the episodes folder is a link, it does: resolving every folder on the way, for each
    episode, took a tenth of loading a big show."""
    parent = folder.parent
    if parent == root / EPISODES_DIR and not (folder.is_symlink() or parent.is_symlink()):
        return True
    return folder.resolve().is_relative_to(root.resolve())


def load_episode(
    folder: Path, root: Path, show_explicit: bool, show_language: str = "en"
) -> Episode:
    path = folder / EPISODE_FILE
    if not _inside(folder, root):
        raise ContentError.single(
            folder, "is a link to something outside the show's folder; copy the folder in."
        )
    source = f.read_text(path)
    # One listing of the folder: name → whether it is a symbolic link. Only a link can
    # lead out of the show, the folder itself being inside it.
    with os.scandir(folder) as entries:
        listing = {entry.name: entry.is_symlink() for entry in entries}

    def outside_show(file: Path) -> bool:
        if file.parent == folder and not listing.get(file.name, True):
            return False
        return file.exists() and not file.resolve().is_relative_to(root.resolve())

    front, notes = split_front_matter(source, path)
    data = f.load_yaml(front, path, first_line=2)
    values = f.read_fields(data, EPISODE_FIELDS, path)
    problems = list(values.problems)
    slug = values["slug"] or default_slug(folder)
    if values["slug"] is None:
        try:
            f.identifier(slug)
        except f.FieldError:
            problems.append(
                Problem(
                    folder,
                    f"folder name makes the web address '{slug}'; rename the folder to "
                    "lower-case letters, digits and hyphens, or set slug: in episode.md.",
                )
            )
    given = data if isinstance(data, dict) else {}
    if isinstance(data, dict) and all(given.get(n) in (None, "") for n in ("guid", "feed_guid")):
        problems.append(Problem(path, f"is required. {GUID_HELP}", "guid"))
    audio_url = values["audio"] if isinstance(values["audio"], str) else None
    if (audio_url is None) == (values["remote_audio"] is not None) and values["audio"]:
        problems.append(
            Problem(
                path,
                "goes with an audio: web address, giving the original feed's length, type and "
                "duration."
                if audio_url is None
                else "is needed for audio hosted elsewhere: add remote_audio: with the length, "
                "type and duration the original feed gave.",
                "remote_audio",
            )
        )
    audio_path = folder
    if values["audio"] is not None and audio_url is None:
        audio_path = folder.joinpath(*values["audio"].parts)
        if outside_show(audio_path):
            problems.append(
                Problem(path, f"'{values['audio']}' links to a file outside the show.", "audio")
            )
    problems = f.with_lines(problems, front, first_line=2)
    chapters_file = folder / CHAPTERS_FILE
    transcript_names = sorted(n for n in listing if n.startswith("transcript"))
    has_chapters = CHAPTERS_FILE in listing and chapters_file.is_file()
    # A link that leads out of the show would publish whatever it points at.
    candidates = [path, chapters_file, *(folder / n for n in transcript_names)]
    outside = [p for p in candidates if p.name in listing and outside_show(p)]
    for linked in outside:
        problems.append(
            Problem(linked, "is a link to something outside the show's folder; copy the file in.")
        )
    transcripts: tuple[Transcript, ...] = ()
    if not outside:
        try:
            transcripts = find_transcripts(folder, show_language, transcript_names)
        except ContentError as error:
            problems += error.problems
    if problems:
        raise ContentError(problems)
    return Episode(
        folder=folder,
        slug=slug,
        title=values["title"],
        number=values["number"],
        season=values["season"],
        released=values["released"],
        guid=values["guid"] or values["feed_guid"],
        summary=values["summary"],
        notes_markdown=notes.strip() + "\n",
        people=values["people"],
        organisations=values["organisations"],
        audio_path=audio_path,
        explicit=show_explicit if values["explicit"] is None else values["explicit"],
        episode_type=values["type"],
        draft=values["draft"],
        audio_url=audio_url,
        remote_audio=values["remote_audio"],
        chapters_url=values["chapters_url"],
        transcript_links=values["transcripts"],
        transcripts=transcripts,
        chapters_file=chapters_file if has_chapters else None,
    )
