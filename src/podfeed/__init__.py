"""podfeed: publish a podcast from plain files as a valid feed and a static website."""

from __future__ import annotations

__version__ = "0.1.0"
