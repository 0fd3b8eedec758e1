"""Progress for long operations: on a terminal's stderr only, and never with --quiet."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from podfeed import cli as cli_module
from podfeed.build import build
from podfeed.cli import cli
from podfeed.importer import import_feed
from podfeed.tagger import tag_show

FEED = Path(__file__).parent / "feeds" / "fireside-legacy-namespace.xml"


def test_build_tag_and_import_report_progress(sample_show: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    build(sample_show, tmp_path / "public", progress=lambda *call: calls.append(call))
    assert calls == [(0, 2, "reading audio"), (1, 2, "reading audio"), (2, 2, "writing the site")]
    calls.clear()
    tag_show(sample_show, progress=lambda *call: calls.append(call))
    assert calls == [(0, 2, "episode.mp3"), (1, 2, "episode.m4a"), (2, 2, "")]
    calls.clear()
    import_feed(str(FEED), tmp_path / "imported", progress=lambda *call: calls.append(call))
    assert calls == [
        (0, 2, "reading episodes"),
        (2, 2, "reading episodes"),
        (2, 2, "writing episodes"),
    ]


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_goes_to_a_terminal_unless_quiet(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch, quiet: bool
) -> None:
    monkeypatch.setattr(cli_module, "_is_terminal", lambda: True)
    runner = CliRunner()
    args = ["build", "--show", str(sample_show)] + (["-q"] if quiet else [])
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0
    if quiet:
        assert (result.stdout, result.stderr) == ("", "")
    else:
        progress, _, warnings = result.stderr.partition("\n")
        # no colour codes off a real terminal
        assert progress == "\rreading audio: 0/2\rreading audio: 1/2\rwriting the site: 2/2"
        assert warnings.startswith("podfeed has 2 warnings"), "the sample MP3 has 2 chapters"
        assert result.stdout.startswith("Built 2 episodes")


def test_no_progress_when_stderr_is_not_a_terminal(sample_show: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--show", str(sample_show)], catch_exceptions=False)
    assert "\r" not in result.stderr
    assert result.stderr.startswith("podfeed has 2 warnings")
