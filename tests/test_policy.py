"""Every route is declared in the policy table, and an undeclared one is refused."""

from __future__ import annotations

from app import create_app
from app.policy import TABLE
from tests.conftest import PASSWORD


def test_every_route_has_a_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - set(TABLE)) == []


def test_an_endpoint_without_a_rule_is_refused(database_url, tmp_path, world):
    fresh = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "x",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    fresh.add_url_rule("/undeclared-for-test", "undeclared_for_test", lambda: "secret")
    client = fresh.test_client()
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    response = client.get("/undeclared-for-test")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)
