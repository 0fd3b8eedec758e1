from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from podfeed import pipeline

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SAMPLE_AUDIO = {
    "episodes/01-first-light/episode.mp3": DATA / "speech.mp3",
    "episodes/02-second-wind/episode.m4a": DATA / "speech.m4a",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def sample_show(tmp_path: Path) -> Path:
    """A copy of tests/show with real audio and artwork, safe to break."""
    show = tmp_path / "show"
    shutil.copytree(REPO / "tests" / "show", show)
    shutil.copyfile(REPO / "artwork.png", show / "artwork.png")
    for target, source in SAMPLE_AUDIO.items():
        shutil.copyfile(source, show / target)
    return show


@pytest.fixture
def bundled_show(tmp_path: Path) -> Path:
    """A copy of the repository's own show, NHS Providers' series."""
    show = tmp_path / "bundled"
    show.mkdir()
    for name in ("podcast.yaml", "artwork.png"):
        shutil.copyfile(REPO / name, show / name)
    shutil.copytree(REPO / "episodes", show / "episodes")
    shutil.copytree(REPO / "templates", show / "templates")
    return show


@pytest.fixture
def pipeline_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The shows the whole pipeline (pipeline.cached_build) ran on, build by build."""
    runs: list[Path] = []
    original = pipeline.cached_build

    def counting(root: Path, *args: Any) -> Any:
        runs.append(root)
        return original(root, *args)

    monkeypatch.setattr(pipeline, "cached_build", counting)
    yield runs
