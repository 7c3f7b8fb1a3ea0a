"""The workspace's forms. Field rules live here; business rules stay in ``workflows``.

Every message a user can trigger is Vietnamese (WTForms ships no Vietnamese catalogue), wrapped for
the English catalogue.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.acting import error_message
from app.choices import choices
from app.rows import Rows
from models.enums import HOST_ROLES, INSPECTING_ROLES, DayPart, DelegationRole, FindingKind, OrgKind, Role
from models.vntext import format_date, nfc, whole_number
from workflows.citations import parse_citation
from workflows.clock import parse_date
from workflows.errors import ValidationFailed
from workflows.visits import (
    MAX_DIRECTIVES,
    MAX_FINDINGS,
    MAX_MEMBERS_PER_SIDE,
    MAX_TASKS_PER_DIRECTIVE,
    check_due_date,
)

TASK_TITLE = _l("Tên nhiệm vụ (bỏ trống: lấy từ yêu cầu)")
NOT_A_CHOICE = _l("Lựa chọn không hợp lệ; hãy chọn lại trong danh sách.")
INSPECTING_ROLE_ORDER = (
    DelegationRole.HEAD,
    DelegationRole.DEPUTY_HEAD,
    DelegationRole.MEMBER,
    DelegationRole.SECRETARY,
)
HOST_ROLE_ORDER = (DelegationRole.HOST_CHAIR, DelegationRole.HOST_PARTICIPANT)
assert set(INSPECTING_ROLE_ORDER) == INSPECTING_ROLES and set(HOST_ROLE_ORDER) == HOST_ROLES


class DateText(StringField):
    """A date typed as dd/mm/yyyy (ISO also accepted); 31/02/2023 gets a clear message."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", {}) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.raw_text: str | None = None

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, date) else None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.raw_text = (valuelist[0] or "").strip()
        try:
            self.data = parse_date(self.raw_text, field=str(self.label.text))
        except ValidationFailed as error:
            self.data = None
            raise ValueError(error_message(error)) from None

    def _value(self) -> str:
        if self.raw_text is not None:
            return self.raw_text
        return format_date(self.data) if self.data else ""


class Choice(SelectField):
    """A select whose refusal message is Vietnamese."""

    def pre_validate(self, form: Any) -> None:
        if not self.validate_choice or self.data in (None, ""):
            return
        values = {str(value) for value, *_ in self.iter_choices()}
        if str(self.data) not in values:
            raise ValidationError(str(NOT_A_CHOICE))


class MultiChoice(SelectMultipleField):
    """A multiple select whose refusal message is Vietnamese."""

    def pre_validate(self, form: Any) -> None:
        values = {str(value) for value, *_ in self.iter_choices()}
        if any(str(d) not in values for d in self.data or ()):
            raise ValidationError(str(NOT_A_CHOICE))


class MaxLength(Length):
    """At most ``limit`` characters, said in Vietnamese."""

    def __init__(self, limit: int) -> None:
        super().__init__(max=limit, message=_l("Tối đa %(max)d ký tự."))


def split_citations(text: str | None) -> list[str]:
    """The codes typed in a citation field, one per line or separated by semicolons."""
    return [part.strip() for part in re.split(r"[;\n]+", text or "") if part.strip()]


def as_int(value: Any) -> int | None:
    """An id from a select or hidden field, or None."""
    if isinstance(value, int):
        return value
    return whole_number(value) if isinstance(value, str) else None


# --- The visit form ------------------------------------------------------------------------


class MemberForm(Form):
    """A person on one side of the meeting: someone from the directory, or a new name."""

    id = HiddenField()
    person_id = Choice(_l("Người có trong danh sách"), choices=[], validate_choice=True)
    new_name = StringField(_l("hoặc họ và tên người mới"), filters=[nfc], validators=[MaxLength(120)])
    position_on_day = StringField(_l("Chức vụ ngày kiểm tra"), filters=[nfc], validators=[MaxLength(200)])
    role = Choice(_l("Vai trò"), choices=[])
    remove = BooleanField(_l("Bỏ khỏi danh sách"))

    def is_blank(self) -> bool:
        return not (self.id.data or self.person_id.data or self.new_name.data or self.position_on_day.data)


