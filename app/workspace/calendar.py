"""Administration of the working calendar: announced days off and make-up working days."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField

from app.acting import Refused, run
from app.workspace.common import bp
from app.workspace.forms import DateText, MaxLength
from models import CalendarDay, db
from models.vntext import nfc
from workflows import workdays


class CalendarDayForm(FlaskForm):
    """One announced day."""

    day = DateText(_l("Ngày"))
    kind = SelectField(
        _l("Loại"),
        choices=[SelectChoice("off", _l("Ngày nghỉ")), SelectChoice("working", _l("Ngày làm bù"))],
        default="off",
    )
    note = StringField(_l("Căn cứ"), filters=[nfc], validators=[MaxLength(200)])


@bp.route("/admin/calendar", methods=["GET", "POST"])
def calendar_days() -> ResponseReturnValue:
    """List the announced days off and make-up working days, and add one."""
    form = CalendarDayForm()
    if form.validate_on_submit():
        day = form.day.data
        if day is None:
            form.day.errors = [*form.day.errors, _("Chưa nhập ngày.")]
        else:
            try:
                run(
                    lambda: workdays.add_calendar_day(
                        current_user,
                        day=day,
                        is_working=form.kind.data == "working",
                        note=form.note.data,
                    ),
                    form=form,
                    field="day",
                )
            except Refused:
                pass  # the message is under the day
            else:
                flash(_("Đã thêm vào lịch."), "success")
                return redirect(url_for("workspace.calendar_days"))
    return render_template("workspace/calendar_days.html", form=form, days=workdays.calendar_days())


@bp.route("/admin/calendar/<int:day_id>/delete", methods=["POST"])
def calendar_day_delete(day_id: int) -> ResponseReturnValue:
    """Remove an announced day."""
    row = db.session.get(CalendarDay, day_id)
    if row is None:
        abort(404)
    try:
        run(lambda: workdays.remove_calendar_day(current_user, row))
    except Refused:
        return redirect(url_for("workspace.calendar_days"))
    flash(_("Đã xóa khỏi lịch."), "success")
    return redirect(url_for("workspace.calendar_days"))
