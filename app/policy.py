"""Who may call which route: one table, checked before every request.

Each blueprint module declares the rules of its own endpoints with ``register({...})`` in its
``init_app``; together they form ``TABLE``. A route without a rule answers 403 (and a test fails),
so nothing is reachable by accident. The table says which roles may call an endpoint at all; records
outside the user's organisation subtree answer 404 in the view, through the models' ``can_*``
predicates.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, abort, request
from flask_login import current_user

from models.enums import Role


@dataclass(frozen=True)
class Rule:
    """``roles`` may call the endpoint; ``public`` means anyone, signed in or not."""

    roles: frozenset[Role] = frozenset()
    public: bool = False


PUBLIC = Rule(public=True)
SIGNED_IN = Rule(roles=frozenset(Role))
INSPECTORS = Rule(roles=frozenset({Role.INSPECTOR}))
OFFICES = Rule(roles=frozenset({Role.OFFICE}))
LEADERS = Rule(roles=frozenset({Role.LEADER}))
ADMINS = Rule(roles=frozenset({Role.ADMIN}))
READERS = Rule(roles=frozenset({Role.INSPECTOR, Role.LEADER, Role.ADMIN}))


def roles(*allowed: Role) -> Rule:
    """A rule for exactly these roles."""
    return Rule(roles=frozenset(allowed))


TABLE: dict[str, Rule] = {"static": PUBLIC}


def register(rules: dict[str, Rule]) -> None:
    """Add the rules of one blueprint; an endpoint may be declared only once."""
    for endpoint, rule in rules.items():
        if endpoint in TABLE and TABLE[endpoint] != rule:
            raise ValueError(f"endpoint {endpoint} declared twice in the policy table")
        TABLE[endpoint] = rule


def check_request() -> None:
    """Refuse the request unless the policy table allows the current user to call the endpoint."""
    endpoint = request.endpoint
    if endpoint is None:  # 404 and 405 are answered by routing
        return
    rule = TABLE.get(endpoint)
    if rule is None:
        abort(403)
    if rule.public:
        return
    user = current_user._get_current_object()  # once: each look through the proxy costs a lookup of g
    if not user.is_authenticated:
        from app.extensions import login_manager

        return login_manager.unauthorized()
    if user.role not in rule.roles:
        abort(403)
    return None


def init_app(app: Flask) -> None:
    """Check every request against the table."""
    app.before_request(check_request)
