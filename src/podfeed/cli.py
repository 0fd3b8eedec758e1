"""The `podfeed` command: a thin layer over the library; the only module that echoes or exits."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from podfeed import __version__
from podfeed.build import DEFAULT_OUT, Progress, build
from podfeed.errors import PodfeedError, Problem
from podfeed.fields import FieldError
from podfeed.model import EPISODE_FILE
from podfeed.schedule import parse_now, resolve_now

F = TypeVar("F", bound=Callable[..., Any])


def _shown(path: Path) -> str:
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _display(problem: Problem) -> str:
    location = _shown(problem.file) + (f":{problem.line}" if problem.line is not None else "")
    if problem.field:
        location += f": {problem.field}"
    return f"{location}: {problem.message}"


def _is_terminal() -> bool:
    return sys.stderr.isatty()


def _progress(quiet: bool) -> Progress | None:
    """A one-line counter on stderr, only when a person is watching a terminal."""
    if quiet or not _is_terminal():
        return None

    def report(done: int, total: int, what: str) -> None:
        finished = done >= total
        click.echo(f"\r\033[K{what}: {done}/{total}", err=True, nl=finished)

    return report


def _fail(error: PodfeedError) -> None:
    count = len(error.problems)
    click.echo(f"podfeed found {count} problem{'s' if count != 1 else ''}:", err=True)
    for problem in error.problems:
        click.echo(f"  {_display(problem)}", err=True)
    raise SystemExit(1)


def _now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime:
    """--now, else SOURCE_DATE_EPOCH, else the clock; a bad value is a usage error."""
    try:
        return resolve_now(parse_now(value) if value else None, os.environ)
    except FieldError as error:
        raise click.BadParameter(str(error), ctx, param) from None


def now_option(command: F) -> F:
    return click.option(
        "--now",
        callback=_now,
        metavar="DATETIME",
        help="Act as if it were this moment, like 2022-05-26T09:00:00+01:00 "
        "[default: $SOURCE_DATE_EPOCH, else the clock].",
    )(command)


def show_option(command: F) -> F:
    return click.option(
        "--show",
        "show_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="The show's folder (the one holding podcast.yaml).",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podfeed")
def cli() -> None:
    """podfeed publishes a podcast from plain files: a feed every podcast app accepts,
    and a website with a page per episode.

    Example:

        podfeed build
    """


@cli.command("build")
@show_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Where to write the site. [default: SHOW/{DEFAULT_OUT}]",
)
@click.option(
    "--site-url",
    default=None,
    help="The public https:// address of the site, "
    "overriding site_url in podcast.yaml (e.g. for a staging copy).",
)
@now_option
@click.option(
    "--preview",
    is_flag=True,
    help="Publish drafts and scheduled episodes too, to look at them before release.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Build everything from scratch, ignoring .cache/podfeed (same output, slower).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something is wrong.")
def build_command(
    show_dir: Path,
    out: Path | None,
    site_url: str | None,
    now: datetime,
    preview: bool,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Build the feed and the website into the output folder.

    Only episodes whose release time has passed and that are not drafts are published.
    The previous output is replaced only when the whole build succeeds.

    Example:

        podfeed build --show . --out public --site-url https://podcast.example.org
        podfeed build --now 2022-06-02T09:00:00+01:00
    """
    try:
        result = build(
            show_dir,
            out,
            site_url,
            now=now,
            preview=preview,
            progress=_progress(quiet),
            cached=not no_cache,
        )
    except PodfeedError as error:
        _fail(error)
        return
    if quiet:
        return
    where = os.path.relpath(result.out) if result.out.is_relative_to(Path.cwd()) else result.out
    click.echo(
        f"Built {result.episodes} episode{'s' if result.episodes != 1 else ''} "
        f"into {where}/ ({result.files} files). Feed: {where}/feed.xml"
    )
    if result.warnings:
        count = len(result.warnings)
        click.echo(
            f"podfeed has {count} warning{'s' if count != 1 else ''} (see podfeed check):", err=True
        )
        for warning in result.warnings:
            click.echo(f"  {_display(warning)}", err=True)
    if result.held_back:
        click.echo(
            f"Left out {result.held_back} draft or scheduled episode"
            f"{'s' if result.held_back != 1 else ''}; see podfeed status."
        )


