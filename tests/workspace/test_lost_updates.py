"""Two people acting on the same record at the same moment, through two worker apps with their own
connections: one wins, the other is told, and nothing is recorded twice or silently overwritten."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth import SESSION_TOKEN_KEY
from models import DeadlineExtension, NewsPost, TaskEvent, db
from models.enums import ExtensionStatus, TaskEventKind
from tests.conftest import VISIT_DAY, at
from workflows import news as news_flow
from workflows import signin
from workflows import tasks as task_flow
from workflows import visits as visit_flow

pytestmark = pytest.mark.slow
ROUNDS = 4


def _signed_in(application, user):
    client = application.test_client()
    token = signin.open_session(user, address="127.0.0.1", user_agent="pytest")
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_TOKEN_KEY] = token
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def _at_once(*calls):
    """Run the calls in threads released together; return their answers."""
    barrier = threading.Barrier(len(calls))
    answers: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        barrier.wait(timeout=30)
        answers[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_approving_and_refusing_one_extension_at_once_records_one_decision(world, full_visit, another_app):
    visit = full_visit(directives=ROUNDS)
    extensions = []
    for directive in visit.directives:
        task = directive.tasks[0]
        extensions.append(
            task_flow.request_extension(
                task, world.office, new_due_on=date(2024, 3, 31), reason="Chờ kinh phí.", now=at(VISIT_DAY)
            )
        )
    db.session.commit()
    plan = [(extension.id, extension.task.id, extension.task.version) for extension in extensions]
    first, second = (_signed_in(another_app(), world.inspector) for _ in range(2))
    db.session.commit()
    for extension_id, task_id, version in plan:
        url = f"/verification/extensions/{extension_id}"
        _at_once(
            lambda url=url, version=version: first.post(
                url, data={"decision": "approve", "version": version}
            ),
            lambda url=url, version=version: second.post(
                url, data={"decision": "refuse", "version": version, "note": "Không đủ lý do."}
            ),
        )
        db.session.expire_all()
        extension = db.session.get(DeadlineExtension, extension_id)
        decisions = db.session.scalar(
            select(func.count(TaskEvent.id)).where(
                TaskEvent.task_id == task_id, TaskEvent.kind == TaskEventKind.EXTENSION_DECIDED
            )
        )
        assert decisions == 1
        moved = extension.task.due_on == date(2024, 3, 31)
        assert moved == (extension.status is ExtensionStatus.APPROVED)
        db.session.commit()


def test_two_editors_saving_one_news_draft_at_once_keep_both_texts(world, full_visit, another_app):
    visit = full_visit(directives=1)
    visit_flow.mark_conducted(visit, world.inspector)
    posts = [news_flow.create_draft(visit, world.inspector) for _ in range(ROUNDS)]
    db.session.commit()
    plan = [(post.id, post.updated_at.isoformat(), post.title) for post in posts]
    first, second = (_signed_in(another_app(), world.inspector) for _ in range(2))
    db.session.commit()
    for post_id, loaded_at, title in plan:
        url = f"/bai-viet/{post_id}/sua"

        def save(text: str, url: str = url, loaded_at: str = loaded_at, title: str = title):
            return post_form(url, title, loaded_at, text)

        def post_form(url: str, title: str, loaded_at: str, text: str):
            client = first if text == "A" else second
            data = {
                "title": title,
                "body_html": f"<p>Bản của biên tập viên {text}</p>",
                "loaded_at": loaded_at,
            }
            return client.post(url, data=data)

        answers = _at_once(lambda: save("A"), lambda: save("B"))
        codes = sorted(answer.status_code for answer in answers)
        assert codes == [302, 409]
        refused = next(answer for answer in answers if answer.status_code == 409)
        page = refused.get_data(as_text=True)
        db.session.expire_all()
        stored = db.session.get(NewsPost, post_id).body_html
        saved_by = "A" if "biên tập viên A" in stored else "B"
        other = "B" if saved_by == "A" else "A"
        assert f"Bản của biên tập viên {other}" in page  # the refused editor's text is still on the form
        db.session.commit()
