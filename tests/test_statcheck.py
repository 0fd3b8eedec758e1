"""A rebuild checks the last build's site for pages changed by hand (statcheck.py), in a
helper process for a big show: either way, a page edited or deleted by hand is made
again, and an unchanged site is left alone."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from podfeed import cache as cache_module
from podfeed import statcheck
from podfeed.cache import CACHE_DIR
from test_delta import ready, same_as_scratch, settled_build
from test_incremental import edit_notes, episode

pytestmark = pytest.mark.usefixtures("pipeline_runs")


@pytest.fixture(params=["helper", "in-process"])
def helpers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The helper process of every OutputCheck made (None: checked in the build's own);
    with "helper", a show of any size is big enough for one."""
    monkeypatch.setattr(cache_module, "MIN_INPUTS", 0 if request.param == "helper" else 10**9)
    made: list[Any] = []
    original = statcheck.OutputCheck.__init__

    def recording(self: statcheck.OutputCheck, *args: Any) -> None:
        original(self, *args)
        made.append(self.process)

    monkeypatch.setattr(statcheck.OutputCheck, "__init__", recording)
    made.append(request.param)  # made[0]: the mode
    return made


def _helper_ran(helpers: list[Any]) -> bool:
    """Whether the last check ran in a helper, as it must in "helper" mode on Linux."""
    expected = helpers[0] == "helper" and sys.platform == "linux"
    return (helpers[-1] is not None) == expected


def _page(show: Path) -> Path:
    return next((show / "public" / "episodes").glob("*/index.html"))


def test_a_site_left_alone_is_a_no_op(
    bundled_show: Path, helpers: list[Any], pipeline_runs: list[Path]
) -> None:
    ready(bundled_show)
    pipeline_runs.clear()
    settled_build(bundled_show)
    assert pipeline_runs == []
    assert helpers[1:] == [None], "with no input changed, there is nothing to do meanwhile"


def test_a_page_edited_or_deleted_by_hand_is_made_again(
    bundled_show: Path, tmp_path: Path, helpers: list[Any], pipeline_runs: list[Path]
) -> None:
    ready(bundled_show)
    _page(bundled_show).write_text("defaced")
    pipeline_runs.clear()
    settled_build(bundled_show)
    assert pipeline_runs == [bundled_show]
    same_as_scratch(bundled_show, tmp_path / "scratch")
    _page(bundled_show).unlink()
    settled_build(bundled_show)
    same_as_scratch(bundled_show, tmp_path / "scratch-2")


def test_an_edit_with_a_page_changed_by_hand_runs_the_whole_build(
    bundled_show: Path, tmp_path: Path, helpers: list[Any], pipeline_runs: list[Path]
) -> None:
    """The edit alone (delta.py) would leave the page as it is: the site is checked before
    the edit is swapped in, and the whole build runs instead."""
    ready(bundled_show)
    edited = episode(bundled_show, "01").name
    page = bundled_show / "public" / "episodes" / edited.split("-", 1)[1] / "index.html"
    page.write_text("defaced")  # not the page of the episode edited below
    pipeline_runs.clear()
    edit_notes(bundled_show)
    settled_build(bundled_show)
    assert _helper_ran(helpers)
    assert pipeline_runs == [bundled_show]
    same_as_scratch(bundled_show, tmp_path / "scratch")


def test_a_helper_that_fails_leaves_the_check_to_the_build(
    bundled_show: Path,
    tmp_path: Path,
    helpers: list[Any],
    pipeline_runs: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ready(bundled_show)
    # A "Python" that fails, or says something other than an answer.
    for number, fake in enumerate(["/bin/false", "/bin/echo"]):
        monkeypatch.setattr(sys, "executable", fake)
        _page(bundled_show).write_text("defaced")
        edit_notes(bundled_show)
        pipeline_runs.clear()
        settled_build(bundled_show)
        assert _helper_ran(helpers)
        assert pipeline_runs == [bundled_show]
        same_as_scratch(bundled_show, tmp_path / f"scratch-{number}")
        edit_notes(bundled_show)
        settled_build(bundled_show)
        assert pipeline_runs == [bundled_show], "an edit alone is still redone alone"
        same_as_scratch(bundled_show, tmp_path / f"scratch-{number}-edit")


def test_outputs_not_saved_with_the_inputs_are_no_guide(
    bundled_show: Path, tmp_path: Path, helpers: list[Any], pipeline_runs: list[Path]
) -> None:
    """The stats of the site and of the inputs are saved in two files, with one token:
    a pair from different builds means doing it all."""
    ready(bundled_show)
    (stats_file,) = (bundled_show / CACHE_DIR).glob("out-*.stats.pickle")
    version, (token, names, stats) = pickle.loads(stats_file.read_bytes())
    stats_file.write_bytes(pickle.dumps((version, (token + 1, names, stats))))
    pipeline_runs.clear()
    settled_build(bundled_show)
    assert pipeline_runs == [bundled_show]
    same_as_scratch(bundled_show, tmp_path / "scratch")


def test_the_check_reads_only_the_standard_library() -> None:
    """The helper imports statcheck, files and spool (for die_with) and nothing else of
    podfeed's: it starts in a few hundredths of a second."""
    code = (
        "import sys, podfeed.statcheck; "
        "print(sorted(m for m in sys.modules if m.startswith('podfeed')))"
    )
    shown = subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert eval(shown) == ["podfeed", "podfeed.files", "podfeed.statcheck"]
