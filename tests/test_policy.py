"""Every route is declared in the policy table, and an undeclared one is refused."""

from __future__ import annotations

from app import create_app
from app.policy import TABLE
from models import db
from tests.conftest import PASSWORD
from workflows import api_tokens


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
    with fresh.app_context():
        db.engine.dispose()  # close its connections now rather than leave them to the garbage collector
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


def _sample_url(app, rule):
    """A URL of the rule with made-up arguments: the policy answers before any view looks them up."""
    from werkzeug.routing import IntegerConverter

    values = {
        name: 999_999 if isinstance(converter, IntegerConverter) else "x"
        for name, converter in rule._converters.items()
    }
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=_method(rule))


def _method(rule):
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_every_route_refuses_the_roles_it_does_not_name(app, login_as, world):
    """For every route of every feature: a role the table leaves out gets 403, a visitor goes to sign in."""
    from flask import g

    from models.enums import Role

    rules = [rule for rule in app.url_map.iter_rules() if not TABLE[rule.endpoint].public]
    users = {
        Role.ADMIN: world.admin,
        Role.INSPECTOR: world.inspector,
        Role.OFFICE: world.office,
        Role.LEADER: world.leader,
    }
    client = app.test_client()
    wrong = []
    for rule in rules:
        response = client.open(_sample_url(app, rule), method=_method(rule))
        if rule.endpoint.startswith("api."):  # the JSON API asks for a token instead of a sign-in
            if response.status_code != 401:
                wrong.append(f"anonymous {rule.endpoint}: {response.status_code}")
        elif response.status_code != 302 or "/login" not in response.headers.get("Location", ""):
            wrong.append(f"anonymous {rule.endpoint}: {response.status_code}")
    for role, user in users.items():
        g.pop("_login_user", None)
        signed_in = login_as(user)
        token = {"Authorization": "Bearer " + api_tokens.create_token(user, name="policy").secret}
        db.session.commit()
        for rule in rules:
            if role in TABLE[rule.endpoint].roles:
                continue
            headers = token if rule.endpoint.startswith("api.") else {}
            response = signed_in.open(_sample_url(app, rule), method=_method(rule), headers=headers)
            if response.status_code != 403:
                wrong.append(f"{role.value} {rule.endpoint}: {response.status_code}")
        signed_in.post("/logout")
    assert wrong == []
