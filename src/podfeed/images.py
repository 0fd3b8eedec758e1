"""Facts about a picture, read with Pillow; the only module that imports it."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class ImageFacts:
    format: str  # JPEG, PNG, GIF, …
    width: int
    height: int
    mode: str  # RGB, RGBA, CMYK, L, P, …
    has_alpha: bool


def read_image_facts(data: bytes) -> ImageFacts | None:
    """The picture's real format, size and colour mode; None when it is not a picture."""
    from PIL import Image, UnidentifiedImageError  # only when a picture is read: 10 ms

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. DecompressionBombWarning on huge images
            with Image.open(io.BytesIO(data)) as image:
                mode = image.mode
                has_alpha = mode in ("RGBA", "LA", "PA") or "transparency" in image.info
                return ImageFacts(image.format or "", image.width, image.height, mode, has_alpha)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