class FindingForm(Form):
    """A finding of one kind."""

    id = HiddenField()
    kind = Choice(_l("Loại"), choices=choices(FindingKind))
    text = TextAreaField(_l("Nội dung"), filters=[nfc], validators=[MaxLength(20_000)])
    is_public = BooleanField(_l("Được đưa vào tin bài"))
    remove = BooleanField(_l("Xóa"))

    def is_blank(self) -> bool:
        return not (self.id.data or self.text.data)


class TaskForm(Form):
    """A task carrying a directive to a lead unit."""

    id = HiddenField()
    title = StringField(TASK_TITLE, filters=[nfc], validators=[MaxLength(300)])
    lead_org_id = Choice(_l("Đơn vị chủ trì"), choices=[])
    coordinating_ids = MultiChoice(_l("Đơn vị phối hợp"), choices=[])
    due_on = DateText(_l("Hạn hoàn thành"))
    remove = BooleanField(_l("Hủy nhiệm vụ"))

    def is_blank(self) -> bool:
        return not (
            self.id.data
            or self.title.data
            or self.lead_org_id.data
            or self.coordinating_ids.data
            or self.due_on.raw_text
        )


class DirectiveForm(Form):
    """A numbered directive with the documents it cites and its tasks."""

    id = HiddenField()
    title = StringField(_l("Tiêu đề ngắn"), filters=[nfc], validators=[MaxLength(300)])
    body = TextAreaField(_l("Nội dung yêu cầu"), filters=[nfc], validators=[MaxLength(20_000)])
    due_on = DateText(_l("Hạn chung"))
    due_period_label = StringField(
        _l("hoặc thời hạn bằng lời"),
        filters=[nfc],
        validators=[MaxLength(120)],
        render_kw={"placeholder": _l("ví dụ: 6 tháng cuối năm 2023")},
    )
    citations = StringField(
        _l("Văn bản trích dẫn"),
        filters=[nfc],
        validators=[MaxLength(2000)],
        render_kw={"placeholder": _l("ví dụ: 85-QĐ/TW; 99-HD/BTGTW")},
    )
    citation_pick = StringField(_l("Chọn từ danh mục"), filters=[nfc], validators=[MaxLength(300)])
    tasks = Rows(FormField(TaskForm), _l("Nhiệm vụ của một yêu cầu"), limit=MAX_TASKS_PER_DIRECTIVE)
    remove = BooleanField(_l("Rút yêu cầu"))

    def is_blank(self) -> bool:
        return not (
            self.id.data
            or self.title.data
            or self.body.data
            or self.citations.data
            or self.citation_pick.data
            or any(not entry.form.is_blank() for entry in self.tasks)
        )

    def citation_texts(self) -> list[str]:
        """The typed codes plus the one picked from the registry."""
        texts = split_citations(self.citations.data)
        if self.citation_pick.data:
            texts.append(self.citation_pick.data)
        return list(dict.fromkeys(texts))


