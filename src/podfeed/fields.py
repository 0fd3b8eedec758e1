"""Field tables for the show's YAML files: each field is one line naming its parser.

A table drives loading, error messages and the documentation alike, so adding a
field is one line. Parsers raise `FieldError` with a sentence for a comms officer;
`read_fields` turns those into `Problem`s that name the file, the field and its line.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml

from podfeed.errors import ContentError, Problem


class FieldError(ValueError):
    """A value is wrong; the message says how to fix it."""


@dataclass(frozen=True)
class Field:
    name: str
    parse: Callable[[Any], Any]
    required: bool = False
    default: Any = None
    help: str = ""


@dataclass(frozen=True)
class Fields:
    """The parsed values of one mapping, plus what was wrong with it."""

    values: dict[str, Any]
    problems: list[Problem]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


def read_fields(
    data: Any,
    table: tuple[Field, ...],
    file: Path,
    prefix: str = "",
) -> Fields:
    """Parse `data` by `table`, collecting every problem instead of stopping at the first."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if not isinstance(data, dict):
        what = "a list of fields (key: value)"
        field_name = prefix.rstrip(".") or None
        problems.append(Problem(file, f"must be {what}, not {describe(data)}.", field_name))
        return Fields({f.name: f.default for f in table}, problems)
    known = {f.name for f in table}
    for key in data:
        if key not in known:
            hint = difflib.get_close_matches(str(key), sorted(known), n=1)
            suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
            allowed = ", ".join(f.name for f in table)
            problems.append(
                Problem(
                    file,
                    f"unknown field.{suggestion} Allowed fields: {allowed}.",
                    prefix + str(key),
                )
            )
    for field in table:
        raw = data.get(field.name)
        if raw is None or raw == "":
            if field.required:
                problems.append(
                    Problem(
                        file,
                        f"is required. {field.help}".strip(),
                        prefix + field.name,
                    )
                )
            values[field.name] = field.default
            continue
        try:
            values[field.name] = field.parse(raw)
        except FieldError as error:
            problems.append(Problem(file, str(error), prefix + field.name))
            values[field.name] = field.default
    return Fields(values, problems)


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (true/false)"
    if isinstance(value, dict):
        return "a list of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime | date):
        return f"a date ({value})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    return f"'{value}'"


# --- parsers -------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(value: Any) -> str:
    """Any scalar as trimmed text; YAML turns `2022` or `yes` into other types, we don't mind."""
    if isinstance(value, dict | list):
        raise FieldError(f"must be text, not {describe(value)}.")
    result = str(value).strip()
    if _CONTROL.search(result):
        raise FieldError("contains an invisible control character; retype the text.")
    return result


def line(value: Any) -> str:
    result = text(value)
    if "\n" in result:
        raise FieldError("must be a single line of text.")
    return result


def limited(
    parse: Callable[[Any], str], limit: int, unit: str = "characters"
) -> Callable[[Any], str]:
    """Apple refuses or cuts longer values: 255 characters for titles, 4000 bytes for text."""

    def parse_limited(value: Any) -> str:
        result = parse(value)
        size = len(result.encode("utf-8")) if unit == "bytes" else len(result)
        if size > limit:
            raise FieldError(
                f"is {size} {unit} long; podcast apps accept at most {limit}, so shorten it."
            )
        return result

    return parse_limited


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(f"must be a whole number like 1, not {describe(value)}.")
    if value < 1:
        raise FieldError(f"must be 1 or more, not {value}.")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"must be true or false, not {describe(value)}.")
    return value


def choice(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        result = line(value)
        if result not in allowed:
            hint = difflib.get_close_matches(result, allowed, n=1)
            suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
            raise FieldError(f"'{result}' is not one of: {', '.join(allowed)}.{suggestion}")
        return result

    return parse


def zoned_datetime(value: Any) -> datetime:
    """A release time must carry its zone, or 'Thursday 9am' means different hours to apps."""
    example = "like 2022-05-19T09:00:00+01:00"
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        raise FieldError(f"needs a time and a time zone as well as the date, {example}.")
    else:
        raw = line(value)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise FieldError(f"needs a time and a time zone as well as the date, {example}.")
        try:
            result = datetime.fromisoformat(raw)
        except ValueError:
            raise FieldError(f"'{raw}' is not a valid date and time; write it {example}.") from None
    if result.tzinfo is None or result.utcoffset() is None:
        raise FieldError(f"needs a time zone, {example} (+01:00 is British Summer Time).")
    return result


def web_url(value: Any) -> str:
    result = line(value)
    parts = urlsplit(result)
    if parts.scheme != "https" or not parts.netloc:
        raise FieldError(f"'{result}' must be a full web address starting with https://.")
    return result


def site_url(value: Any) -> str:
    """https everywhere, except http on this computer for previews."""
    result = line(value).rstrip("/")
    parts = urlsplit(result)
    local = parts.scheme == "http" and _is_loopback(parts.hostname or "")
    if not parts.netloc or not (parts.scheme == "https" or local):
        raise FieldError(
            f"'{result}' must be the full address of the website, starting with https:// "
            "(podcast apps refuse feeds served over plain http)."
        )
    if parts.query or parts.fragment:
        raise FieldError(f"'{result}' must not contain '?' or '#'.")
    return result


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value: Any) -> str:
    result = line(value)
    if not _EMAIL.match(result):
        raise FieldError(f"'{result}' is not an e-mail address.")
    return result


_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def identifier(value: Any) -> str:
    result = line(value)
    if not _ID.match(result):
        raise FieldError(
            f"'{result}' must be lower-case letters, digits and single hyphens, "
            "like 'kings-college-hospital'."
        )
    return result


