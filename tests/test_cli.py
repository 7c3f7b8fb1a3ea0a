"""The command line: the demo loads once with every category present, and stats counts right."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from models import Organization, Task, User, Visit, db
from models.enums import Role, TaskStatus, Timeliness
from workflows.timeliness import timeliness_of

TODAY = "2026-11-26"


def _table_counts():
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (Organization, User, Visit, Task)
    )
    db.session.rollback()  # end the read transaction before the command opens its own
    return counts


def test_the_demo_loads_once_and_prints_the_sign_ins(runner):
    first = runner.invoke(args=["demo", "--no-serve", "--today", TODAY])
    assert first.exit_code == 0, first.output
    assert "Đã nạp dữ liệu mẫu." in first.output
    for username in ("admin", "inspector", "office", "leader"):
        assert username in first.output
    counts = _table_counts()
    second = runner.invoke(args=["demo", "--no-serve", "--today", TODAY])
    assert second.exit_code == 0, second.output
    assert "không nạp lại" in second.output
    assert _table_counts() == counts


def test_the_demo_has_one_user_per_role_and_the_seed_visit(runner):
    assert runner.invoke(args=["load-demo", "--today", TODAY]).exit_code == 0
    roles = set(db.session.scalars(select(User.role)))
    assert roles == set(Role)
    seed = db.session.scalar(select(Visit).where(Visit.visited_on == date(2023, 6, 14)))
    assert seed.inspected_org.name == "Huyện ủy Bù Đốp"
    assert [d.ordinal for d in seed.directives][-1] == "Chín là"
    assert seed.head.person.full_name == "Mạc Đình Huấn"
    codes = {doc.code for d in seed.directives for doc in d.citations}
    assert {"05-CT/TW", "17-CT/TU", "85-QĐ/TW", "99-HD/BTGTW", "04-QC/BTGTU", "03-ĐA/TU"} <= codes


def test_the_demo_tasks_cover_every_status_and_timeliness_on_the_load_day(runner):
    assert runner.invoke(args=["load-demo", "--today", TODAY]).exit_code == 0
    tasks = db.session.scalars(select(Task)).all()
    assert {t.status for t in tasks} == set(TaskStatus)
    today = date.fromisoformat(TODAY)
    assert {timeliness_of(t, today) for t in tasks} - {None} == set(Timeliness)


def test_stats_json_matches_a_direct_count(runner):
    assert runner.invoke(args=["load-demo", "--today", TODAY]).exit_code == 0
    result = runner.invoke(args=["stats", "--today", TODAY, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    today = date.fromisoformat(TODAY)
    expected = {c.value: 0 for c in Timeliness}
    for task in db.session.scalars(select(Task)):
        category = timeliness_of(task, today)
        if category:
            expected[category.value] += 1
    assert {c: data[c] for c in expected} == expected
    assert data["total"] == sum(expected.values())
    assert data["completion_rate"] == data["done"] / (data["done"] + data["overdue"])


def test_stats_for_one_unit_counts_only_its_subtree(runner):
    assert runner.invoke(args=["load-demo", "--today", TODAY]).exit_code == 0
    whole = json.loads(runner.invoke(args=["stats", "--today", TODAY, "--json"]).output)
    commune = json.loads(
        runner.invoke(args=["stats", "--today", TODAY, "--org", "du-thienhung", "--json"]).output
    )
    assert commune["org"] == "DU-THIENHUNG"
    assert 0 < commune["total"] < whole["total"]


def test_stats_prints_a_readable_table(runner):
    assert runner.invoke(args=["load-demo", "--today", TODAY]).exit_code == 0
    result = runner.invoke(args=["stats", "--today", TODAY])
    assert "Hoàn thành đúng hạn" in result.output
    assert "Tỷ lệ hoàn thành" in result.output
    assert "26/11/2026" in result.output


def test_stats_for_an_unknown_unit_says_so(runner):
    result = runner.invoke(args=["stats", "--org", "KHONG-CO"])
    assert result.exit_code != 0
    assert "KHONG-CO" in result.output


def test_stats_refuses_a_malformed_day(runner):
    result = runner.invoke(args=["stats", "--today", "31/02/2023"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_the_demo_refuses_a_day_before_the_communes_existed(runner):
    result = runner.invoke(args=["load-demo", "--today", "2024-01-01"])
    assert result.exit_code == 1
    assert "15/08/2025" in result.output
    assert "Traceback" not in result.output
