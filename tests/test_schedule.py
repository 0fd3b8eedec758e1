"""Scheduled release and drafts: what a build publishes at a given moment, and `status`."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree

from podfeed.build import build
from podfeed.cli import cli

EP1_GUID = "5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01"
EP2_GUID = "urn:sample:episode-2"
BETWEEN = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)  # after episode 1, before episode 2
LATER = datetime(2025, 1, 1, tzinfo=UTC)


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def feed_guids(public: Path) -> list[str]:
    parsed = feedparser.parse((public / "feed.xml").read_bytes())
    return [entry.id for entry in parsed.entries]


def set_field(show: Path, folder: str, line: str, after: str = "number:") -> None:
    episode = show / "episodes" / folder / "episode.md"
    lines = episode.read_text().split("\n")
    index = next(i for i, text in enumerate(lines) if text.startswith(after))
    lines.insert(index + 1, line)
    episode.write_text("\n".join(lines))


def test_a_scheduled_episode_is_left_out_of_every_output(sample_show: Path, tmp_path: Path) -> None:
    public = tmp_path / "public"
    result = build(sample_show, public, now=BETWEEN)
    assert (result.episodes, result.held_back) == (1, 1)
    assert feed_guids(public) == [EP1_GUID]
    pages = set(tree(public))
    assert "episodes/first-light/index.html" in pages
    assert not any(p.startswith("episodes/second-wind/") for p in pages)
    # Sam and the charity appear only in episode 2, so they get no page yet.
    assert "people/sam-solo/index.html" not in pages
    assert "organisations/sample-charity/index.html" not in pages
    assert "people/ada-host/index.html" in pages
    home = etree.parse(str(public / "index.html"), etree.HTMLParser())
    links = home.xpath("//a/@href")
    assert not any("second-wind" in link for link in links)
    ada = etree.parse(str(public / "people/ada-host/index.html"), etree.HTMLParser())
    assert not any("second-wind" in link for link in ada.xpath("//a/@href"))


def test_after_its_release_time_the_episode_is_published(sample_show: Path, tmp_path: Path) -> None:
    result = build(sample_show, tmp_path / "public", now=LATER)
    assert (result.episodes, result.held_back) == (2, 0)
    assert feed_guids(tmp_path / "public") == [EP2_GUID, EP1_GUID]


def test_the_release_time_is_compared_with_its_zone(sample_show: Path, tmp_path: Path) -> None:
    # Episode 2 is out at 09:30 UTC, which is 10:30 in Paris.
    paris = datetime.fromisoformat("2024-03-14T10:29:59+01:00")
    assert build(sample_show, tmp_path / "a", now=paris).episodes == 1
    paris = datetime.fromisoformat("2024-03-14T10:30:00+01:00")
    assert build(sample_show, tmp_path / "b", now=paris).episodes == 2


def test_a_draft_stays_out_whatever_its_date(sample_show: Path, tmp_path: Path) -> None:
    set_field(sample_show, "01-first-light", "draft: true")
    build(sample_show, tmp_path / "public", now=LATER)
    assert feed_guids(tmp_path / "public") == [EP2_GUID]
    build(sample_show, tmp_path / "preview", now=LATER, preview=True)
    assert feed_guids(tmp_path / "preview") == [EP2_GUID, EP1_GUID]


def test_draft_must_be_true_or_false(runner: CliRunner, sample_show: Path) -> None:
    set_field(sample_show, "01-first-light", "draft: maybe")
    result = runner.invoke(cli, ["build", "--show", str(sample_show)])
    assert result.exit_code == 1
    assert result.output.endswith(
        "01-first-light/episode.md:4: draft: must be true or false, not 'maybe'.\n"
    )


def test_a_scheduled_episode_without_audio_does_not_stop_the_build(
    sample_show: Path, tmp_path: Path
) -> None:
    (sample_show / "episodes/02-second-wind/episode.m4a").unlink()
    assert build(sample_show, tmp_path / "public", now=BETWEEN).episodes == 1
    with pytest.raises(Exception, match="does not exist"):
        build(sample_show, tmp_path / "preview", now=BETWEEN, preview=True)


def test_now_option_and_source_date_epoch_give_identical_builds(
    runner: CliRunner, sample_show: Path, tmp_path: Path
) -> None:
    show = str(sample_show)
    first = runner.invoke(
        cli,
        ["build", "--show", show, "--out", str(tmp_path / "a"), "--now", "2024-03-10T12:00:00Z"],
        catch_exceptions=False,
    )
    assert first.exit_code == 0
    assert first.output.endswith("Left out 1 draft or scheduled episode; see podfeed status.\n")
    epoch = str(int(BETWEEN.timestamp()))
    second = runner.invoke(
        cli,
        ["build", "--show", show, "--out", str(tmp_path / "b")],
        env={"SOURCE_DATE_EPOCH": epoch},
        catch_exceptions=False,
    )
    assert second.exit_code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert feed_guids(tmp_path / "a") == [EP1_GUID]


def test_preview_option_publishes_everything(
    runner: CliRunner, sample_show: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        cli,
        [
            "build",
            "--show",
            str(sample_show),
            "--out",
            str(tmp_path / "p"),
            "--preview",
            "--now",
            "2000-01-01T00:00:00+00:00",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert "Left out" not in result.output
    assert feed_guids(tmp_path / "p") == [EP2_GUID, EP1_GUID]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--now", "2024-03-10"], {}, "Invalid value for '--now': needs a time and a time zone"),
        (["--now", "2024-03-10T09:00:00"], {}, "Invalid value for '--now': needs a time zone"),
        ([], {"SOURCE_DATE_EPOCH": "yesterday"}, "SOURCE_DATE_EPOCH must be whole seconds"),
    ],
)
def test_a_bad_now_is_a_usage_error(
    runner: CliRunner, sample_show: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    result = runner.invoke(cli, ["build", "--show", str(sample_show), *args], env=env)
    assert result.exit_code == 2
    assert message in result.output


# --- status -------------------------------------------------------------------------------


def test_status_lists_each_episode_with_its_state(runner: CliRunner, sample_show: Path) -> None:
    set_field(sample_show, "01-first-light", "draft: true")
    result = runner.invoke(
        cli,
        ["status", "--show", str(sample_show), "--now", "2024-03-10T12:00:00+00:00"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "#  Episode                 State      Release                 Blockers",
        "1  First light             draft      2024-03-07 09:00+00:00  -",
        "2  Second wind — ail wynt  scheduled  2024-03-14 09:30+00:00  -",
    ]


def test_status_exits_1_when_a_published_episode_is_blocked(
    runner: CliRunner, sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_show)
    (sample_show / "episodes/01-first-light/episode.mp3").unlink()
    set_field(sample_show, "02-second-wind", "organisations: [no-such-org]", after="summary:")
    episode2 = sample_show / "episodes/02-second-wind/episode.md"
    episode2.write_text(
        episode2.read_text().replace("organisations: [sample-charity, sample-trust]\n", "")
    )
    result = runner.invoke(cli, ["status", "--now", "2024-03-10T12:00:00+00:00"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[1].split()[-1] == "1" and "published" in lines[1]
    assert lines[2].split()[-1] == "1" and "scheduled" in lines[2]
    assert lines[3:] == [
        "",
        "First light is blocked by:",
        "  episodes/01-first-light/episode.mp3: This audio file does not exist; add it, "
        "or correct the file name.",
        "",
        "Second wind — ail wynt is blocked by:",
        "  episodes/02-second-wind/episode.md:7: organisations[0]: 'no-such-org' is not in "
        "episodes/organisations.yaml; add it there or fix the id.",
    ]
    # Once episode 1 is fixed, a blocked scheduled episode is a warning, not a failure.
    (sample_show / "episodes/01-first-light/episode.mp3").write_bytes(
        (Path(__file__).parent / "data/speech.mp3").read_bytes()
    )
    result = runner.invoke(cli, ["status", "--now", "2024-03-10T12:00:00+00:00"])
    assert result.exit_code == 0
    assert "Second wind — ail wynt is blocked by:" in result.output


def test_status_reports_an_unreadable_episode_and_carries_on(
    runner: CliRunner, sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_show)
    episode = sample_show / "episodes/02-second-wind/episode.md"
    episode.write_text(episode.read_text().replace("number: 2", "number: two"))
    result = runner.invoke(cli, ["status", "--now", "2030-01-01T00:00:00+00:00"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "published" in lines[1]
    assert lines[2].split()[:3] == ["?", "02-second-wind", "unreadable"]
    assert lines[-1] == (
        "  episodes/02-second-wind/episode.md:3: number: must be a whole number like 1, not 'two'."
    )


def test_status_runs_the_feed_rules_on_every_episode(
    runner: CliRunner, sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_show)
    episode2 = sample_show / "episodes/02-second-wind/episode.md"
    episode2.write_text(
        episode2.read_text().replace("title: Second wind — ail wynt", 'title: "Second <b>wind</b>"')
    )
    result = runner.invoke(cli, ["status", "--now", "2024-03-10T12:00:00+00:00"])
    # episode 2 is still scheduled, so a failing check warns without failing the run
    assert result.exit_code == 0
    assert result.output.splitlines()[3:] == [
        "",
        "Second <b>wind</b> is blocked by:",
        "  episodes/02-second-wind/episode.md:2: title: title contains HTML tags; it must be "
        "plain text. [R122, W3C]",
        "  episodes/02-second-wind/episode.md:2: title: itunes:title contains HTML tags; it "
        "must be plain text. [R122, W3C]",
    ]


def test_build_says_how_many_episodes_it_held_back(runner: CliRunner, bundled_show: Path) -> None:
    result = runner.invoke(
        cli,
        ["build", "--show", str(bundled_show), "--now", "2022-05-27T09:00:00+01:00"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert result.output.splitlines()[1:] == [
        "Left out 2 draft or scheduled episodes; see podfeed status."
    ]