@cli.command("check")
@show_option
@click.option(
    "--feed",
    "feed_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Check this feed file (and the files beside it) instead of building the show.",
)
@click.option("--site-url", default=None, help="Check as if published at this address.")
@click.option(
    "--online",
    is_flag=True,
    help="Also request the published feed, artwork and audio (HEAD, byte ranges, redirects).",
)
@click.option(
    "--previous",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The feed as published before, to check that no GUID changed.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json prints one object for CI.",
)
def check_command(
    show_dir: Path,
    feed_file: Path | None,
    site_url: str | None,
    online: bool,
    previous: Path | None,
    output_format: str,
) -> None:
    """Check the show and its feed against Apple's, Spotify's and the Podcast Index's rules.

    Reports every problem at once and exits 1 if any is an error (warnings alone exit 0).
    The rules are listed in docs/rules.md.

    Example:

        podfeed check --show . --format json
    """
    from podfeed.check import check_feed_file, check_show

    try:
        if feed_file is not None:
            issues = check_feed_file(feed_file, online, previous)
        else:
            issues = check_show(show_dir, site_url, online, previous)
    except PodfeedError as error:
        _fail(error)
        return
    errors = sum(i.is_error for i in issues)
    warnings = len(issues) - errors
    if output_format == "json":
        records = [{**i.as_dict(), "file": _shown(i.problem.file)} for i in issues]
        document = {"errors": errors, "warnings": warnings, "problems": records}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif not issues:
        click.echo("No problems found.")
    else:
        parts = [
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in ((errors, "error"), (warnings, "warning"))
            if n
        ]
        click.echo(f"podfeed check found {' and '.join(parts)}:")
        for issue in issues:
            click.echo(f"  {issue.severity}: {_display(issue.problem)}")
    if errors:
        raise SystemExit(1)


@cli.command("status")
@show_option
@now_option
def status_command(show_dir: Path, now: datetime) -> None:
    """List every episode with its state (draft, scheduled, published), its release time
    and what blocks it. Exits with 1 if a published episode is blocked.

    Example:

        podfeed status --now 2022-05-26T09:00:00+01:00
    """
    from podfeed.scaffold import placeholder_problems
    from podfeed.status import show_status, status_table

    try:
        status = show_status(show_dir, now, [placeholder_problems])
    except PodfeedError as error:
        _fail(error)
        return
    for line in status_table(status):
        click.echo(line)
    for row in status.episodes:
        if row.blockers:
            title = row.episode.title if row.episode else row.folder.name
            click.echo(f"\n{title} is blocked by:")
            for problem in row.blockers:
                click.echo(f"  {_display(problem)}")
    if status.show_problems:
        click.echo("\nThe show is blocked by:")
        for problem in status.show_problems:
            click.echo(f"  {_display(problem)}")
    if status.blocked:
        raise SystemExit(1)


