"""Rules that span files: ids that must exist, values that must be unique across episodes."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path

from podfeed.content import locate
from podfeed.errors import ContentError, Problem
from podfeed.model import Content, Episode


def validate(content: Content) -> None:
    """Raise one ContentError listing every cross-file problem."""
    problems: list[Problem] = []
    for person in content.people.values():
        if person.organisation and person.organisation not in content.organisations:
            problems.append(
                Problem(
                    content.show.root / "episodes" / "people.yaml",
                    f"'{person.organisation}' is not in organisations.yaml."
                    + _hint(person.organisation, content.organisations),
                    f"{person.id}.organisation",
                )
            )
    for index, host in enumerate(content.show.hosts):
        if host not in content.people:
            problems.append(
                Problem(
                    content.show.root / "podcast.yaml",
                    f"'{host}' is not in episodes/people.yaml.{_hint(host, content.people)}",
                    f"hosts[{index}]",
                )
            )
    for episode in content.episodes:
        for index, appearance in enumerate(episode.people):
            if appearance.person not in content.people:
                problems.append(
                    Problem(
                        episode.source,
                        f"'{appearance.person}' is not in episodes/people.yaml; add them there "
                        f"or fix the id.{_hint(appearance.person, content.people)}",
                        f"people[{index}].id",
                    )
                )
        for index, organisation in enumerate(episode.organisations):
            if organisation not in content.organisations:
                problems.append(
                    Problem(
                        episode.source,
                        f"'{organisation}' is not in episodes/organisations.yaml; add it there "
                        f"or fix the id.{_hint(organisation, content.organisations)}",
                        f"organisations[{index}]",
                    )
                )
    root = content.show.root
    problems += _unique(content.episodes, root, "number", lambda e: (e.season, e.number))
    problems += _unique(content.episodes, root, "guid", lambda e: e.guid)
    problems += _unique(content.episodes, root, "slug", lambda e: e.slug)
    if problems:
        raise ContentError(locate(problems))


def _unique(
    episodes: tuple[Episode, ...],
    root: Path,
    field: str,
    key: Callable[[Episode], Hashable],
) -> list[Problem]:
    seen: dict[Hashable, list[Episode]] = defaultdict(list)
    for episode in episodes:
        seen[key(episode)].append(episode)
    problems = []
    for clashing in seen.values():
        for episode in clashing[1:]:
            first = clashing[0].source.relative_to(root)
            problems.append(
                Problem(
                    episode.source,
                    f"is the same as in {first}; each episode needs its own {field}.",
                    field,
                )
            )
    return problems


def _hint(wrong: str, known: Mapping[str, object]) -> str:
    match = difflib.get_close_matches(wrong, sorted(known), n=1)
    return f" Did you mean '{match[0]}'?" if match else ""
