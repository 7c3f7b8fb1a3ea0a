"""Several real server processes on one database behave like one: a form sent twice to two processes acts
once, a session signed by one is honoured by the other, and a restart forgets nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from models import Visit, db
from tests.conftest import PASSWORD
from tests.servers import hidden, post_form, servers, sign_in, start_server
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