def _zoned(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    try:
        return parse_now(value) if value else None
    except FieldError as error:
        raise click.BadParameter(str(error), ctx, param) from None


@cli.command("new")
@click.argument("title")
@show_option
@click.option(
    "--released",
    callback=_zoned,
    metavar="DATETIME",
    help="Release time with zone [default: a week after the latest episode].",
)
@click.option("--number", type=click.IntRange(min=1), help="[default: the next number]")
@click.option("--slug", help="The page's web address [default: made from the title].")
@now_option
def new_command(
    title: str,
    show_dir: Path,
    released: datetime | None,
    number: int | None,
    slug: str | None,
    now: datetime,
) -> None:
    """Create the next episode's folder with an episode.md to fill in.

    Every field is written out with a comment saying what it is for; nothing that
    already exists is overwritten.

    Example:

        podfeed new "Tackling the backlog in primary care"
    """
    from podfeed.scaffold import new_episode

    try:
        episode = new_episode(show_dir, title, now, released=released, number=number, slug=slug)
    except PodfeedError as error:
        _fail(error)
        return
    folder = _shown(episode.folder)
    click.echo(
        f"Created {folder}/{EPISODE_FILE}: episode {episode.number}, "
        f"released {episode.released.isoformat(' ', 'minutes')}."
    )
    if episode.released <= now:
        click.echo("Its release time has passed, so the next build publishes it.")
    click.echo(
        f"Next: write its summary and notes, and add the audio as {folder}/{episode.audio.name}."
    )


@cli.command("tag")
@show_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something is wrong.")
def tag_command(show_dir: Path, dry_run: bool, quiet: bool) -> None:
    """Write each episode's title, show, date, number, summary, cover and chapters into
    its audio file's tags, so a downloaded file is labelled like the feed.

    Files already right are not touched; each write goes to a copy that must still play
    for the same length before it replaces the original.

    Example:

        podfeed tag --dry-run
        podfeed tag
    """
    try:
        from podfeed.tagger import tag_show  # commands load their heavy parts when run

        results = tag_show(show_dir, dry_run=dry_run, progress=_progress(quiet))
    except PodfeedError as error:
        _fail(error)
        return
    if quiet:
        return
    for result in results:
        name = _shown(result.path)
        if not result.changes:
            click.echo(f"{name}: tags already up to date")
            continue
        click.echo(f"{name}: {'would change' if dry_run else 'changed'}")
        for change in result.changes:
            click.echo(f"  {change.field}: {_clip(change.old)} -> {_clip(change.new)}")


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@cli.command("import")
@click.argument("feed")
@click.option(
    "--into",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="A new, empty folder for the show.",
)
@click.option("--site-url", help="The https:// address the new site will have.")
@click.option("--owner-email", help="The owner's e-mail, if the feed gives none.")
@click.option(
    "--download", is_flag=True, help="Copy audio, artwork, chapters and transcripts locally."
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something is wrong.")
def import_command(
    feed: str,
    target: Path,
    site_url: str | None,
    owner_email: str | None,
    download: bool,
    quiet: bool,
) -> None:
    """Turn an existing podcast feed (a file or a URL) into a podfeed show folder.

    Episode GUIDs are kept so subscribers get no duplicates; audio stays at its old
    address unless --download is given.

    Example:

        podfeed import https://feeds.example.org/show.xml --into my-show
    """
    try:
        from podfeed.importer import import_feed

        result = import_feed(
            feed,
            target,
            site_url=site_url,
            owner_email=owner_email,
            download=download,
            progress=_progress(quiet),
        )
    except PodfeedError as error:
        _fail(error)
        return
    for warning in result.warnings:
        click.echo(f"warning: {_display(warning)}", err=True)
    if not quiet:
        click.echo(
            f"Imported {result.episodes} episodes and {result.people} people into "
            f"{_shown(result.root)}/. Next: podfeed build --show {_shown(result.root)}"
        )


@cli.command("serve")
@show_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to build the preview; not public/, which holds the published site. "
    "[default: SHOW/.cache/podfeed/preview]",
)
def serve_command(show_dir: Path, port: int, out: Path | None) -> None:
    """Preview the site on this computer, drafts and scheduled episodes included.

    Rebuilds whenever a file in the show changes and reloads the page in the browser;
    a mistake is shown on the page and here until it is fixed. Press Ctrl+C to stop.

    Example:

        podfeed serve --port 8000
    """
    try:
        from podfeed.server import PreviewServer

        server = PreviewServer(show_dir, port, out, log=lambda line: click.echo(line, err=True))
    except OSError as error:
        raise click.UsageError(f"cannot listen on port {port} ({error.strerror}).") from None
    server.start()
    click.echo(f"Previewing at {server.url} (Ctrl+C to stop)", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.stop()
