"""The `podfeed` command as a user runs it: exit codes, messages, and an untouched site on failure."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from podfeed.cli import cli


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_build_writes_feed_and_pages(
    runner: CliRunner, sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_show)
    result = runner.invoke(cli, ["build"], catch_exceptions=False)
    assert result.exit_code == 0
    files = len(tree(sample_show / "public"))
    # The sample MP3 has two chapters: too few for Apple and Spotify, so the build warns.
    assert (
        result.stdout == f"Built 2 episodes into public/ ({files} files). Feed: public/feed.xml\n"
    )
    assert result.stderr == (
        "podfeed has 2 warnings (see podfeed check):\n"
        "  episodes/01-first-light/episode.mp3: chapters: Apple and Spotify show chapters only "
        "when there are at least 3 and the first starts at 0:00. [R143, Apple]\n"
        "  episodes/01-first-light/episode.mp3: chapters: Spotify shows chapters only when there "
        "are at least 3 and the first is at 0:00. [R181, Spotify]\n"
    )
    assert (sample_show / "public" / "feed.xml").is_file()
    assert (sample_show / "public" / "episodes" / "first-light" / "index.html").is_file()
    assert (sample_show / "public" / "people" / "gwen-guest" / "index.html").is_file()
    assert (sample_show / "public" / "organisations" / "sample-charity" / "index.html").is_file()


def test_out_and_site_url_options(runner: CliRunner, sample_show: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = runner.invoke(
        cli,
        [
            "build",
            "--show",
            str(sample_show),
            "--out",
            str(out),
            "--site-url",
            "https://x.example/",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert b"https://x.example/feed.xml" in (out / "feed.xml").read_bytes()


def test_quiet_prints_nothing(runner: CliRunner, sample_show: Path) -> None:
    result = runner.invoke(cli, ["build", "--show", str(sample_show), "-q"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output == ""


def test_bad_content_exits_1_and_leaves_the_site_untouched(
    runner: CliRunner, sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_show)
    assert runner.invoke(cli, ["build", "-q"]).exit_code == 0
    before = tree(sample_show / "public")
    episode = sample_show / "episodes" / "02-second-wind" / "episode.md"
    episode.write_text(episode.read_text().replace("number: 2", "number: second"))
    result = runner.invoke(cli, ["build"])
    assert result.exit_code == 1
    assert result.output == (
        "podfeed found 1 problem:\n"
        "  episodes/02-second-wind/episode.md:3: number: must be a whole number like 1, "
        "not 'second'.\n"
    )
    assert tree(sample_show / "public") == before
    leftovers = [p.name for p in sample_show.glob(".podfeed-*")]
    assert leftovers == [".podfeed-back-public"], "only the back buffer stays (publish.py)"


def test_bad_site_url_option_is_reported(runner: CliRunner, sample_show: Path) -> None:
    result = runner.invoke(cli, ["build", "--show", str(sample_show), "--site-url", "ftp://x"])
    assert result.exit_code == 1
    assert "site_url: 'ftp://x' must be the full address of the website" in result.output


def test_refuses_to_replace_a_folder_it_did_not_write(
    runner: CliRunner, sample_show: Path, tmp_path: Path
) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("precious")
    result = runner.invoke(cli, ["build", "--show", str(sample_show), "--out", str(documents)])
    assert result.exit_code == 1
    assert "already holds files that podfeed did not write" in result.output
    assert (documents / "letter.txt").read_text() == "precious"


def test_refuses_to_write_over_the_show_itself(runner: CliRunner, sample_show: Path) -> None:
    result = runner.invoke(cli, ["build", "--show", str(sample_show), "--out", str(sample_show)])
    assert result.exit_code == 1
    assert "would replace the show's own folder" in result.output
    assert (sample_show / "podcast.yaml").is_file()


def test_missing_show_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["build", "--show", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        "podfeed found 1 problem:\n"
        f"  {tmp_path}/podcast.yaml: is missing; is {tmp_path} the folder of a show? "
        "It needs a podcast.yaml.\n"
    )


def test_unknown_option_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["build", "--nope"]).exit_code == 2


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(cli, [command, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "podfeed " + command in result.output
