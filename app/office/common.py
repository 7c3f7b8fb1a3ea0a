"""The office blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("office", __name__)
