"""``kiemtra scheduler`` and ``kiemtra scan-deadlines``."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.reminders import jobs
from models import Task, User, db
from models.base import utcnow
from models.enums import NotificationKind
from workflows.clock import LOCAL_ZONE, as_if_on

KIND_NAMES = {
    NotificationKind.DUE_IN_7: "còn 7 ngày",
    NotificationKind.DUE_IN_3: "còn 3 ngày",
    NotificationKind.DUE_IN_1: "còn 1 ngày",
    NotificationKind.OVERDUE: "quá hạn",
    NotificationKind.ESCALATED: "báo lãnh đạo",
}


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the deadline scheduler alone, in the foreground (one such process per installation)."""
    from app.reminders import scheduler  # APScheduler is imported by the one command that runs it

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not logging.getLogger().handlers:  # a service's log (journald) shows what each run did
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo("kiemtra scheduler (Asia/Ho_Chi_Minh):")
    for spec in scheduler.jobs_for(app):
        click.echo(f"  {spec.id:<18} {spec.trigger(app)}")
    if not app.config.get("SMTP_HOST"):
        click.echo("  Thư điện tử đang tắt (chưa đặt KIEMTRA_SMTP_HOST); thông báo chỉ có trong ứng dụng.")
    scheduler.run_blocking(app)


@click.command("scan-deadlines")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Scan as of this local day (YYYY-MM-DD); default today in Vietnam.",
)
@click.option("--verbose", "-v", is_flag=True, help="List every notification created.")
@with_appcontext
def scan_deadlines_command(today: object, verbose: bool) -> None:
    """Run one deadline scan, send the digests, and print what was created and sent."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    now = utcnow()
    day = today.date() if today is not None else now.astimezone(LOCAL_ZONE).date()  # type: ignore[attr-defined]
    # A scan "as of" another day happens at this clock time on that day: the notifications it creates
    # are dated then, so "3 days left" and "overdue 5 days" are counted from that day, not from now.
    now = as_if_on(day, now)
    db.session.rollback()  # the job opens its own transactions
    report = jobs.run_deadline_job(app, day, now)
    scan = report.scan
    click.echo(f"Quét hạn ngày {day:%d/%m/%Y}:")
    if report.recurring:
        click.echo(f"  Đã tạo {len(report.recurring)} nhiệm vụ báo cáo định kỳ.")
    if scan.claim.owned:
        taken = " (tiếp quản lượt chạy bị dừng)" if scan.claim.retaken else ""
        click.echo(f"  Lượt quét thuộc tiến trình này{taken}.")
        click.echo(f"  Đã tạo {scan.total} thông báo.")
        for kind, count in sorted(scan.created.items()):
            click.echo(f"    {kind.value:<10} {KIND_NAMES.get(kind, ''):<14} {count:>7}")
    else:
        state = "đã xong" if scan.claim.status and scan.claim.status.value == "finished" else "đang chạy"
        since = scan.claim.started_at.astimezone(LOCAL_ZONE) if scan.claim.started_at else None
        click.echo(
            f"  Lượt quét ngày này {state} (bắt đầu {since:%d/%m/%Y %H:%M}); không tạo thêm thông báo."
            if since
            else f"  Lượt quét ngày này {state}; không tạo thêm thông báo."
        )
    if verbose and scan.rows:
        _list_rows(scan.rows)
    delivery = report.delivery
    if not delivery.enabled:
        click.echo("  Thư điện tử đang tắt (chưa đặt KIEMTRA_SMTP_HOST); thông báo chỉ có trong ứng dụng.")
        return
    click.echo(
        f"  Thư tổng hợp: đã gửi {len(delivery.sent)}, lỗi {len(delivery.failed)}, "
        f"đã gửi hôm nay hoặc đang gửi {delivery.skipped}."
    )
    for username, address, count in delivery.sent:
        click.echo(f"    đã gửi {username} <{address}>: {count} thông báo")
    for username, reason in delivery.failed:
        click.echo(f"    lỗi {username}: {reason} (sẽ gửi lại ở lượt sau)")
    if delivery.stopped:
        click.echo(f"  Dừng gửi vì máy chủ thư không phản hồi: {delivery.stopped}")


def _list_rows(rows: list[tuple[int, int, NotificationKind]]) -> None:
    recipient_ids = {recipient for recipient, _, _ in rows}
    task_ids = {task for _, task, _ in rows}
    users = {
        row.id: row.username
        for row in db.session.execute(select(User.id, User.username).where(User.id.in_(recipient_ids)))
    }
    titles = {
        row.id: row.title
        for row in db.session.execute(select(Task.id, Task.title).where(Task.id.in_(task_ids)))
    }
    for recipient, task, kind in sorted(rows, key=lambda r: (r[1], r[2].value, users.get(r[0], ""))):
        title = titles.get(task, "")[:60]
        click.echo(f"    #{task} {kind.value:<10} → {users.get(recipient, recipient)}  {title}")
