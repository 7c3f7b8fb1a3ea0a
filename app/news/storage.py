"""Where uploaded news photos live: a folder of the instance, outside the static folder."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from flask import current_app

from exports.news import EmbeddedImage
from models import NewsImage

STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:jpg|png|gif|webp)")


def image_dir() -> Path:
    """The folder of news photos (``KIEMTRA_NEWS_IMAGE_DIR``, else ``<instance>/news-images``)."""
    configured = current_app.config.get("NEWS_IMAGE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "news-images"


def path_of(stored_name: str) -> Path:
    """The file of a stored name; only generated names are accepted, so no path leaves the folder."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored image name: {stored_name!r}")
    return image_dir() / stored_name


def write(stored_name: str, data: bytes) -> Path:
    """Write a photo atomically (a reader never sees half a file)."""
    target = path_of(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def delete(stored_name: str) -> None:
    """Remove a photo's file if it is there."""
    path_of(stored_name).unlink(missing_ok=True)


def embedded(images: Iterable[NewsImage]) -> dict[str, EmbeddedImage]:
    """Read the photos of a post for a standalone export; missing files are left out."""
    found = {}
    for image in images:
        path = path_of(image.stored_name)
        if path.is_file():
            found[image.stored_name] = EmbeddedImage(image.content_type, path.read_bytes())
    return found
