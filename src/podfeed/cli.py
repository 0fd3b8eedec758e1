"""The `podfeed` command: a thin layer over the library; the only module that echoes or exits."""

from __future__ import annotations

import os
from pathlib import Path

import click

from podfeed import __version__
from podfeed.build import DEFAULT_OUT, build
from podfeed.errors import PodfeedError, Problem


def _display(problem: Problem) -> str:
    path = problem.file
    try:
        shown = str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        shown = str(path)
    location = shown + (f":{problem.line}" if problem.line is not None else "")
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
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something is wrong.")
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
    if not quiet:
        where = os.path.relpath(result.out) if result.out.is_relative_to(Path.cwd()) else result.out
        click.echo(
            f"Built {result.episodes} episode{'s' if result.episodes != 1 else ''} "
            f"into {where}/ ({result.files} files). Feed: {where}/feed.xml"
        )
