"""Issuing numbers: the next number of the series, never one number twice, and the file's hash."""

from __future__ import annotations

import hashlib
import threading
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import func, select

from exports.visit_report import build_visit_report
from models import DocumentCounter, IssuedDocument, User, Visit, db
from models.enums import Role
from tests.conftest import PASSWORD_HASH
from workflows import documents as flow
from workflows import visits as visit_flow
from workflows.documents import DocumentKind, term_for
from workflows.errors import InvalidState, OutOfScope, PermissionDenied
from workflows.issuing import issue_document

ISSUED_ON = date(2023, 6, 20)


def _issue_report(visit, actor, issued_on=ISSUED_ON, **options):
    document = issue_document(
        actor,
        DocumentKind.VISIT_REPORT,
        issuer=visit.inspecting_org,
        issued_on=issued_on,
        visit=visit,
        build=lambda symbol: build_visit_report(visit, issued_on=issued_on, number=symbol),
        today=options.pop("today", issued_on),
        **options,
    )
    return document, document.file("docx").data


def test_two_issues_in_a_row_take_numbers_one_and_two_and_record_each_files_hash(world, conducted_visit):
    visit = conducted_visit()
    first, first_data = _issue_report(visit, world.inspector)
    second, second_data = _issue_report(visit, world.inspector)
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    assert (first.symbol, second.symbol) == ("01-BC/BTGTU", "02-BC/BTGTU")
    assert first.file_sha256 == hashlib.sha256(first_data).hexdigest()
    assert second.file_sha256 == hashlib.sha256(second_data).hexdigest()
    assert first.term == "2020-2025" and first.kind == "visit_report" and first.created_by == world.inspector
    from tests.documents.conftest import open_docx, tables

    assert tables(open_docx(second_data))[0][1][0] == "Số 02-BC/BTGTU"


def test_each_type_and_each_issuer_keeps_its_own_series(world, conducted_visit):
    visit = conducted_visit()
    _issue_report(visit, world.inspector)
    visit_flow.conclude_visit(visit, world.inspector)
    notice = issue_document(
        world.inspector,
        DocumentKind.CONCLUSION,
        issuer=visit.inspecting_org,
        issued_on=ISSUED_ON,
        visit=visit,
        build=lambda symbol: symbol.encode(),
        today=ISSUED_ON,
    )
    summary = issue_document(
        world.leader,
        DocumentKind.SUMMARY,
        issuer=world.province,
        issued_on=ISSUED_ON,
        build=lambda symbol: symbol.encode(),
        today=ISSUED_ON,
    )
    letter = issue_document(
        world.leader,
        DocumentKind.FOLLOWUP,
        issuer=world.province,
        issued_on=ISSUED_ON,
        build=lambda symbol: symbol.encode(),
        today=ISSUED_ON,
    )
    assert notice.symbol == "01-TB/BTGTU"
    assert summary.symbol == "01-BC/TU"
    assert letter.symbol == "01-CV/TU"


def test_numbering_runs_across_the_calendar_year_and_restarts_with_the_new_term(world, conducted_visit):
    visit = conducted_visit()
    numbers = [
        _issue_report(visit, world.inspector, day)[0].number for day in (date(2023, 12, 30), date(2024, 1, 2))
    ]
    assert numbers == [1, 2]
    new_term, _ = _issue_report(visit, world.inspector, date(2025, 10, 20))
    assert (new_term.term, new_term.number) == ("2025-2030", 1)
    assert term_for(date(2025, 9, 30)) == "2020-2025"


def test_a_build_that_fails_gives_its_number_back_with_the_rollback(world, conducted_visit):
    visit = conducted_visit()

    def broken(_symbol: str) -> bytes:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        issue_document(
            world.inspector,
            DocumentKind.VISIT_REPORT,
            issuer=visit.inspecting_org,
            issued_on=ISSUED_ON,
            visit=visit,
            build=broken,
            today=ISSUED_ON,
        )
    db.session.rollback()
    visit = flow.load_visit(visit.id)
    document, _ = _issue_report(visit, world.inspector)
    assert document.number == 1


def test_only_inspectors_of_the_inspecting_body_issue_visit_documents(world, conducted_visit):
    visit = conducted_visit()
    with pytest.raises(PermissionDenied):
        _issue_report(visit, world.leader)
    with pytest.raises(OutOfScope):
        _issue_report(visit, world.other_inspector)
    for outsider in (world.other_office_user, world.office):
        with pytest.raises(OutOfScope):
            _issue_report(visit, outsider)
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0


def test_a_planned_visit_has_no_report_and_an_unconcluded_one_no_conclusion(world, create_visit):
    planned = flow.load_visit(create_visit().id)
    with pytest.raises(InvalidState):
        _issue_report(planned, world.inspector)
    visit_flow.mark_conducted(planned, world.inspector)
    with pytest.raises(InvalidState, match="chưa kết luận"):
        issue_document(
            world.inspector,
            DocumentKind.CONCLUSION,
            issuer=planned.inspecting_org,
            issued_on=ISSUED_ON,
            visit=planned,
            build=lambda s: b"",
            today=ISSUED_ON,
        )


def test_only_leaders_issue_summaries_and_follow_up_letters_for_their_own_subtree(world):
    for actor in (world.inspector, world.office, world.admin):
        with pytest.raises(PermissionDenied):
            issue_document(
                actor,
                DocumentKind.SUMMARY,
                issuer=actor.organization,
                issued_on=ISSUED_ON,
                build=lambda s: b"",
                today=ISSUED_ON,
            )
    district_leader = User(
        username="leader.budop", role=Role.LEADER, organization=world.district, password_hash=PASSWORD_HASH
    )
    db.session.add(district_leader)
    with pytest.raises(OutOfScope):
        issue_document(
            district_leader,
            DocumentKind.FOLLOWUP,
            issuer=world.province,
            issued_on=ISSUED_ON,
            build=lambda s: b"",
            today=ISSUED_ON,
        )
    letter = issue_document(
        district_leader,
        DocumentKind.FOLLOWUP,
        issuer=world.district,
        issued_on=ISSUED_ON,
        build=lambda s: b"x",
        today=ISSUED_ON,
    )
    assert letter.symbol == "01-CV/HU"


def test_concurrent_issuers_never_get_the_same_number(world, conducted_visit):
    visit_id = conducted_visit().id
    inspector_id = world.inspector.id
    db.session.commit()  # end this thread's transaction: on SQLite it would hold the write lock
    app = current_app._get_current_object()
    workers = 4
    barrier = threading.Barrier(workers)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def issue() -> None:
        with app.app_context():
            try:
                # Start together, before any transaction: on SQLite a transaction takes the write lock.
                barrier.wait(timeout=30)
                actor = db.session.get(User, inspector_id)
                visit = flow.load_visit(visit_id)
                document = issue_document(
                    actor,
                    DocumentKind.VISIT_REPORT,
                    issuer=visit.inspecting_org,
                    issued_on=ISSUED_ON,
                    visit=visit,
                    build=lambda symbol: symbol.encode(),
                    today=ISSUED_ON,
                )
                db.session.commit()
                numbers.append(document.number)
            except BaseException as error:  # reported below; a thread cannot fail the test itself
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(numbers) == list(range(1, workers + 1))
    assert db.session.scalar(select(DocumentCounter.last_number)) == workers
    assert db.session.get(Visit, visit_id) is not None
