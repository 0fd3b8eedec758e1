"""Scheduled release: which episodes are out, given a moment called "now".

An episode is published once its release time has passed and it is not a draft.
Everything a build writes (feed, pages, sitemap, people and organisation pages) is
made from the published episodes only, so the filtering happens once, here, before
any output is rendered. "Now" is passed in, never read inside, so a build can be
repeated byte for byte with `--now` or `SOURCE_DATE_EPOCH`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum

from podfeed import fields as f
from podfeed.model import Episode

SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"


class State(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


def release_state(episode: Episode, now: datetime) -> State:
    if episode.draft:
        return State.DRAFT
    if episode.released > now:
        return State.SCHEDULED
    return State.PUBLISHED


def published_episodes(episodes: tuple[Episode, ...], now: datetime) -> tuple[Episode, ...]:
    """The episodes listeners see at `now`: drafts and future episodes left out."""
    return tuple(e for e in episodes if release_state(e, now) is State.PUBLISHED)


def parse_now(text: str) -> datetime:
    """A `--now` value; raises `fields.FieldError` with a sentence saying how to write it."""
    return f.zoned_datetime(text)


def resolve_now(now: datetime | None, environ: Mapping[str, str]) -> datetime:
    """`now` if given, else SOURCE_DATE_EPOCH (reproducible builds), else the clock."""
    if now is not None:
        return now
    epoch = environ.get(SOURCE_DATE_EPOCH, "").strip()
    if epoch:
        if not epoch.isdigit():
            raise f.FieldError(
                f"{SOURCE_DATE_EPOCH} must be whole seconds since 1970 (like 1652947200), "
                f"not '{epoch}'."
            )
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)
