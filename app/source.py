"""The source of the running kiemtra, for every user (AGPL-3.0 section 13).

The footer of every page links to ``SOURCE_URL`` when a deployment sets one (``KIEMTRA_SOURCE_URL``: its
repository or release archive); otherwise to ``/ma-nguon.zip``, an archive of the code this process runs:
the four packages, the templates and the licence, read from wherever they are installed.
"""

from __future__ import annotations

import io
import zipfile
from importlib import metadata
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, url_for

from app import TEMPLATES_DIR
from app.policy import PUBLIC, register

bp = Blueprint("source", __name__)

PACKAGES = ("app", "models", "workflows", "exports")


def _licence() -> bytes | None:
    checkout = Path(__file__).resolve().parent.parent / "LICENSE"
    if checkout.is_file():
        return checkout.read_bytes()
    try:
        files = metadata.distribution("kiemtra").files or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name == "LICENSE" and ".dist-info" in str(file):
            return Path(str(file.locate())).read_bytes()
    return None


def build_archive() -> bytes:
    """Zip the packages, templates and licence that this process runs."""
    import importlib

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in PACKAGES:
            root = Path(importlib.import_module(name).__file__ or "").resolve().parent
            for path in sorted(root.rglob("*")):
                if (
                    path.is_file()
                    and "__pycache__" not in path.parts
                    and root / "templates" not in path.parents
                ):
                    archive.write(path, f"kiemtra/{name}/{path.relative_to(root)}")
        for path in sorted(TEMPLATES_DIR.rglob("*")):
            if path.is_file():
                archive.write(path, f"kiemtra/templates/{path.relative_to(TEMPLATES_DIR)}")
        licence = _licence()
        if licence is not None:
            archive.writestr("kiemtra/LICENSE", licence)
    return buffer.getvalue()


@bp.route("/ma-nguon.zip")
def archive() -> Response:
    """Send the source of the running kiemtra as a zip archive."""
    response = Response(build_archive(), mimetype="application/zip")
    response.headers["Content-Disposition"] = "attachment; filename=kiemtra-source.zip"
    return response


def source_url() -> str:
    """Where the footer's "Mã nguồn" link points."""
    return current_app.config.get("SOURCE_URL") or url_for("source.archive")


def init_app(app: Flask) -> None:
    """Register the source archive and the footer's link."""
    app.register_blueprint(bp)
    register({"source.archive": PUBLIC})
    app.jinja_env.globals["source_url"] = source_url
