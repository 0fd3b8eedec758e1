"""Rules that span files: ids that must exist, values that must be unique across episodes."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path

from podfeed.content import locate
from podfeed.errors import Problem
from podfeed.model import Episode, PartialContent


def validate(content: PartialContent) -> list[Problem]:
    """Every cross-file problem: ids that must exist, values that must be unique.

    Ids are only checked against registries that loaded, so one broken registry does not
    bury the report under every id it holds.
    """
    problems = _missing_ids(content)
    root = content.root
    problems += _unique(content.episodes, root, "number", lambda e: (e.season, e.number))
    problems += _unique(content.episodes, root, "guid", lambda e: e.guid)
    problems += _unique(content.episodes, root, "slug", lambda e: e.slug)
    return locate(problems)


def _missing_ids(content: PartialContent) -> list[Problem]:
    problems: list[Problem] = []
    people, organisations = content.people, content.organisations
    for person in (people or {}).values():
        if (
            organisations is not None
            and person.organisation
            and person.organisation not in organisations
        ):
            problems.append(
                Problem(
                    content.root / "episodes" / "people.yaml",
                    f"'{person.organisation}' is not in organisations.yaml."
                    + _hint(person.organisation, organisations),
                    f"{person.id}.organisation",
                )
            )
    hosts = content.show.hosts if content.show else ()
    for index, host in enumerate(hosts):
        if people is not None and host not in people:
            problems.append(
                Problem(
                    content.root / "podcast.yaml",
                    f"'{host}' is not in episodes/people.yaml.{_hint(host, people)}",
                    f"hosts[{index}]",
                )
            )
    for episode in content.episodes:
        for index, appearance in enumerate(episode.people):
            if people is not None and appearance.person not in people:
                problems.append(
                    Problem(
                        episode.source,
                        f"'{appearance.person}' is not in episodes/people.yaml; add them there "
                        f"or fix the id.{_hint(appearance.person, people)}",
                        f"people[{index}].id",
                    )
                )
        for index, organisation in enumerate(episode.organisations):
            if organisations is not None and organisation not in organisations:
                problems.append(
                    Problem(
                        episode.source,
                        f"'{organisation}' is not in episodes/organisations.yaml; add it there "
                        f"or fix the id.{_hint(organisation, organisations)}",
                        f"organisations[{index}]",
                    )
                )
    return problems


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
