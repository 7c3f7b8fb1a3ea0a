"""The per-token rate limit, and errors that stay problem+json whatever raised them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.api.access import RateLimiter
from tests.conftest import World


def test_a_token_past_its_limit_waits_and_others_do_not(
    world: World, api_as: Callable[..., Any], app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 3)
    busy, other = api_as(world.office), api_as(world.office)
    assert [busy.get("/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = busy.get("/me")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "3" in refused.get_json()["detail"]
    assert other.get("/me").status_code == 200, "the limit is per token"


def test_the_window_starts_again() -> None:
    limiter = RateLimiter()
    assert [limiter.hit(1, 2, 60, now=t) for t in (0, 1, 2)] == [0, 0, 58]
    assert limiter.hit(1, 2, 60, now=60) == 0


def test_unknown_addresses_and_methods_answer_problems(world: World, api_as: Callable[..., Any]) -> None:
    api = api_as(world.office)
    missing = api.get("/nothing-here")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    forbidden = api.get("/visits")  # offices have no visit list, as on the pages
    assert forbidden.status_code == 403
    assert forbidden.mimetype == "application/problem+json"
    assert forbidden.get_json()["title"] == "Không có quyền"


def test_the_openapi_document_needs_no_token(app: Any) -> None:
    answer = app.test_client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.get_json()["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
