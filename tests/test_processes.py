"""Several real server processes on one database behave like one: a form sent twice to two processes acts
once, a session signed by one is honoured by the other, and a restart forgets nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from models import Visit, db
from tests.conftest import PASSWORD
from tests.servers import Browser, hidden, post_form, servers, sign_in, start_server
from tests.workspace.forms import visit_form

pytestmark = pytest.mark.slow


def _visits() -> int:
    """Count, then end the transaction: outside a request this process takes SQLite's write lock."""
    db.session.rollback()
    count = db.session.scalar(select(func.count(Visit.id)))
    db.session.rollback()
    return count


def test_a_visit_form_sent_to_two_processes_at_once_and_after_a_restart_records_one_visit(
    world, database_url, tmp_path
):
    with servers(database_url, tmp_path, count=2) as (first, second):
        browser = sign_in(first.url, "inspector", PASSWORD)
        page = browser.get(first.url + "/visits/new").text
        # Both processes sign with the configured key: the session opened on one is good on the other.
        assert 'name="once"' in browser.get(second.url + "/visits/new").text
        data = {
            **visit_form(world),
            "once": hidden(page, "once"),
            "csrf_token": hidden(page, "csrf_token"),
        }
        before = _visits()
        with ThreadPoolExecutor(2) as pool:
            answers = list(
                pool.map(lambda server: post_form(browser, server.url + "/visits/new", data), (first, second))
            )
        assert sorted(answer.status_code for answer in answers) == [302, 302]
        assert not any("/login" in answer.headers["Location"] for answer in answers)
        assert _visits() == before + 1
        # Restart the first process: what it had in memory is gone, the spent token is not.
        first.stop()
        restarted = start_server(database_url, tmp_path)
        try:
            again = post_form(browser, restarted.url + "/visits/new", data)
            assert again.status_code == 302
            assert _visits() == before + 1
        finally:
            restarted.stop()


def test_thirty_parallel_guesses_on_two_processes_are_checked_at_most_five_times(
    world, database_url, tmp_path
):
    from models import LoginAttempt

    # Behind one proxy, so that a sign-in can come from another address.
    with servers(database_url, tmp_path, count=2, KIEMTRA_PROXY_COUNT="1") as (first, second):
        pages = [(Browser(), server) for server in (first, second) for _ in range(15)]
        prepared = []
        for browser, server in pages:
            token = hidden(browser.get(server.url + "/login").text, "csrf_token")
            prepared.append((browser, server, token))

        def guess(entry):
            browser, server, token = entry
            data = {"username": "office", "password": "đoán-sai", "csrf_token": token}
            return browser.post(server.url + "/login", data).status_code

        with ThreadPoolExecutor(30) as pool:
            codes = list(pool.map(guess, prepared))
        db.session.rollback()
        checked = db.session.scalar(select(func.count(LoginAttempt.id)))
        db.session.rollback()
        assert checked <= 5
        assert codes.count(200) == checked and codes.count(429) == 30 - checked
        # The rightful user, from elsewhere, is not locked out by the guesses.
        browser = Browser()
        token = hidden(browser.get(first.url + "/login").text, "csrf_token")
        answer = browser.request(
            first.url + "/login",
            {"username": "office", "password": PASSWORD, "csrf_token": token},
            headers={"X-Forwarded-For": "10.1.2.3"},
        )
        assert answer.status_code == 302