class VisitForm(FlaskForm):
    """The whole visit: details, both sides of the meeting, findings, directives and their tasks."""

    version = HiddenField()
    reference = StringField(_l("Số hiệu (bỏ trống để tự đặt)"), filters=[nfc], validators=[MaxLength(40)])
    title = StringField(
        _l("Tiêu đề"), filters=[nfc], validators=[InputRequired(_l("Chưa nhập tiêu đề.")), MaxLength(300)]
    )
    subject = StringField(
        _l("Nội dung kiểm tra"),
        filters=[nfc],
        validators=[InputRequired(_l("Chưa nhập nội dung kiểm tra.")), MaxLength(200)],
        render_kw={"placeholder": _l("ví dụ: công tác tuyên giáo")},
    )
    visited_on = DateText(_l("Ngày kiểm tra"), validators=[InputRequired(_l("Chưa nhập ngày kiểm tra."))])
    day_part = Choice(_l("Buổi"), choices=[SelectChoice("", "—"), *choices(DayPart)])
    place = StringField(_l("Địa điểm"), filters=[nfc], validators=[MaxLength(200)])
    decision_ref = StringField(
        _l("Căn cứ (quyết định, kế hoạch kiểm tra)"),
        filters=[nfc],
        validators=[MaxLength(300)],
        render_kw={
            "placeholder": _l("ví dụ: Quyết định số 123-QĐ/BTGTU ngày 02/6/2023 của Ban Tuyên giáo Tỉnh ủy")
        },
    )
    period_label = StringField(
        _l("Kỳ kiểm tra"),
        filters=[nfc],
        validators=[MaxLength(120)],
        render_kw={"placeholder": _l("ví dụ: 6 tháng đầu năm 2023")},
    )
    period_start_on = DateText(_l("Từ ngày"))
    period_end_on = DateText(_l("Đến ngày"))
    inspecting_org_id = Choice(
        _l("Cơ quan kiểm tra"), choices=[], validators=[InputRequired(_l("Chưa chọn cơ quan kiểm tra."))]
    )
    inspected_org_id = Choice(
        _l("Đơn vị được kiểm tra"),
        choices=[],
        validators=[InputRequired(_l("Chưa chọn đơn vị được kiểm tra."))],
    )
    summary = TextAreaField(_l("Tóm tắt"), filters=[nfc], validators=[MaxLength(20_000)])
    inspecting = Rows(FormField(MemberForm), _l("Thành viên đoàn kiểm tra"), limit=MAX_MEMBERS_PER_SIDE)
    hosts = Rows(FormField(MemberForm), _l("Thành phần tiếp đoàn"), limit=MAX_MEMBERS_PER_SIDE)
    findings = Rows(FormField(FindingForm), _l("Nhận xét"), limit=MAX_FINDINGS)
    directives = Rows(FormField(DirectiveForm), _l("Yêu cầu"), limit=MAX_DIRECTIVES)
    # Shown only after a warning that a new task's unit will not receive it (``workflows.reach``).
    confirm_reach = BooleanField(_l("Tôi đã biết; vẫn giao nhiệm vụ cho các đơn vị này"))
    reach_problems: list[str] = []

    def overflowing_lists(self) -> list[str]:
        """A message for each list that was sent with more rows than a visit may have."""
        lists = [self.inspecting, self.hosts, self.findings, self.directives]
        lists += [entry.form.tasks for entry in self.directives]
        return [rows.overflow_message() for rows in dict.fromkeys(lists) if rows.overflowing]

    def set_choices(
        self,
        *,
        inspecting_orgs: list[SelectChoice],
        all_orgs: list[SelectChoice],
        people: list[SelectChoice],
    ) -> None:
        """Fill every picker, including those of rows added since the form was built."""
        self.inspecting_org_id.choices = inspecting_orgs
        self.inspected_org_id.choices = all_orgs
        for entries, order in ((self.inspecting, INSPECTING_ROLE_ORDER), (self.hosts, HOST_ROLE_ORDER)):
            for entry in entries:
                entry.form.person_id.choices = people
                entry.form.role.choices = choices(DelegationRole, order)
        units = [choice for choice in all_orgs if choice.value]
        for directive in self.directives:
            for task in directive.form.tasks:
                task.form.lead_org_id.choices = all_orgs
                task.form.coordinating_ids.choices = units

    def validate(self, extra_validators: Any = None) -> bool:
        """Field rules, then the rules that tie rows together (ignoring rows left blank)."""
        valid = super().validate(extra_validators)
        errors = self._check_rows()
        return valid and not errors

    def _check_rows(self) -> bool:
        found_error = False
        for message in self.overflowing_lists():
            self.form_errors.append(message)
            found_error = True

        def fail(field: Field, message: Any) -> None:
            nonlocal found_error
            field.errors = [*list(field.errors), str(message)]
            found_error = True

        if self.inspecting_org_id.data and self.inspecting_org_id.data == self.inspected_org_id.data:
            fail(self.inspected_org_id, _l("Cơ quan kiểm tra và đơn vị được kiểm tra phải khác nhau."))
        start, end = self.period_start_on.data, self.period_end_on.data
        if start and end and end < start:
            fail(self.period_end_on, _l("Ngày kết thúc kỳ kiểm tra không được trước ngày bắt đầu."))

        seen_people: set[str] = set()
        heads = 0
        for entries in (self.inspecting, self.hosts):
            for entry in entries:
                member = entry.form
                if member.is_blank() or member.remove.data:
                    continue
                if not member.person_id.data and not member.new_name.data:
                    fail(member.new_name, _l("Chọn một người trong danh sách hoặc nhập họ và tên người mới."))
                if member.person_id.data and member.new_name.data:
                    fail(member.new_name, _l("Chỉ chọn người có sẵn hoặc nhập người mới, không cả hai."))
                key = member.person_id.data or (member.new_name.data or "").casefold()
                if key and key in seen_people:
                    fail(member.person_id, _l("Người này đã có trong danh sách."))
                seen_people.add(key)
                if member.role.data == DelegationRole.HEAD.value:
                    heads += 1
                    if heads > 1:
                        fail(member.role, _l("Đoàn chỉ có một Trưởng Đoàn."))

        for entry in self.findings:
            finding = entry.form
            if not finding.is_blank() and not finding.remove.data and not finding.text.data:
                fail(finding.text, _l("Chưa nhập nội dung nhận xét."))

        visited_on = self.visited_on.data
        for entry in self.directives:
            directive = entry.form
            if directive.is_blank() or directive.remove.data:
                continue
            if not directive.body.data:
                fail(directive.body, _l("Nội dung yêu cầu không được để trống."))
            try:
                check_due_date(directive.due_on.data, visited_on)
            except ValidationFailed as error:
                fail(directive.due_on, error_message(error))
            for text in directive.citation_texts():
                try:
                    parse_citation(text)
                except ValidationFailed as error:
                    fail(directive.citations, error_message(error))
            for task_entry in directive.tasks:
                task = task_entry.form
                if task.is_blank() or task.remove.data:
                    continue
                if not task.lead_org_id.data:
                    fail(task.lead_org_id, _l("Chưa chọn đơn vị chủ trì."))
                try:
                    check_due_date(task.due_on.data, visited_on)
                except ValidationFailed as error:
                    fail(task.due_on, error_message(error))
        return found_error


