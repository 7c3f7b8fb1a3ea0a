"""Personal API tokens: made on the user's own page, shown once, stored hashed, revoked for good."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from models import ApiToken, AuditEntry, db
from tests.conftest import World


def _secret_on(page: str) -> str:
    match = re.search(r'id="new-secret"[^>]*value="(kt_[A-Za-z0-9_-]+)"', page)
    assert match, "the new token is shown on the page"
    return match.group(1)


def test_a_user_makes_a_token_sees_it_once_and_the_database_keeps_only_its_hash(
    world: World, login_as: Callable[..., Any], app: Any
) -> None:
    client = login_as(world.office)
    made = client.post("/account/api-tokens", data={"name": "Cổng dữ liệu tỉnh"}, follow_redirects=True)
    page = made.get_data(as_text=True)
    assert made.status_code == 200
    secret = _secret_on(page)
    assert "Cổng dữ liệu tỉnh" in page

    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in again, "the secret is shown once only"
    assert secret[:9] in again, "the list tells the token by its first characters"

    stored = db.session.scalar(select(ApiToken))
    assert stored is not None
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (stored.token_hash, stored.prefix)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "api_token.created" in actions

    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.get_json()["username"] == "office"


def test_a_token_needs_a_name(world: World, login_as: Callable[..., Any]) -> None:
    client = login_as(world.office)
    answer = client.post("/account/api-tokens", data={"name": "   "})
    assert answer.status_code == 400
    assert "Chưa nhập tên mã truy cập" in answer.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_a_revoked_token_is_refused_and_stays_listed_as_revoked(
    world: World, login_as: Callable[..., Any], token_of: Callable[..., str], app: Any
) -> None:
    secret = token_of(world.office)
    token = db.session.scalar(select(ApiToken))
    assert token is not None
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    client = login_as(world.office)
    page = client.post(f"/account/api-tokens/{token.id}/revoke", follow_redirects=True).get_data(as_text=True)
    assert "Đã thu hồi mã truy cập" in page

    refused = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "thu hồi" in refused.get_json()["detail"]


def test_nobody_revokes_another_users_token(
    world: World, login_as: Callable[..., Any], token_of: Callable[..., str]
) -> None:
    token_of(world.office)
    token = db.session.scalar(select(ApiToken))
    assert token is not None
    client = login_as(world.other_office_user)
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_a_deactivated_accounts_token_is_refused(
    world: World, token_of: Callable[..., str], app: Any
) -> None:
    secret = token_of(world.office)
    world.office.is_active = False
    db.session.commit()
    answer = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401


def test_the_api_ignores_a_signed_in_browsers_cookie(world: World, login_as: Callable[..., Any]) -> None:
    client = login_as(world.office)
    assert client.get("/tasks").status_code == 200
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert "Authorization: Bearer" in answer.get_json()["detail"]


def test_a_wrong_or_malformed_token_is_401(world: World, app: Any) -> None:
    client = app.test_client()
    for header in ("Bearer kt_nothing", "Basic b2ZmaWNlOng=", "Bearer", "kt_x"):
        answer = client.get("/api/v1/tasks", headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert answer.get_json()["status"] == 401
