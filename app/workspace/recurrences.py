"""Recurring report duties on the dossier: set a directive's duty (its own form page) and stop it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import Field, StringField
from wtforms.validators import InputRequired, ValidationError

from app import once
from app.acting import Refused, run
from app.workspace.common import all_organisations, bp, org_choices
from app.workspace.forms import Choice, MultiChoice
from models import Directive, Recurrence, Visit, db
from models.enums import RecurrencePeriod
from models.labels import label
from workflows import recurrence as duty_flow

MONTH_YEAR_HELP = _l("Viết tháng/năm, ví dụ 05/2024; một tháng bất kỳ của kỳ.")


def parse_month(text: str | None) -> date | None:
    """The first of the month typed as "05/2024" (or "5/2024"); None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    month, _sep, year = text.partition("/")
    if not (month.strip().isdigit() and year.strip().isdigit() and len(year.strip()) == 4):
        raise ValidationError(_("Kỳ phải viết theo dạng tháng/năm, ví dụ 05/2024."))
    if not 1 <= int(month) <= 12:
        raise ValidationError(_("Tháng phải từ 1 đến 12."))
    return date(int(year), int(month), 1)


class RecurrenceForm(FlaskForm):
    """A directive's standing report duty; the workflow checks the period, the day and their order."""

    period = Choice(_l("Kỳ báo cáo"), choices=[], validate_choice=False)
    due_day = StringField(
        _l("Hạn: ngày trong tháng cuối của kỳ"),
        validators=[InputRequired(_l("Chưa nhập ngày hạn báo cáo."))],
        description=_l(
            "Từ 1 đến 31. Tháng ngắn hơn thì hạn là ngày cuối tháng "
            "(ví dụ ngày 31 của tháng 2 là 28 hoặc 29/02)."
        ),
    )
    first_period = StringField(
        _l("Từ kỳ"), validators=[InputRequired(_l("Chưa nhập kỳ đầu tiên."))], description=MONTH_YEAR_HELP
    )
    last_period = StringField(_l("Đến kỳ"), description=_l("Để trống: đến khi dừng lịch."))
    lead_org_id = Choice(
        _l("Đơn vị chủ trì"), choices=[], validators=[InputRequired(_l("Chưa chọn đơn vị chủ trì."))]
    )
    coordinating_ids = MultiChoice(_l("Đơn vị phối hợp"), choices=[])

    def validate_due_day(self, field: Field) -> None:
        if not (field.data or "").strip().isdigit():
            raise ValidationError(_("Ngày hạn báo cáo phải là một số nguyên từ 1 đến 31."))

    def validate_first_period(self, field: Field) -> None:
        parse_month(field.data)

    def validate_last_period(self, field: Field) -> None:
        parse_month(field.data)


class StopRecurrenceForm(FlaskForm):
    """The stop button's form (its CSRF token)."""


def _directive_of(visit_id: int, directive_id: int) -> tuple[Visit, Directive]:
    directive = db.session.get(Directive, directive_id, options=[joinedload(Directive.visit)])
    if directive is None or directive.visit_id != visit_id or not directive.visit.can_view(current_user):
        abort(404)
    return directive.visit, directive


@bp.route("/visits/<int:visit_id>/directives/<int:directive_id>/recurrence", methods=["GET", "POST"])
def recurrence_set(visit_id: int, directive_id: int) -> ResponseReturnValue:
    """Make a directive a recurring report duty (monthly, quarterly, half-yearly or yearly)."""
    visit, directive = _directive_of(visit_id, directive_id)
    if not visit.can_edit(current_user):
        abort(403)
    back = url_for("workspace.visit_detail", visit_id=visit.id) + f"#directive-{directive.number}"
    form = RecurrenceForm()
    orgs = all_organisations()
    form.period.choices = [(p.value, label(p)) for p in RecurrencePeriod]
    form.lead_org_id.choices = org_choices(orgs, blank=_("— chọn —"))
    form.coordinating_ids.choices = org_choices(orgs)
    if request.method == "GET":
        form.period.data = RecurrencePeriod.MONTHLY.value
        form.lead_org_id.data = str(visit.inspected_org_id)
    if request.method == "POST" and (replay := once.replayed(back)) is not None:
        return replay
    if form.validate_on_submit():
        by_id = {org.id: org for org in orgs}
        first = parse_month(form.first_period.data)
        assert first is not None  # required

        def save() -> Any:
            return duty_flow.set_recurrence(
                directive,
                current_user,
                period=form.period.data or "",
                due_day=int(form.due_day.data),
                first_period=first,
                last_period=parse_month(form.last_period.data),
                lead_org=by_id[int(form.lead_org_id.data)],
                coordinating=[by_id[int(i)] for i in form.coordinating_ids.data or []],
            )

        try:
            run(save, form=form)
        except Refused:
            pass  # the message is above the form
        else:
            flash(_("Đã đặt lịch báo cáo định kỳ; nhiệm vụ của mỗi kỳ được giao vào ngày đầu kỳ."), "success")
            return redirect(back)
    return render_template("workspace/recurrence_form.html", form=form, visit=visit, directive=directive)


@bp.route("/visits/<int:visit_id>/recurrences/<int:recurrence_id>/stop", methods=["POST"])
def recurrence_stop(visit_id: int, recurrence_id: int) -> ResponseReturnValue:
    """Stop a report duty: no further task; the tasks already given stay."""
    duty = db.session.get(Recurrence, recurrence_id)
    if duty is None or duty.directive.visit_id != visit_id or not duty.directive.visit.can_view(current_user):
        abort(404)
    back = url_for("workspace.visit_detail", visit_id=visit_id) + f"#directive-{duty.directive.number}"
    if not StopRecurrenceForm().validate_on_submit():
        abort(400)
    try:
        run(lambda: duty_flow.stop_recurrence(duty, current_user))
    except Refused:
        pass  # run() has put the message in a flash
    else:
        flash(_("Đã dừng lịch báo cáo định kỳ; các nhiệm vụ đã giao vẫn giữ nguyên."), "success")
    return redirect(back)
