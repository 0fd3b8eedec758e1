"""`python -m podfeed` runs the same command as `podfeed`."""

from podfeed.cli import cli

cli()
