"""Errors carry their problems whole, also through pickle (as between a build's processes)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from podfeed.errors import AudioError, BuildError, ContentError, PodfeedError, Problem

PROBLEMS = (
    Problem(Path("episodes/01/episode.md"), "is missing a title.", "title", 2),
    Problem(Path("podcast.yaml"), "has no language."),
)


@pytest.mark.parametrize("kind", [PodfeedError, ContentError, AudioError, BuildError])
def test_an_error_survives_pickling_with_its_problems(kind: type[PodfeedError]) -> None:
    error = kind(PROBLEMS)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is kind
    assert again.problems == PROBLEMS
    assert (
        str(again)
        == str(error)
        == ("episodes/01/episode.md:2: title: is missing a title.\npodcast.yaml: has no language.")
    )
