"""The `podfeed` command: a thin layer over the library; the only module that echoes or exits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from podfeed import __version__
from podfeed.build import DEFAULT_OUT, build
from podfeed.check import check_feed_file, check_show
from podfeed.errors import PodfeedError, Problem


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


def _fail(error: PodfeedError) -> None:
    count = len(error.problems)
    click.echo(f"podfeed found {count} problem{'s' if count != 1 else ''}:", err=True)
    for problem in error.problems:
        click.echo(f"  {_display(problem)}", err=True)
    raise SystemExit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podfeed")
def cli() -> None:
    """podfeed publishes a podcast from plain files: a feed every podcast app accepts,
    and a website with a page per episode.

    Example:

        podfeed build
    """


@cli.command("build")
@click.option(
    "--show",
    "show_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The show's folder (the one holding podcast.yaml).",
)
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
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless the build fails.")
def build_command(show_dir: Path, out: Path | None, site_url: str | None, quiet: bool) -> None:
    """Build the feed and the website into the output folder.

    The previous output is replaced only when the whole build succeeds.

    Example:

        podfeed build --show . --out public --site-url https://podcast.example.org
    """
    try:
        result = build(show_dir, out, site_url)
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


@cli.command("check")
@click.option(
    "--show",
    "show_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The show's folder (the one holding podcast.yaml).",
)
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
