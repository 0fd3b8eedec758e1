"""podfeed's YAML loader builds plain documents itself (fields._Loader.get_single_data):
whatever the document, it must give exactly what PyYAML's own construction gives, the
same values of the same types or the same error."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from podfeed import fields

REPO = Path(__file__).resolve().parents[1]


class _Reference(fields._Loader):
    """The same loader with PyYAML's general construction only."""

    get_single_data = yaml.constructor.BaseConstructor.get_single_data


def _typed(value: Any) -> Any:
    """`value` with every scalar's type beside it: 1 == 1.0 == True must not pass."""
    if isinstance(value, dict):
        return {_typed(k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, set):
        return {_typed(v) for v in value}
    if isinstance(value, tuple):
        return tuple(_typed(v) for v in value)
    return (type(value).__name__, value)


def _outcome(loader: type, text: str) -> Any:
    try:
        return "value", _typed(yaml.load(text, Loader=loader))
    except Exception as error:  # PyYAML raises ValueError for "!!int nope"
        return "error", type(error).__name__, str(error)


def _front_matter(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("---", 2)[1] if path.suffix == ".md" else text


SHOW_FILES = [
    *sorted(
        p
        for folder in (REPO / "episodes", REPO / "tests" / "show")
        for p in [*folder.rglob("*.yaml"), *folder.rglob("episode.md")]
    ),
    REPO / "podcast.yaml",
]

TRICKY = [
    "",
    "# nothing but a comment",
    "just a string",
    "title: A\ntitle: B",  # a repeated key: the last one wins
    "a: &x [1, 2]\nb: *x",  # an alias shares one list
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2",  # a merge key
    "= : value",
    "? [a, b]\n: unhashable key",
    "? {a: 1}\n: unhashable key",
    "a: !!binary aGVsbG8=",
    "a: !!binary not base64 at all!",
    "a: !!timestamp 2024-01-02",
    "a: 2024-01-02",  # no implicit timestamps: a string
    "a: !!set {x, y}",
    "a: !!omap [x: 1, y: 2]",
    "a: !!pairs [x: 1, x: 2]",
    "a: !!python/object:os.system echo",
    "a: !!int nope",
    "a: !!float 1.5e3",
    "a: !!str 12",
    "a: !!map x",
    "a: !!seq x",
    "a: !!str {b: 1}",
    "flags: [yes, No, on, OFF, true, ~, null, '', 0x1F, 0o17, 1_000, 1:30, .inf, -.NaN]",
    "numbers: [1, 1.0, -0, +12, 1e3, 0.1]",
    "nested: {a: [{b: [c, {d: e}]}]}",
    "a: 1\n---\nb: 2",  # two documents
    "a: [1, 2",  # unclosed
    "a: b: c",
    "\t- tab",
    "recursive: &r [*r]",
]


@pytest.mark.parametrize("path", SHOW_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_show_files_load_as_pyyaml_loads_them(path: Path) -> None:
    text = _front_matter(path)
    assert _outcome(fields._Loader, text) == _outcome(_Reference, text)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_documents_load_or_fail_as_pyyaml(text: str) -> None:
    if text.startswith("recursive"):  # a list holding itself cannot be compared
        data = yaml.load(text, Loader=fields._Loader)
        assert data["recursive"][0] is data["recursive"]
        return
    assert _outcome(fields._Loader, text) == _outcome(_Reference, text)


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(datetime.UTC))
    | st.binary(max_size=8)
)
_documents = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.integers() | st.booleans(), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(_documents, st.booleans())
def test_any_document_loads_as_pyyaml_loads_it(data: Any, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert _outcome(fields._Loader, text) == _outcome(_Reference, text)


def test_plain_documents_skip_the_general_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of it: an episode's front matter never reaches PyYAML's constructor."""
    calls: list[object] = []
    general = fields._Loader.construct_document
    monkeypatch.setattr(
        fields._Loader,
        "construct_document",
        lambda self, node: calls.append(node) or general(self, node),
    )
    for path in SHOW_FILES:
        yaml.load(_front_matter(path), Loader=fields._Loader)
    assert calls == []
    yaml.load("a: &x [1]\nb: *x", Loader=fields._Loader)
    assert len(calls) == 1
