"""The bad-input catalogue: a show broken one way at a time, through the CLI.

Each case asserts the exact report (file, line, field and a sentence saying how to fix
it), exit code 1, and that the previously built site is untouched.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from PIL import Image

from podfeed import content
from podfeed.cli import cli
from podfeed.content import SHOW_FIELDS

EP1 = "episodes/01-first-light/episode.md"
EP2 = "episodes/02-second-wind/episode.md"
MP3 = "episodes/01-first-light/episode.mp3"
DATA = Path(__file__).parent / "data"
Mutation = Callable[[Path], None]


def edit(name: str, old: str, new: str) -> Mutation:
    def mutate(show: Path) -> None:
        path = show / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def write(name: str, data: bytes) -> Mutation:
    def mutate(show: Path) -> None:
        (show / name).parent.mkdir(parents=True, exist_ok=True)
        (show / name).write_bytes(data)

    return mutate


def patch_bytes(name: str, old: bytes, new: bytes) -> Mutation:
    def mutate(show: Path) -> None:
        path = show / name
        path.write_bytes(path.read_bytes().replace(old, new, 1))

    return mutate


def truncate(name: str, share: float) -> Mutation:
    def mutate(show: Path) -> None:
        path = show / name
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * share)])

    return mutate


def remove(name: str) -> Mutation:
    return lambda show: (show / name).unlink()


def copy_in(source: Path, name: str) -> Mutation:
    return lambda show: shutil.copyfile(source, show / name)


def symlink_outside(name: str) -> Mutation:
    def mutate(show: Path) -> None:
        outside = show.parent / "outside" / Path(name).name
        outside.parent.mkdir(exist_ok=True)
        (show / name).rename(outside)
        (show / name).symlink_to(outside)

    return mutate


def image(name: str, size: tuple[int, int], mode: str) -> Mutation:
    def mutate(show: Path) -> None:
        Image.new(mode, size, (0, 94, 184, 128)[: len(mode)]).save(show / name)

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(show: Path) -> None:
        for mutation in mutations:
            mutation(show)

    return mutate


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Mutation
    expected: tuple[str, ...]


TZ = "like 2022-05-19T09:00:00+01:00"
SITE = (
    "must be the full address of the website, starting with https:// "
    "(podcast apps refuse feeds served over plain http)."
)
EPISODE_FIELDS = ", ".join(field.name for field in content.EPISODE_FIELDS)

CASES = [
    # --- malformed files ---------------------------------------------------------------
    Case(
        "yaml-show-unclosed-quote",
        edit("podcast.yaml", 'title: "Sample Show: Tests & Tales"', 'title: "Sample Show'),
        (
            "podcast.yaml:1: is not valid YAML (found unexpected end of stream while scanning a quoted scalar); check indentation and quoting.",
        ),
    ),
    Case(
        "yaml-front-matter-bad-indent",
        edit(EP1, "number: 1\n", "number: 1\n  oops: [\n"),
        (
            f"{EP1}:4: is not valid YAML (mapping values are not allowed in this context); check indentation and quoting.",
        ),
    ),
    Case(
        "yaml-explicit-tag-that-does-not-fit",  # PyYAML itself raises ValueError here
        edit(EP1, "number: 1\n", "number: !!int one\n"),
        (f"{EP1}:3: is not valid YAML ('one' is not a valid int); check indentation and quoting.",),
    ),
    Case(
        "front-matter-not-opened",
        edit(EP1, "---\ntitle", "title"),
        (
            f"{EP1}:1: must start with a line '---', then the episode's fields, then another '---' line.",
        ),
    ),
    Case(
        "front-matter-not-closed",
        edit(EP1, "type: full\n---\n", "type: full\n"),
        (f"{EP1}:1: has no closing '---' line after the episode's fields.",),
    ),
    Case(
        "front-matter-is-a-list",
        write(EP1, b"---\n- just a list\n---\nNotes\n"),
        (f"{EP1}: must be a list of fields (key: value), not a list.",),
    ),
    Case(
        "registry-is-a-list",
        write("episodes/people.yaml", b"- ada\n- gwen\n"),
        (
            "episodes/people.yaml: must map each id to its fields, like 'ipsos:' then 'name: Ipsos'.",
        ),
    ),
    # --- unknown and missing fields ------------------------------------------------------
    Case(
        "unknown-episode-field",
        edit(EP1, "explicit: false", "explicit: false\nsesaon: 2"),
        (
            f"{EP1}:15: sesaon: unknown field. Did you mean 'season'? Allowed fields: {EPISODE_FIELDS}.",
        ),
    ),
    Case(
        "unknown-show-field",
        edit("podcast.yaml", "copyright:", "copyrihgt:"),
        (
            "podcast.yaml:17: copyrihgt: unknown field. Did you mean 'copyright'? Allowed fields: "
            f"{', '.join(field.name for field in SHOW_FIELDS)}.",
        ),
    ),
    Case(
        "unknown-person-field",
        edit("episodes/people.yaml", "  job_title: Presenter", "  jobtitle: Presenter"),
        (
            "episodes/people.yaml:3: ada-host.jobtitle: unknown field. Did you mean 'job_title'? "
            "Allowed fields: name, job_title, organisation, link, image.",
        ),
    ),
    Case(
        "missing-title",
        edit(EP1, "title: First light\n", ""),
        (f"{EP1}: title: is required.",),
    ),
    Case(
        "missing-owner",
        edit("podcast.yaml", "owner:\n  name: Sample Owner\n  email: owner@example.org\n", ""),
        ("podcast.yaml: owner: is required. Give owner: name: and email:.",),
    ),
    Case(
        "missing-owner-email",
        edit("podcast.yaml", "  email: owner@example.org\n", ""),
        ("podcast.yaml:8: owner.email: is required.",),
    ),
    Case(
        "missing-organisation-name",
        edit("episodes/organisations.yaml", "  name: Elusen Sampl\n", ""),
        ("episodes/organisations.yaml:5: sample-charity.name: is required.",),
    ),
    # --- wrong types ---------------------------------------------------------------------
    Case(
        "number-as-words",
        edit(EP1, "number: 1", "number: one"),
        (f"{EP1}:3: number: must be a whole number like 1, not 'one'.",),
    ),
    Case(
        "explicit-as-word",
        edit(EP1, "explicit: false", "explicit: clean"),
        (f"{EP1}:14: explicit: must be true or false, not 'clean'.",),
    ),
    Case(
        "people-not-a-list",
        edit(
            EP1,
            "people:\n  - id: ada-host\n    role: host\n  - id: gwen-guest\n    role: guest\n",
            "people: ada-host\n",
        ),
        (f"{EP1}:7: people: must be a list of '- id: …' entries with a role, not 'ada-host'.",),
    ),
    Case(
        "organisations-as-text",
        edit(EP1, "organisations: [sample-trust]", "organisations: sample-trust"),
        (
            f"{EP1}:12: organisations: must be a list of ids, like [nhs-providers, ipsos], not 'sample-trust'.",
        ),
    ),
    Case(
        "title-as-mapping",
        edit(EP1, "title: First light", "title: {en: First light}"),
        (f"{EP1}:2: title: must be text, not a list of fields.",),
    ),
    Case(
        "unknown-role",
        edit(EP1, "    role: host", "    role: presenter"),
        (f"{EP1}:7: people: entry 1: 'presenter' is not one of: host, co-host, guest.",),
    ),
    Case(
        "unknown-organisation-kind",
        edit("episodes/organisations.yaml", "kind: charity", "kind: charty"),
        (
            "episodes/organisations.yaml:7: sample-charity.kind: 'charty' is not one of: "
            "nhs-trust, national-body, membership-body, charity, company, partnership, other. "
            "Did you mean 'charity'?",
        ),
    ),
    Case(
        "registry-id-with-spaces",
        edit("episodes/people.yaml", "sam-solo:", "Sam Solo:"),
        (
            "episodes/people.yaml:10: Sam Solo: id 'Sam Solo' must be lower-case letters, digits "
            "and single hyphens, like 'kings-college-hospital'.",
        ),
    ),
    Case(
        "control-character-in-title",
        edit(EP1, "title: First light", 'title: "First\\u0007light"'),
        (f"{EP1}:2: title: contains an invisible control character; retype the text.",),
    ),
    # --- dates ---------------------------------------------------------------------------
    Case(
        "date-without-time",
        edit(EP1, "released: 2024-03-07T09:00:00+00:00", "released: 2024-03-07"),
        (f"{EP1}:4: released: needs a time and a time zone as well as the date, {TZ}.",),
    ),
    Case(
        "date-without-zone",
        edit(EP1, "released: 2024-03-07T09:00:00+00:00", "released: 2024-03-07 09:00"),
        (f"{EP1}:4: released: needs a time zone, {TZ} (+01:00 is British Summer Time).",),
    ),
    Case(
        "impossible-date",
        edit(EP1, "released: 2024-03-07T09:00:00+00:00", "released: 2023-02-29T09:00:00+00:00"),
        (
            f"{EP1}:4: released: '2023-02-29T09:00:00+00:00' is not a valid date and time; write it {TZ}.",
        ),
    ),
    Case(
        "date-in-words",
        edit(EP1, "released: 2024-03-07T09:00:00+00:00", "released: next Thursday"),
        (f"{EP1}:4: released: 'next Thursday' is not a valid date and time; write it {TZ}.",),
    ),
    # --- duplicates and references -------------------------------------------------------
    Case(
        "duplicate-number",
        edit(EP2, "number: 2", "number: 1"),
        (f"{EP2}:3: number: is the same as in {EP1}; each episode needs its own number.",),
    ),
    Case(
        "duplicate-slug",
        edit(EP2, "audio: episode.m4a", "audio: episode.m4a\nslug: first-light"),
        (f"{EP2}:13: slug: is the same as in {EP1}; each episode needs its own slug.",),
    ),
    Case(
        "duplicate-guid",
        edit(EP2, "guid: urn:sample:episode-2", "guid: 5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01"),
        (f"{EP2}:5: guid: is the same as in {EP1}; each episode needs its own guid.",),
    ),
    Case(
        "numeric-guid",
        edit(EP2, "guid: urn:sample:episode-2", "guid: 1e5"),
        (
            f"{EP2}:5: guid: '1e5' looks like a number, which some podcast apps rewrite (00042 becomes 42); use a UUID instead.",
        ),
    ),
    Case(
        "unknown-person",
        edit(EP2, "  - sam-solo", "  - sam-sollo"),
        (
            f"{EP2}:10: people[1].id: 'sam-sollo' is not in episodes/people.yaml; add them there or fix the id. Did you mean 'sam-solo'?",
        ),
    ),
    Case(
        "unknown-organisation",
        edit(EP1, "organisations: [sample-trust]", "organisations: [sample-trusts]"),
        (
            f"{EP1}:12: organisations[0]: 'sample-trusts' is not in episodes/organisations.yaml; add it there or fix the id. Did you mean 'sample-trust'?",
        ),
    ),
    Case(
        "person-organisation-missing",
        edit(
            "episodes/people.yaml",
            "  organisation: sample-trust\n  link",
            "  organisation: other-trust\n  link",
        ),
        (
            "episodes/people.yaml:8: gwen-guest.organisation: 'other-trust' is not in organisations.yaml. Did you mean 'sample-trust'?",
        ),
    ),
    # --- media ---------------------------------------------------------------------------
    Case(
        "audio-missing",
        remove(MP3),
        (f"{MP3}: This audio file does not exist; add it, or correct the file name.",),
    ),
    Case(
        "audio-empty",
        write(MP3, b""),
        (
            f"{MP3}: This audio file is empty (0 bytes), probably from a failed copy or upload; copy the exported audio file in again.",
        ),
    ),
    Case(
        "audio-truncated",
        truncate(MP3, 0.5),
        (
            f"{MP3}: This MP3 file is cut short: only 43% of its audio is there, probably because a copy or upload stopped early; copy or export the file again.",
        ),
    ),
    Case(
        "audio-not-audio",
        copy_in(DATA / "not-audio.mp3", MP3),
        (
            f"{MP3}: This is not an audio file podfeed can read (MP3, M4A/AAC, Ogg Vorbis/Opus or FLAC); export the episode in one of those formats.",
        ),
    ),
    Case(
        "audio-extension-lies",
        copy_in(DATA / "ogg-named.mp3", MP3),
        (
            f"{MP3}: The file name ends in '.mp3', which says MP3, but the file holds Ogg Vorbis audio; rename it to end in '.ogg', or export the episode again as MP3.",
        ),
    ),
    # --- encodings -----------------------------------------------------------------------
    Case(
        "invalid-utf8-episode",
        patch_bytes(EP1, b"First light", b"First \xe9light"),
        (f"{EP1}:2: is not UTF-8 text; save it with UTF-8 encoding in your editor.",),
    ),
    Case(
        "invalid-utf8-registry",
        patch_bytes("episodes/people.yaml", b"Gwen", b"Gw\xffen"),
        ("episodes/people.yaml:6: is not UTF-8 text; save it with UTF-8 encoding in your editor.",),
    ),
    # --- lengths -------------------------------------------------------------------------
    Case(
        "title-too-long",
        edit(EP1, "title: First light", "title: " + "Long " * 60),
        (
            f"{EP1}:2: title: is 299 characters long; podcast apps accept at most 255, so shorten it.",
        ),
    ),
    Case(
        "summary-too-long",
        edit(EP1, "summary: The first episode, in MP3.", "summary: " + "Ŵ" * 2500),
        (
            f"{EP1}:6: summary: is 5000 bytes long; podcast apps accept at most 4000, so shorten it.",
        ),
    ),
    # --- addresses and paths -------------------------------------------------------------
    Case(
        "site-url-relative",
        edit("podcast.yaml", "site_url: https://sample.example.org/podcast", "site_url: /podcast"),
        (f"podcast.yaml:15: site_url: '/podcast' {SITE}",),
    ),
    Case(
        "site-url-http",
        edit(
            "podcast.yaml",
            "site_url: https://sample.example.org/podcast",
            "site_url: http://sample.example.org",
        ),
        (f"podcast.yaml:15: site_url: 'http://sample.example.org' {SITE}",),
    ),
    Case(
        "link-not-https",
        edit(
            "episodes/people.yaml",
            "link: https://example.org/gwen",
            "link: http://example.org/gwen",
        ),
        (
            "episodes/people.yaml:9: gwen-guest.link: 'http://example.org/gwen' must be a full web address starting with https://.",
        ),
    ),
    Case(
        "audio-path-climbs-out",
        edit(EP1, "audio: episode.mp3", "audio: ../02-second-wind/episode.m4a"),
        (
            f"{EP1}:13: audio: '../02-second-wind/episode.m4a' must not use '..' to reach outside this folder.",
        ),
    ),
    Case(
        "audio-path-absolute",
        edit(EP1, "audio: episode.mp3", "audio: /etc/hostname"),
        (
            f"{EP1}:13: audio: '/etc/hostname' must be a file name relative to this folder, not a full path.",
        ),
    ),
    Case(
        "audio-symlink-outside",
        symlink_outside(MP3),
        (f"{EP1}:13: audio: 'episode.mp3' links to a file outside the show.",),
    ),
    Case(
        "artwork-path-climbs-out",
        edit("podcast.yaml", "artwork: artwork.png", "artwork: ../artwork.png"),
        (
            "podcast.yaml:16: artwork: '../artwork.png' must not use '..' to reach outside this folder.",
        ),
    ),
    Case(
        "artwork-symlink-outside",
        symlink_outside("artwork.png"),
        ("podcast.yaml:16: artwork: 'artwork.png' is a link to a file outside the show's folder.",),
    ),
    Case(
        "artwork-missing",
        remove("artwork.png"),
        ("podcast.yaml:16: artwork: 'artwork.png' does not exist in the show's folder.",),
    ),
    Case(
        "artwork-wrong-format",
        both(
            copy_in(Path(__file__).parents[1] / "artwork.png", "artwork.gif"),
            edit("podcast.yaml", "artwork: artwork.png", "artwork: artwork.gif"),
        ),
        ("podcast.yaml:16: artwork: 'artwork.gif' must be a PNG (.png) or JPEG (.jpg) image.",),
    ),
    Case(
        "artwork-jpeg-named-png",
        copy_in(Path(__file__).parent / "data" / "cover.jpg", "artwork.png"),
        ("podcast.yaml:16: artwork: 'artwork.png' is a JPEG image named .png; rename it to .jpg.",),
    ),
    Case(
        "artwork-not-an-image",
        write("artwork.png", b"not a picture"),
        (
            "podcast.yaml:16: artwork: 'artwork.png' is not a PNG or JPEG image; export the artwork as PNG.",
        ),
    ),
    Case(
        "artwork-too-small",
        image("artwork.png", (600, 600), "RGB"),
        (
            "podcast.yaml:16: artwork: The artwork is 600×600 pixels; Apple needs 1400×1400 to 3000×3000. [R60, Apple]",
        ),
    ),
    Case(
        "artwork-not-square",
        image("artwork.png", (1400, 2000), "RGB"),
        (
            "podcast.yaml:16: artwork: The artwork is 1400×2000 pixels; it must be square. [R59, Apple]",
        ),
    ),
    Case(
        "artwork-transparent",
        image("artwork.png", (1400, 1400), "RGBA"),
        (
            "podcast.yaml:16: artwork: The artwork has transparency; Apple needs RGB colour without transparency. [R61, Apple]",
        ),
    ),
    # --- folders, transcripts, chapters --------------------------------------------------
    Case(
        "folder-without-episode",
        write("episodes/03-next/notes.md", b"draft"),
        (
            "episodes/03-next: has no episode.md; each folder in episodes/ is an episode (start its name with _ to keep a folder that is not).",
        ),
    ),
    Case(
        "folder-name-makes-bad-slug",
        lambda show: (show / "episodes/02-second-wind").rename(show / "episodes/02 Second Wind"),
        (
            "episodes/02 Second Wind: folder name makes the web address '02 second wind'; rename the folder to lower-case letters, digits and hyphens, or set slug: in episode.md.",
        ),
    ),
    Case(
        "transcript-symlink-outside",
        both(
            write(
                "episodes/01-first-light/transcript.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n"
            ),
            symlink_outside("episodes/01-first-light/transcript.vtt"),
        ),
        (
            "episodes/01-first-light/transcript.vtt: is a link to something outside the show's folder; copy the file in.",
        ),
    ),
    Case(
        "episode-folder-symlink-outside",
        symlink_outside("episodes/02-second-wind"),
        (
            "episodes/02-second-wind: is a link to something outside the show's folder; copy the folder in.",
        ),
    ),
    Case(
        "episodes-folder-symlink-outside",
        symlink_outside("episodes"),
        (
            "episodes/01-first-light: is a link to something outside the show's folder; copy the folder in.",
            "episodes/02-second-wind: is a link to something outside the show's folder; copy the folder in.",
        ),
    ),
    Case(
        "transcript-broken",
        write("episodes/01-first-light/transcript.vtt", b"WEBVTT\n\n00:01.000 --> 00:00.500\nHi\n"),
        ("episodes/01-first-light/transcript.vtt:3: has a cue that ends before it starts.",),
    ),
    Case(
        "chapters-broken",
        write(
            "episodes/01-first-light/chapters.json",
            b'{"version": "1.2.0", "chapters": [{"title": "x"}]}',
        ),
        (
            "episodes/01-first-light/chapters.json: chapters[0]: needs a startTime in seconds, like 0 or 93.5.",
        ),
    ),
]


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def built_show(sample_show: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(sample_show)
    result = CliRunner().invoke(cli, ["build", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return sample_show


def test_the_catalogue_is_large_and_distinct() -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(built_show: Path, case: Case) -> None:
    before = tree(built_show / "public")
    case.mutate(built_show)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    count = len(case.expected)
    assert lines[0] == f"podfeed found {count} problem{'s' if count > 1 else ''}:"
    reported = [line.removeprefix("  ") for line in lines[1:]]
    assert len(reported) == count, result.output
    assert reported == list(case.expected)
    assert tree(built_show / "public") == before, "a failed build must not touch public/"
    # The back buffer of the build before stays (publish.py); no temporary folder does.
    leftovers = [p.name for p in built_show.iterdir() if p.name.startswith(".podfeed")]
    assert leftovers == [".podfeed-back-public"]


def test_many_problems_in_many_files_come_in_one_report(built_show: Path) -> None:
    for mutation in (
        edit("podcast.yaml", "language: cy", "language: Cymraeg"),
        edit(EP1, "number: 1", "number: -1"),
        edit(EP2, "  - sam-solo", "  - nobody"),
        remove("episodes/02-second-wind/episode.m4a"),
    ):
        mutation(built_show)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "podfeed found 4 problems:",
        "  podcast.yaml:11: language: 'Cymraeg' is not a language code like en-GB or cy.",
        f"  {EP1}:3: number: must be 1 or more, not -1.",
        "  episodes/02-second-wind/episode.m4a: This audio file does not exist; add it, or correct the file name.",
        f"  {EP2}:10: people[1].id: 'nobody' is not in episodes/people.yaml; add them there or fix the id.",
    ]


# --- input that looks unusual but must work ----------------------------------------------

GOOD = {
    "byte-order-mark": patch_bytes(EP1, b"---\n", b"\xef\xbb\xbf---\n"),
    "windows-line-endings": lambda show: (show / EP1).write_bytes(
        (show / EP1).read_bytes().replace(b"\n", b"\r\n")
    ),
    "welsh": edit(
        EP1, "title: First light", "title: Ymddiriedolaeth GIG Caerdydd a\u2019r Fro — ŵ ŷ"
    ),
    "emoji": edit("episodes/people.yaml", "name: Ada Host", "name: Ada 🎧 Host 👩🏽‍⚕️"),
    "right-to-left": edit(EP1, "title: First light", "title: مرحبا بكم في الحلقة الأولى שלום"),
    "long-notes": lambda show: (show / EP1).write_text(
        (show / EP1).read_text() + "\n\n" + "A long paragraph of notes. " * 20_000
    ),
    "title-at-the-limit": edit(EP1, "title: First light", "title: " + "x" * 255),
}


@pytest.mark.parametrize("mutate", GOOD.values(), ids=GOOD.keys())
def test_unusual_but_valid_input_builds(
    sample_show: Path, tmp_path: Path, mutate: Mutation
) -> None:
    mutate(sample_show)
    result = CliRunner().invoke(
        cli, ["build", "--show", str(sample_show), "--out", str(tmp_path / "out"), "-q"]
    )
    assert result.exit_code == 0, result.output
    feed = etree.parse(str(tmp_path / "out" / "feed.xml"))
    titles = feed.xpath("//item/title/text()")
    assert len(titles) == 2
    pages = list((tmp_path / "out" / "episodes").glob("*/index.html"))
    assert len(pages) == 2
