"""Forms of the task page and the dashboard: field rules only; the workflows hold the business rules."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import Select

from models.vntext import nfc, whole_number
from workflows.attachments import ACCEPT_ATTRIBUTE
from workflows.clock import parse_date
from workflows.errors import ValidationFailed

NOTE_MAX = 5000


def _date_or_error(field: Field, label: str) -> date | None:
    try:
        return parse_date(field.data, field=label)
    except ValidationFailed as error:
        raise ValidationError(error.message) from None


class TaskForm(FlaskForm):
    """Every form on the task page carries the version of the task the user saw."""

    key: ClassVar[str] = ""  # the form's prefix on the page, and its name in the template
    version = HiddenField()

    def validate_version(self, field: Field) -> None:
        if whole_number(field.data) is None:
            raise ValidationError(_l("Biểu mẫu đã cũ; hãy tải lại trang nhiệm vụ."))

    @property
    def seen_version(self) -> int:
        """The task version the form was filled in against."""
        return int(self.version.data)

    def show_version(self, version: int) -> None:
        """Carry the current version, so the user can save again after reading what changed."""
        self.version.data = str(version)


class ProgressForm(TaskForm):
    key = "progress"
    note = TextAreaField(
        _l("Nội dung tiến độ, ý kiến"),
        validators=[InputRequired(_l("Chưa nhập nội dung tiến độ.")), Length(max=NOTE_MAX)],
        filters=[nfc],
    )
    progress = StringField(_l("Tỷ lệ hoàn thành (%)"), validators=[Optional()])
    files = MultipleFileField(_l("Tệp minh chứng"), render_kw={"accept": ACCEPT_ATTRIBUTE})

    def validate_progress(self, field: Field) -> None:
        text = (field.data or "").strip().rstrip("%").strip()
        if whole_number(text, largest=100) is None:
            raise ValidationError(_l("Tỷ lệ hoàn thành là một số từ 0 đến 100."))

    @property
    def progress_value(self) -> int | None:
        """The percentage typed, or None when left empty."""
        text = (self.progress.data or "").strip().rstrip("%").strip()
        return int(text) if text else None


class ReportForm(TaskForm):
    key = "report"
    note = TextAreaField(
        _l("Kết quả thực hiện"),
        validators=[
            InputRequired(_l("Cần ghi kết quả thực hiện khi báo cáo hoàn thành.")),
            Length(max=NOTE_MAX),
        ],
        filters=[nfc],
    )
    files = MultipleFileField(_l("Tệp minh chứng"), render_kw={"accept": ACCEPT_ATTRIBUTE})


class ExtensionForm(TaskForm):
    key = "extension"
    new_due_on = StringField(
        _l("Đề nghị gia hạn đến ngày"),
        validators=[InputRequired(_l("Chưa nhập ngày đề nghị gia hạn."))],
        filters=[nfc],
        render_kw={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
    )
    reason = TextAreaField(
        _l("Lý do"),
        validators=[InputRequired(_l("Cần ghi lý do xin gia hạn.")), Length(max=NOTE_MAX)],
        filters=[nfc],
    )

    def validate_new_due_on(self, field: Field) -> None:
        _date_or_error(field, str(_l("Ngày đề nghị gia hạn")))

    @property
    def new_due_value(self) -> date:
        """The requested due date."""
        value = parse_date(self.new_due_on.data)
        assert value is not None
        return value


class VerifyForm(TaskForm):
    """The inspecting side's decision on a reported task: accept it, or return it with the reason.

    One form with one note and two buttons, on the task page and in the verification queue; each
    button posts to its own route (``board.verify_task``, ``board.return_task``). Whether a note is
    needed is the workflow's rule (``return_task`` refuses an empty reason), not the form's.
    """

    key = "verify"
    note = TextAreaField(
        _l("Nhận xét (bắt buộc khi trả lại)"), validators=[Length(max=NOTE_MAX)], filters=[nfc]
    )


def _int_or_none(value: object) -> int | None:
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return whole_number(text)


class _ManyOptions(Select):
    """WTForms' select, each plain option written directly rather than through ``html_params``: the same
    markup in a fraction of the time, for the dashboard's one option per unit of the subtree."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')  # noqa: S704


class DashboardForm(FlaskForm):
    """The subtree and the period a dashboard counts; read from the query string."""

    class Meta:
        csrf = False

    org = SelectField(
        _l("Cơ quan, đơn vị"), coerce=_int_or_none, validate_choice=False, widget=_ManyOptions()
    )
    period_from = StringField(
        _l("Giao từ ngày"), filters=[nfc], render_kw={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
    )
    period_to = StringField(
        _l("đến ngày"), filters=[nfc], render_kw={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
    )
    # Empty: today. A past day shows every task as it stood that day (rebuilt from its dated history).
    as_of = StringField(
        _l("Số liệu tính đến ngày"),
        filters=[nfc],
        render_kw={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
    )

    def validate_org(self, field: Field) -> None:
        if field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Cơ quan, đơn vị đã chọn không thuộc phạm vi của bạn."))

    def validate_as_of(self, field: Field) -> None:
        _date_or_error(field, str(_l("Ngày tính số liệu")))

    def validate_period_from(self, field: Field) -> None:
        _date_or_error(field, str(_l("Ngày bắt đầu kỳ")))

    def validate_period_to(self, field: Field) -> None:
        end = _date_or_error(field, str(_l("Ngày kết thúc kỳ")))
        try:
            start = parse_date(self.period_from.data)
        except ValidationFailed:
            return
        if start and end and end < start:
            raise ValidationError(_l("Ngày kết thúc kỳ phải sau ngày bắt đầu."))

    def dates(self) -> tuple[date | None, date | None]:
        """The period typed, after validation."""
        return parse_date(self.period_from.data), parse_date(self.period_to.data)