def identifiers(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise FieldError(
            f"must be a list of ids, like [nhs-providers, ipsos], not {describe(value)}."
        )
    ids = tuple(identifier(item) for item in value)
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FieldError(f"lists {', '.join(duplicates)} more than once.")
    return ids


def relative_path(value: Any) -> PurePosixPath:
    """A file inside the show; paths that climb out of it are refused before anything is read."""
    raw = line(value)
    path = PurePosixPath(raw.replace("\\", "/"))
    if path.is_absolute() or raw.startswith("~") or re.match(r"^[A-Za-z]:", raw):
        raise FieldError(f"'{raw}' must be a file name relative to this folder, not a full path.")
    if ".." in path.parts:
        raise FieldError(f"'{raw}' must not use '..' to reach outside this folder.")
    return path


def read_text(path: Path) -> str:
    """UTF-8 text with Windows line endings and a byte-order mark tolerated."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ContentError.single(path, "is missing.") from None
    except OSError as error:
        raise ContentError.single(path, f"cannot be read ({error.strerror}).") from None
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_no = data.count(b"\n", 0, error.start) + 1
        raise ContentError.single(
            path, "is not UTF-8 text; save it with UTF-8 encoding in your editor.", line=line_no
        ) from None
    return source.replace("\r\n", "\n").replace("\r", "\n")


# --- YAML ------------------------------------------------------------------------------


_TAG = "tag:yaml.org,2002:"
# Scalar tags whose constructor returns the value at once (not a generator).
_SCALARS = {f"{_TAG}{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp")}


class _NotPlain(Exception):
    """A node the plain construction leaves to PyYAML's general one."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML without implicit timestamps: we parse dates ourselves to explain mistakes."""

    def get_single_data(self) -> Any:
        """As PyYAML's, but plain maps, lists and scalars are built directly: its general
        constructor (for anchors, merge keys, recursive data) was half the time of loading
        an episode. Anything else, a mistake included, goes the general way, so results
        and errors are PyYAML's own."""
        node = self.get_single_node()
        if node is None:
            return None
        try:
            return self._plain(node, set())
        except (_NotPlain, yaml.YAMLError, ValueError, TypeError):
            return self.construct_document(node)

    def _plain(self, node: yaml.Node, seen: set[int]) -> Any:
        if id(node) in seen:  # an alias: PyYAML shares one object between its uses
            raise _NotPlain
        seen.add(id(node))
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            if tag == _TAG + "str":
                return node.value
            if tag not in _SCALARS:
                raise _NotPlain
            return self.yaml_constructors[tag](self, node)
        if isinstance(node, yaml.MappingNode) and tag == _TAG + "map":
            mapping = {}
            for key_node, value_node in node.value:
                if key_node.tag in (_TAG + "merge", _TAG + "value"):
                    raise _NotPlain
                key = self._plain(key_node, seen)
                if not isinstance(key, Hashable):
                    raise _NotPlain
                mapping[key] = self._plain(value_node, seen)
            return mapping
        if isinstance(node, yaml.SequenceNode) and tag == _TAG + "seq":
            return [self._plain(child, seen) for child in node.value]
        raise _NotPlain


def _told(construct: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A scalar constructor whose failure ("!!int nope") is a YAML error at the value's
    line, not a crash: PyYAML lets Python's ValueError or KeyError through."""

    def checked(loader: Any, node: Any) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            kind = node.tag.rpartition(":")[2]
            problem = f"'{node.value}' is not a valid {kind}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    return checked


_Loader.yaml_constructors = {
    tag: _told(construct) if tag in _SCALARS else construct
    for tag, construct in _Loader.yaml_constructors.items()
}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(source: str, file: Path, first_line: int = 1) -> Any:
    """Parse YAML, turning syntax errors into a problem naming the line."""
    try:
        return yaml.load(source, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        # "while scanning a quoted scalar" points where the mistake starts, not at the
        # end of the file where the parser gave up.
        mark = error.context_mark or error.problem_mark
        line_no = mark.line + first_line if mark is not None else None
        reason = " ".join(part for part in (error.problem, error.context) if part)
        message = f"is not valid YAML ({reason}); check indentation and quoting."
        raise ContentError([Problem(file, message, None, line_no)]) from None
    except yaml.YAMLError as error:
        raise ContentError([Problem(file, f"is not valid YAML ({error}).")]) from None


def key_lines(source: str, first_line: int = 1) -> dict[str, int]:
    """Line of every key, by dotted path ('people[0].role'), to point errors at the right line.

    Only called once something is wrong, so a clean build never parses a file twice.
    """
    try:
        root = yaml.compose(source, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                lines[child] = key.start_mark.line + first_line
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = f"{path}[{index}]"
                lines[child] = item.start_mark.line + first_line
                walk(item, child)

    if root is not None:
        walk(root, "")
    return lines


def with_lines(problems: Iterable[Problem], source: str, first_line: int = 1) -> list[Problem]:
    """Point each problem of one YAML text at the line of its field."""
    problems = list(problems)
    if not any(p.field and p.line is None for p in problems):
        return problems
    lines = key_lines(source, first_line)

    def line_of(field: str) -> int | None:
        # 'people[1].id' of '- sam-solo' has no key of its own: use its item's line.
        while field not in lines:
            parent = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", field)
            if parent == field:
                return None
            field = parent
        return lines[field]

    return [
        replace(p, line=line_of(p.field)) if p.field and p.line is None else p for p in problems
    ]