# --- Smaller forms -------------------------------------------------------------------------


class NewTaskForm(FlaskForm):
    """Give one more task to a directive (also after the conclusion)."""

    title = StringField(TASK_TITLE, filters=[nfc], validators=[MaxLength(300)])
    description = TextAreaField(_l("Mô tả"), filters=[nfc], validators=[MaxLength(20_000)])
    lead_org_id = Choice(
        _l("Đơn vị chủ trì"), choices=[], validators=[InputRequired(_l("Chưa chọn đơn vị chủ trì."))]
    )
    coordinating_ids = MultiChoice(_l("Đơn vị phối hợp"), choices=[])
    due_on = DateText(_l("Hạn hoàn thành"))
    due_working_days = StringField(
        _l("Hoặc: trong số ngày làm việc"),
        description=_l("Không tính thứ Bảy, Chủ nhật, ngày lễ, Tết và ngày nghỉ bù."),
    )
    due_from = DateText(_l("Tính từ ngày"), description=_l("Để trống: tính từ hôm nay."))
    # Shown only after a warning that a unit will not receive the task (``workflows.reach``).
    confirm_reach = BooleanField(_l("Tôi đã biết; vẫn giao nhiệm vụ cho các đơn vị này"))

    def working_days(self) -> int | None:
        """The working-day count typed, once validated."""
        text = (self.due_working_days.data or "").strip()
        return int(text) if text else None

    def validate_due_working_days(self, field: Field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        if not text.isdigit():
            raise ValidationError(_l("Số ngày làm việc phải là một số nguyên dương."))
        if self.due_on.data is not None:
            raise ValidationError(_l("Nhập hạn là một ngày hoặc là số ngày làm việc, không nhập cả hai."))


class SuccessorForm(FlaskForm):
    """Record the body that took over a unit's work, and move its open tasks there."""

    successor_id = Choice(_l("Đơn vị kế thừa"), choices=[])
    move_open_tasks = BooleanField(_l("Chuyển các nhiệm vụ đang mở của đơn vị này sang đơn vị kế thừa"))


class CloseVisitForm(FlaskForm):
    """The closing evaluation written when every task is finished."""

    version = HiddenField()
    evaluation = TextAreaField(
        _l("Đánh giá kết thúc"),
        filters=[nfc],
        validators=[
            InputRequired(_l("Cần viết đánh giá kết thúc trước khi đóng đợt kiểm tra.")),
            MaxLength(20_000),
        ],
    )


class ConcludeForm(FlaskForm):
    """Conclude a visit, with the day by which the inspected unit reports back on the notice
    (proposed a month ahead; left empty, no report back is asked for)."""

    version = HiddenField()
    report_due_on = DateText(_l("Hạn báo cáo kết quả thực hiện"))


class VersionForm(FlaskForm):
    """A button that changes a record, carrying the version the user saw."""

    version = HiddenField()


class TaskHoldForm(FlaskForm):
    """Pause, resume or cancel a task, with the version the user saw; pause and cancel need a reason."""

    version = HiddenField()
    reason = TextAreaField(_l("Lý do"), filters=[nfc], validators=[MaxLength(5000)])


class ExtensionDecisionForm(FlaskForm):
    """Approve or refuse a request to move a due date."""

    version = HiddenField()
    note = TextAreaField(_l("Ý kiến"), filters=[nfc], validators=[MaxLength(5000)])


class DocumentForm(FlaskForm):
    """A registry entry: the code is parsed when the entry is added and never changes afterwards."""

    citation = StringField(
        _l("Số hiệu hoặc trích dẫn đầy đủ"),
        filters=[nfc],
        validators=[MaxLength(300)],
        render_kw={"placeholder": _l("ví dụ: Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư")},
    )
    title = StringField(_l("Trích yếu"), filters=[nfc], validators=[MaxLength(500)])
    type_name = StringField(_l("Loại văn bản"), filters=[nfc], validators=[MaxLength(60)])
    issuer_name = StringField(_l("Cơ quan ban hành"), filters=[nfc], validators=[MaxLength(200)])
    issued_on = DateText(_l("Ngày ban hành"))
    is_secret = BooleanField(_l("Văn bản mật"))

    def validate_citation(self, field: Field) -> None:
        if field.data:
            try:
                parse_citation(field.data)
            except ValidationFailed as error:
                raise ValidationError(error_message(error)) from None


class OrganizationForm(FlaskForm):
    """A body in the tree."""

    name = StringField(
        _l("Tên"), filters=[nfc], validators=[InputRequired(_l("Chưa nhập tên.")), MaxLength(200)]
    )
    short_name = StringField(_l("Tên ngắn"), filters=[nfc], validators=[MaxLength(80)])
    code = StringField(
        _l("Mã (duy nhất)"),
        filters=[nfc],
        validators=[InputRequired(_l("Chưa nhập mã.")), MaxLength(40)],
        render_kw={"placeholder": "HU-BUDOP"},
    )
    doc_code = StringField(
        _l("Ký hiệu trong số văn bản"),
        filters=[nfc],
        validators=[InputRequired(_l("Chưa nhập ký hiệu.")), MaxLength(20)],
        render_kw={"placeholder": "HU"},
    )
    kind = Choice(_l("Loại"), choices=choices(OrgKind))
    parent_id = Choice(_l("Trực thuộc"), choices=[])
    place_name = StringField(_l("Địa danh ghi trên văn bản"), filters=[nfc], validators=[MaxLength(80)])
    valid_from = DateText(_l("Hiệu lực từ ngày"))
    valid_to = DateText(_l("Hiệu lực đến ngày"))

    def validate_valid_to(self, field: Field) -> None:
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(gettext("Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực."))


class UserForm(FlaskForm):
    """An account that signs in."""

    username = StringField(
        _l("Tên đăng nhập"),
        filters=[nfc],
        validators=[InputRequired(_l("Chưa nhập tên đăng nhập.")), MaxLength(60)],
    )
    display_name = StringField(_l("Họ và tên"), filters=[nfc], validators=[MaxLength(120)])
    email = StringField(
        _l("Thư điện tử"),
        filters=[nfc],
        validators=[Optional(), MaxLength(200)],
    )
    role = Choice(_l("Vai trò"), choices=choices(Role))
    organization_id = Choice(
        _l("Cơ quan, đơn vị"), choices=[], validators=[InputRequired(_l("Chưa chọn cơ quan, đơn vị."))]
    )
    locale = Choice(_l("Ngôn ngữ"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")])
    is_active = BooleanField(_l("Đang hoạt động"), default=True)
    password = PasswordField(_l("Mật khẩu mới"), validators=[MaxLength(200)])
    # "" no one, "new" a person added from the name and position below, else a person's id.
    person_id = Choice(_l("Người trong danh bạ"), choices=[], validators=[Optional()])
    position = StringField(_l("Chức vụ"), filters=[nfc], validators=[MaxLength(200)])

    def validate_email(self, field: Field) -> None:
        if field.data and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", field.data):
            raise ValidationError(gettext("Địa chỉ thư điện tử không hợp lệ."))
