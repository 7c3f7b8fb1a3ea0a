"""Sign-in hardening: throttling in the database, server-side sessions, cookies, redirects, language."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from models import LoginAttempt, LoginSession, db
from models.base import utcnow
from tests.conftest import PASSWORD


def _sign_in(client, username, password=PASSWORD, **kw):
    return client.post("/login", data={"username": username, "password": password}, **kw)


def _get_in_new_request(app, client, url):
    """GET in a fresh app context, so that nothing cached by an earlier request of the test survives."""
    db.session.commit()  # end the test's own transaction: SQLite writers take the lock at BEGIN
    with app.app_context():
        return client.get(url)


def test_five_wrong_passwords_lock_the_name_for_a_while(client, world):
    for _ in range(5):
        assert _sign_in(client, "office", "sai").status_code == 200
    response = _sign_in(client, "office")
    assert response.status_code == 429
    assert "quá nhiều lần" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/").status_code == 302  # still signed out


def test_the_lock_on_one_name_leaves_other_accounts_alone(client, world):
    for _ in range(5):
        _sign_in(client, "office", "sai")
    assert _sign_in(client, "leader").status_code == 302


def test_the_name_is_counted_whatever_its_case_or_spacing(client, world):
    for typed in ("Office", "OFFICE ", " office", "office", "ofFice"):
        _sign_in(client, typed, "sai")
    assert _sign_in(client, "office").status_code == 429


def test_too_many_failures_from_one_address_refuse_its_wrong_passwords_but_not_a_right_one(
    app, client, world, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ADDRESS", 3)
    for name in ("a1", "a2", "a3"):
        _sign_in(client, name, "sai")
    assert _sign_in(client, "leader", "sai").status_code == 429
    assert _sign_in(client, "leader").status_code == 302  # colleagues behind the same address get in


def test_a_name_locked_from_one_address_still_signs_in_from_another(client, world):
    for _ in range(5):
        _sign_in(client, "office", "sai", environ_base={"REMOTE_ADDR": "10.6.6.6"})
    assert _sign_in(client, "office", "sai", environ_base={"REMOTE_ADDR": "10.6.6.6"}).status_code == 429
    assert _sign_in(client, "office").status_code == 302


def test_failures_older_than_the_window_no_longer_count(client, world):
    for _ in range(5):
        _sign_in(client, "office", "sai")
    db.session.execute(update(LoginAttempt).values(attempted_at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert _sign_in(client, "office").status_code == 302


def test_a_successful_sign_in_clears_the_failures_of_the_name(client, world):
    for _ in range(4):
        _sign_in(client, "office", "sai")
    assert _sign_in(client, "office").status_code == 302
    failures = select(func.count(LoginAttempt.id)).where(LoginAttempt.username_key == "office")
    assert db.session.scalar(failures) == 0


def test_another_worker_process_sees_the_same_lock(another_app, client, world):
    for _ in range(5):
        _sign_in(client, "office", "sai")
    other_worker = another_app()
    response = other_worker.test_client().post("/login", data={"username": "office", "password": PASSWORD})
    assert response.status_code == 429


def test_sign_in_starts_a_new_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    _sign_in(client, "office")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_a_copied_cookie_stops_working_after_sign_out(app, client, world):
    _sign_in(client, "office")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    response = thief.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_session_ends_when_it_is_too_old(app, client, world):
    _sign_in(client, "office")
    assert _get_in_new_request(app, client, "/").status_code == 200
    db.session.execute(update(LoginSession).values(created_at=utcnow() - timedelta(hours=13)))
    db.session.commit()
    assert _get_in_new_request(app, client, "/").status_code == 302


def test_a_disabled_account_is_signed_out_at_once(app, client, world):
    _sign_in(client, "office")
    world.office.is_active = False
    db.session.commit()
    assert _get_in_new_request(app, client, "/").status_code == 302


def test_an_outdated_hash_is_upgraded_at_sign_in(client, world, real_argon2):
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    world.office.password_hash = weak.hash(PASSWORD)
    db.session.commit()
    assert _sign_in(client, "office").status_code == 302
    db.session.refresh(world.office)
    assert "m=1024," not in world.office.password_hash
    assert world.office.check_password(PASSWORD)


@pytest.mark.parametrize(
    "target", ["https://example.com/", "//example.com/x", "/\\example.com", "javascript:alert(1)", "http:/x"]
)
def test_sign_in_never_redirects_to_another_site(client, world, target):
    data = {"username": "office", "password": PASSWORD}
    response = client.post("/login", query_string={"next": target}, data=data)
    assert response.headers["Location"] == "/"


def test_sign_in_returns_to_the_page_that_asked_for_it(client, world):
    response = client.get("/visits?q=bu+dop")
    assert response.status_code == 302
    target = response.headers["Location"]
    response = client.post(target, data={"username": "inspector", "password": PASSWORD})
    assert response.headers["Location"] == "/visits?q=bu+dop"


def test_test_and_demo_cookies_are_plain_http_ones(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_cookies_are_secure_host_cookies(another_app, world):
    production = another_app(TESTING=None, SECRET_KEY="prod-secret", BASE_URL="https://kiemtra.example.vn")
    client = production.test_client()
    response = client.post(
        "/login", data={"username": "office", "password": PASSWORD}, base_url="https://kiemtra.example.vn"
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-kiemtra=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie


def test_pages_carry_the_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_language_switch_works_before_signing_in(client):
    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page


def test_the_language_chosen_is_kept_on_the_account(login_as, world):
    client = login_as(world.inspector)
    client.post("/language", data={"locale": "en", "next": "https://example.com/"})
    db.session.refresh(world.inspector)
    assert world.inspector.locale == "en"
    client.post("/logout")
    client.post("/language", data={"locale": "vi"})
    client.post("/login", data={"username": "inspector", "password": PASSWORD})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_an_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "fr"})
    assert 'lang="vi"' in client.get("/login").get_data(as_text=True)


def test_a_form_without_its_token_gets_a_readable_message(another_app, world):
    strict = another_app(WTF_CSRF_ENABLED=None)
    client = strict.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": "office", "password": PASSWORD})
    assert response.status_code == 400
    assert "tải lại trang" in response.get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": "office", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page))


def test_a_page_carries_one_csrf_token_that_stays_valid_beyond_an_hour(another_app, world, monkeypatch):
    strict = another_app(WTF_CSRF_ENABLED=None)
    client = strict.test_client()
    assert strict.config["WTF_CSRF_TIME_LIMIT"] is None  # the session's own lifetime bounds a token
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3 * 3600)  # the page was opened 3 hours ago
    page = client.get("/login").get_data(as_text=True)
    monkeypatch.setattr(time, "time", real_time)
    (token,) = _tokens(page)  # the sign-in form's own and the language switch's
    response = client.post("/login", data={"username": "office", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert len(_tokens(home)) == 1  # the language switch, the sign-out and the page's forms
    assert client.post("/language", data={"locale": "en", "csrf_token": token}).status_code == 400
    (fresh,) = _tokens(home)  # a new session, a new token
    assert client.post("/language", data={"locale": "en", "csrf_token": fresh}).status_code == 302
