"""Bad content gives errors that name the file, the field and the line, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from podfeed.build import build
from podfeed.content import load_content
from podfeed.errors import PodfeedError

EP1 = "episodes/01-first-light/episode.md"
EP2 = "episodes/02-second-wind/episode.md"


def edit(show: Path, name: str, old: str, new: str) -> None:
    path = show / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(show: Path, tmp_path: Path) -> list[str]:
    with pytest.raises(PodfeedError) as caught:
        build(show, tmp_path / "out")
    return [str(p).replace(str(show) + "/", "") for p in caught.value.problems]


def test_loads_the_sample_show(sample_show: Path) -> None:
    content = load_content(sample_show)
    assert content.show.title == "Sample Show: Tests & Tales"
    assert content.show.site_url == "https://sample.example.org/podcast"
    assert [e.slug for e in content.episodes] == ["first-light", "second-wind"]
    second = content.episodes[1]
    assert [(a.person, a.role) for a in second.people] == [
        ("ada-host", "host"),
        ("sam-solo", "guest"),
    ]
    assert second.explicit is False, "inherits the show's explicit setting"
    assert second.released.utcoffset() is not None


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (EP1, "title: First light\n", "", f"{EP1}: title: is required."),
        (
            EP1,
            "summary:",
            "sumary:",
            f"{EP1}:6: sumary: unknown field. Did you mean 'summary'? Allowed fields: title, "
            "number, season, released, guid, summary, people, organisations, audio, explicit, "
            "type, slug, draft, feed_guid, remote_audio, chapters_url, transcripts.\n"
            f"{EP1}: summary: is required. Describe the episode in a sentence or two.",
        ),
        (
            EP1,
            "released: 2024-03-07T09:00:00+00:00",
            "released: 2024-03-07",
            f"{EP1}:4: released: needs a time and a time zone as well as the date, like "
            "2022-05-19T09:00:00+01:00.",
        ),
        (
            EP1,
            "released: 2024-03-07T09:00:00+00:00",
            "released: 2024-03-07T09:00:00",
            f"{EP1}:4: released: needs a time zone, like 2022-05-19T09:00:00+01:00 "
            "(+01:00 is British Summer Time).",
        ),
        (
            EP1,
            "released: 2024-03-07T09:00:00+00:00",
            "released: 2024-02-30T09:00:00+00:00",
            f"{EP1}:4: released: '2024-02-30T09:00:00+00:00' is not a valid date and time; "
            "write it like 2022-05-19T09:00:00+01:00.",
        ),
        (
            EP1,
            "number: 1",
            "number: one",
            f"{EP1}:3: number: must be a whole number like 1, not 'one'.",
        ),
        (
            EP1,
            "explicit: false",
            "explicit: maybe",
            f"{EP1}:14: explicit: must be true or false, not 'maybe'.",
        ),
        (
            EP1,
            "type: full",
            "type: ful",
            f"{EP1}:15: type: 'ful' is not one of: full, trailer, bonus. Did you mean 'full'?",
        ),
        (
            EP1,
            "guid: 5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01",
            "guid: 00042",
            f"{EP1}:5: guid: looks like a number, which YAML and some podcast apps rewrite "
            "(00042 becomes 42); use a UUID instead.",
        ),
        (
            EP1,
            "audio: episode.mp3",
            "audio: ../../secret.mp3",
            f"{EP1}:13: audio: '../../secret.mp3' must not use '..' to reach outside this folder.",
        ),
        (
            EP1,
            "audio: episode.mp3",
            "audio: /etc/passwd",
            f"{EP1}:13: audio: '/etc/passwd' must be a file name relative to this folder, "
            "not a full path.",
        ),
        (
            EP1,
            "  - id: gwen-guest",
            "  - id: gwen-gust",
            f"{EP1}:10: people[1].id: 'gwen-gust' is not in episodes/people.yaml; add them there "
            "or fix the id. Did you mean 'gwen-guest'?",
        ),
        (
            EP2,
            "organisations: [sample-charity, sample-trust]",
            "organisations: [sample-charity, samle-trust]",
            f"{EP2}:11: organisations[1]: 'samle-trust' is not in episodes/organisations.yaml; "
            "add it there or fix the id. Did you mean 'sample-trust'?",
        ),
        (
            EP1,
            "title: First light",
            "title: [First light",
            f"{EP1}:3: is not valid YAML (did not find expected ',' or ']'); check indentation "
            "and quoting.",
        ),
        (
            "podcast.yaml",
            "site_url: https://sample.example.org/podcast",
            "site_url: http://sample.example.org/podcast",
            "podcast.yaml:15: site_url: 'http://sample.example.org/podcast' must be the full "
            "address of the website, starting with https:// (podcast apps refuse feeds served "
            "over plain http).",
        ),
        (
            "podcast.yaml",
            "site_url: https://sample.example.org/podcast",
            "site_url: sample.example.org",
            "podcast.yaml:15: site_url: 'sample.example.org' must be the full address of the "
            "website, starting with https:// (podcast apps refuse feeds served over plain http).",
        ),
        (
            "podcast.yaml",
            "  email: owner@example.org",
            "  email: owner-at-example",
            "podcast.yaml:10: owner.email: 'owner-at-example' is not an e-mail address.",
        ),
        (
            "episodes/people.yaml",
            "  organisation: sample-trust\ngwen-guest",
            "  organisation: sampletrust\ngwen-guest",
            "episodes/people.yaml:4: ada-host.organisation: 'sampletrust' is not in "
            "organisations.yaml. Did you mean 'sample-trust'?",
        ),
        (
            "episodes/organisations.yaml",
            "kind: charity",
            "kind: charty",
            "episodes/organisations.yaml:7: sample-charity.kind: 'charty' is not one of: "
            "nhs-trust, national-body, membership-body, charity, company, partnership, other. "
            "Did you mean 'charity'?",
        ),
    ],
)
def test_bad_content_names_file_field_and_line(
    sample_show: Path, tmp_path: Path, name: str, old: str, new: str, expected: str
) -> None:
    edit(sample_show, name, old, new)
    assert problems(sample_show, tmp_path) == expected.split("\n")


def test_every_problem_is_reported_at_once(sample_show: Path, tmp_path: Path) -> None:
    edit(sample_show, EP1, "number: 1", "number: 0")
    edit(
        sample_show, EP2, "guid: urn:sample:episode-2", "guid: 5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01"
    )
    edit(sample_show, "podcast.yaml", "language: cy", "language: Welsh")
    assert problems(sample_show, tmp_path) == [
        "podcast.yaml:11: language: 'Welsh' is not a language code like en-GB or cy.",
        f"{EP1}:3: number: must be 1 or more, not 0.",
    ]
    edit(sample_show, "podcast.yaml", "language: Welsh", "language: cy")
    edit(sample_show, EP1, "number: 0", "number: 2")
    assert problems(sample_show, tmp_path) == [
        f"{EP2}:3: number: is the same as in {EP1}; each episode needs its own number.",
        f"{EP2}:5: guid: is the same as in {EP1}; each episode needs its own guid.",
    ]


def test_missing_front_matter_and_folders_without_episode(
    sample_show: Path, tmp_path: Path
) -> None:
    path = sample_show / EP1
    path.write_text(path.read_text().removeprefix("---\n"))
    (sample_show / "episodes" / "03-draft").mkdir()
    assert problems(sample_show, tmp_path) == [
        "episodes/03-draft: has no episode.md; each folder in episodes/ is an episode "
        "(start its name with _ to keep a folder that is not).",
        f"{EP1}:1: must start with a line '---', then the episode's fields, then another '---' line.",
    ]


def test_missing_and_broken_audio_name_the_episode_file(sample_show: Path, tmp_path: Path) -> None:
    (sample_show / "episodes/01-first-light/episode.mp3").unlink()
    (sample_show / "episodes/02-second-wind/episode.m4a").write_bytes(b"")
    found = problems(sample_show, tmp_path)
    assert len(found) == 2
    assert found[0].startswith("episodes/01-first-light/episode.mp3: ")
    assert found[1].startswith("episodes/02-second-wind/episode.m4a: ")


def test_windows_line_endings_and_byte_order_mark_are_fine(sample_show: Path) -> None:
    path = sample_show / EP1
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    episode = load_content(sample_show).episodes[0]
    assert episode.title == "First light"
    assert "\r" not in episode.notes_markdown


def test_text_that_is_not_utf8_is_refused_with_its_line(sample_show: Path, tmp_path: Path) -> None:
    path = sample_show / EP1
    path.write_bytes(path.read_bytes().replace(b"First light", b"Caf\xe9 light"))
    assert problems(sample_show, tmp_path) == [
        f"{EP1}:2: is not UTF-8 text; save it with UTF-8 encoding in your editor."
    ]


def test_symlinked_audio_outside_the_show_is_refused(sample_show: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.mp3"
    audio = sample_show / "episodes/01-first-light/episode.mp3"
    audio.rename(outside)
    audio.symlink_to(outside)
    assert problems(sample_show, tmp_path) == [
        f"{EP1}:13: audio: 'episode.mp3' links to a file outside the show."
    ]
