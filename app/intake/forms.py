"""Forms of the article intake: the article to read, and the review of what was read from it."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.rows import Rows
from models import Organization, User, db
from models.enums import DayPart, DelegationRole, FindingKind
from models.vntext import format_date, nfc
from workflows.citations import parse_citation
from workflows.clock import parse_date
from workflows.errors import ValidationFailed
from workflows.intake import ACCEPTED_EXTENSIONS, MAX_CHARS, DraftVisit, Found, Span, period_end_on
from workflows.intake_save import (
    OrgMatch,
    ReviewedDirective,
    ReviewedFinding,
    ReviewedPerson,
    ReviewedVisit,
    organisations,
    suggested_title,
)
from workflows.visits import MAX_DIRECTIVES, MAX_FINDINGS, MAX_MEMBERS_PER_SIDE

DAY_PARTS = [
    SelectChoice("", _l("— không rõ —")),
    SelectChoice(DayPart.MORNING.value, _l("Buổi sáng")),
    SelectChoice(DayPart.AFTERNOON.value, _l("Buổi chiều")),
    SelectChoice(DayPart.EVENING.value, _l("Buổi tối")),
    SelectChoice(DayPart.FULL_DAY.value, _l("Cả ngày")),
]
ROLES = [
    SelectChoice(DelegationRole.HEAD.value, _l("Trưởng Đoàn")),
    SelectChoice(DelegationRole.DEPUTY_HEAD.value, _l("Phó Trưởng Đoàn")),
    SelectChoice(DelegationRole.MEMBER.value, _l("Thành viên Đoàn")),
    SelectChoice(DelegationRole.SECRETARY.value, _l("Thư ký Đoàn")),
    SelectChoice(DelegationRole.HOST_CHAIR.value, _l("Chủ trì (phía đơn vị)")),
    SelectChoice(DelegationRole.HOST_PARTICIPANT.value, _l("Thành phần (phía đơn vị)")),
]
KINDS = [
    SelectChoice(FindingKind.ACHIEVEMENT.value, _l("Kết quả đạt được")),
    SelectChoice(FindingKind.DIFFICULTY.value, _l("Khó khăn")),
    SelectChoice(FindingKind.LIMITATION.value, _l("Hạn chế")),
    SelectChoice(FindingKind.CAUSE.value, _l("Nguyên nhân")),
    SelectChoice(FindingKind.HOST_REQUEST.value, _l("Kiến nghị của đơn vị")),
]


def _date_field(label: Any, required: bool = False) -> StringField:
    validators = [DataRequired(_l("Chưa nhập %(label)s.", label=label))] if required else [Optional()]
    return StringField(label, validators=validators, filters=[nfc], render_kw={"placeholder": "dd/mm/yyyy"})


def _check_date(field: StringField, label: Any) -> None:
    try:
        parse_date(field.data, field=str(label))
    except ValidationFailed as error:
        raise ValidationError(error.message) from None


class ArticleForm(FlaskForm):
    """The article: pasted text, or a .txt, .html or .docx file."""

    text = TextAreaField(
        _l("Nội dung bài viết"),
        filters=[nfc],
        validators=[Optional(), Length(max=MAX_CHARS, message=_l("Bài viết quá dài."))],
        render_kw={"rows": 14},
    )
    file = FileField(
        _l("Hoặc chọn tệp (.txt, .html, .docx)"),
        render_kw={"accept": ",".join(f".{e}" for e in ACCEPTED_EXTENSIONS)},
    )

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.text.data and not (self.file.data and self.file.data.filename):
            self.text.errors = [_l("Hãy dán nội dung bài viết hoặc chọn một tệp.")]
            return False
        return True


class PersonEntry(Form):
    include = BooleanField(_l("Giữ mục này"), default=True)
    name = StringField(_l("Họ và tên"), filters=[nfc], validators=[Length(max=120)])
    role = SelectField(_l("Vai trò"), choices=ROLES)
    position = StringField(_l("Chức vụ"), filters=[nfc], validators=[Length(max=200)])
    party_titles = StringField(_l("Chức danh Đảng"), filters=[nfc], validators=[Length(max=80)])
    span = HiddenField()

    def validate_name(self, field: StringField) -> None:
        if self.include.data and not field.data:
            raise ValidationError(_l("Chưa nhập họ và tên."))


class FindingEntry(Form):
    include = BooleanField(_l("Giữ mục này"), default=True)
    kind = SelectField(_l("Loại"), choices=KINDS)
    text = TextAreaField(_l("Nội dung"), filters=[nfc], render_kw={"rows": 2})
    span = HiddenField()

    def validate_text(self, field: TextAreaField) -> None:
        if self.include.data and not field.data:
            raise ValidationError(_l("Nội dung nhận xét không được để trống."))


class DirectiveEntry(Form):
    include = BooleanField(_l("Giữ mục này"), default=True)
    number = IntegerField(
        _l("Số"), validators=[Optional(), NumberRange(1, 999, message=_l("Số thứ tự từ 1 đến 999."))]
    )
    title = StringField(_l("Tiêu đề ngắn"), filters=[nfc], validators=[Length(max=300)])
    body = TextAreaField(_l("Nội dung yêu cầu"), filters=[nfc], render_kw={"rows": 4})
    citations = TextAreaField(
        _l("Văn bản được trích dẫn (mỗi dòng một văn bản)"), filters=[nfc], render_kw={"rows": 2}
    )
    due_on = _date_field(_l("Hạn thực hiện"))
    due_period_label = StringField(_l("Thời hạn (kỳ)"), filters=[nfc], validators=[Length(max=120)])
    span = HiddenField()

    def validate_body(self, field: TextAreaField) -> None:
        if self.include.data and not field.data:
            raise ValidationError(_l("Nội dung yêu cầu không được để trống."))

    def validate_due_on(self, field: StringField) -> None:
        if field.data:
            _check_date(field, _l("Hạn thực hiện"))

    def validate_citations(self, field: TextAreaField) -> None:
        for line in (field.data or "").splitlines():
            if line.strip():
                try:
                    parse_citation(line)
                except ValidationFailed as error:
                    raise ValidationError(error.message) from None


class ReviewForm(FlaskForm):
    """What was read from the article, every field editable, each with the span it came from."""

    # A browser sends every line break of a field as CRLF: back to the LF the spans were counted on.
    source = HiddenField(
        filters=[lambda text: text.replace("\r\n", "\n").replace("\r", "\n") if text else text]
    )
    spans = HiddenField()
    inspecting_text = HiddenField()
    inspected_text = HiddenField()
    title = StringField(
        _l("Tiêu đề"),
        filters=[nfc],
        validators=[DataRequired(_l("Chưa nhập tiêu đề.")), Length(max=300)],
    )
    visited_on = _date_field(_l("Ngày kiểm tra"), required=True)
    day_part = SelectField(_l("Buổi"), choices=DAY_PARTS)
    inspecting_org = SelectField(_l("Cơ quan kiểm tra"), coerce=int, validate_choice=False)
    inspected_org = SelectField(_l("Đơn vị được kiểm tra"), coerce=int, validate_choice=False)
    subject = StringField(
        _l("Nội dung kiểm tra"),
        filters=[nfc],
        validators=[DataRequired(_l("Chưa nhập nội dung kiểm tra.")), Length(max=200)],
    )
    period_label = StringField(_l("Kỳ kiểm tra"), filters=[nfc], validators=[Length(max=120)])
    period_start_on = _date_field(_l("Từ ngày"))
    period_end_on = _date_field(_l("Đến ngày"))
    place = StringField(_l("Địa điểm"), filters=[nfc], validators=[Length(max=200)])
    summary = TextAreaField(_l("Tóm tắt"), filters=[nfc], render_kw={"rows": 3})
    people = Rows(FormField(PersonEntry), _l("Thành phần"), limit=2 * MAX_MEMBERS_PER_SIDE)
    findings = Rows(FormField(FindingEntry), _l("Nhận xét"), limit=MAX_FINDINGS)
    directives = Rows(FormField(DirectiveEntry), _l("Yêu cầu"), limit=MAX_DIRECTIVES)
    allow_duplicate = BooleanField(_l("Vẫn lưu dù đã có đợt kiểm tra cùng ngày giữa hai đơn vị này"))

    def set_choices(self, actor: User) -> None:
        """Offer the actor's own bodies as inspecting bodies and every unit as the inspected one."""
        every = organisations()
        blank = [SelectChoice(0, str(_l("— Chọn đơn vị —")))]
        self.inspecting_org.choices = blank + [
            SelectChoice(o.id, _org_label(o)) for o in every if actor.in_scope(o)
        ]
        self.inspected_org.choices = blank + [SelectChoice(o.id, _org_label(o)) for o in every]
        self._allowed = {
            "inspecting_org": {o.id for o in every if actor.in_scope(o)},
            "inspected_org": {o.id for o in every},
        }

    def validate(self, extra_validators: Any = None) -> bool:
        """Field rules, and no list longer than a visit may have."""
        valid = super().validate(extra_validators)
        overflowing = [rows for rows in (self.people, self.findings, self.directives) if rows.overflowing]
        self.form_errors.extend(rows.overflow_message() for rows in overflowing)
        return valid and not overflowing

    def validate_inspecting_org(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Hãy chọn cơ quan kiểm tra."))
        if field.data not in self._allowed["inspecting_org"]:
            raise ValidationError(_l("Chỉ chọn được cơ quan của mình làm cơ quan kiểm tra."))

    def validate_inspected_org(self, field: SelectField) -> None:
        if not field.data or field.data not in self._allowed["inspected_org"]:
            raise ValidationError(_l("Hãy chọn đơn vị được kiểm tra."))

    def validate_visited_on(self, field: StringField) -> None:
        _check_date(field, _l("Ngày kiểm tra"))

    def validate_period_start_on(self, field: StringField) -> None:
        if field.data:
            _check_date(field, _l("Từ ngày"))

    def validate_period_end_on(self, field: StringField) -> None:
        if field.data:
            _check_date(field, _l("Đến ngày"))

    def span_of(self, name: str) -> Span | None:
        """The span of the article a top-level field was read from."""
        try:
            value = json.loads(self.spans.data or "{}").get(name)
        except ValueError:
            return None
        return _span(value)

    def reviewed(self) -> ReviewedVisit:
        """The checked values, as the saving workflow takes them."""
        inspecting = db.session.get(Organization, self.inspecting_org.data)
        inspected = db.session.get(Organization, self.inspected_org.data)
        assert inspecting is not None and inspected is not None  # checked by the validators
        visited_on = parse_date(self.visited_on.data)
        assert visited_on is not None
        return ReviewedVisit(
            title=self.title.data or "",
            subject=self.subject.data or "",
            visited_on=visited_on,
            inspecting_org=inspecting,
            inspected_org=inspected,
            day_part=DayPart(self.day_part.data) if self.day_part.data else None,
            period_label=self.period_label.data or None,
            period_start_on=parse_date(self.period_start_on.data),
            period_end_on=parse_date(self.period_end_on.data),
            summary=self.summary.data or None,
            place=self.place.data or None,
            people=tuple(
                ReviewedPerson(
                    e.form.name.data,
                    e.form.position.data or None,
                    e.form.party_titles.data or None,
                    DelegationRole(e.form.role.data),
                )
                for e in self.people
                if e.form.include.data
            ),
            findings=tuple(
                ReviewedFinding(FindingKind(e.form.kind.data), e.form.text.data)
                for e in self.findings
                if e.form.include.data
            ),
            directives=tuple(
                ReviewedDirective(
                    body=e.form.body.data,
                    number=e.form.number.data,
                    title=e.form.title.data or None,
                    citations=tuple(
                        line.strip() for line in e.form.citations.data.splitlines() if line.strip()
                    ),
                    due_on=parse_date(e.form.due_on.data),
                    due_period_label=e.form.due_period_label.data or None,
                )
                for e in self.directives
                if e.form.include.data
            ),
        )


def _org_label(org: Organization) -> str:
    if org.valid_to:
        return f"{org.name} (đến {format_date(org.valid_to)})"
    return org.name


def _span(value: Any) -> Span | None:
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return (value[0], value[1])
    if isinstance(value, str) and "," in value:
        start, _, end = value.partition(",")
        if start.strip().isdigit() and end.strip().isdigit():
            return (int(start), int(end))
    return None


def entry_span(entry: Any) -> Span | None:
    """The span of the article one person, finding or directive was read from."""
    return _span(entry.form.span.data)


def _span_text(span: Span | None) -> str:
    return f"{span[0]},{span[1]}" if span else ""


def _found(item: Found[Any] | None) -> Any:
    return item.value if item is not None else None


def review_data(draft: DraftVisit, inspecting: OrgMatch, inspected: OrgMatch) -> dict[str, Any]:
    """The review form's initial values, from the draft and the matched organisations."""
    spans = {
        name: list(item.span)
        for name, item in (
            ("title", draft.title),
            ("visited_on", draft.visited_on),
            ("day_part", draft.day_part),
            ("inspecting_org", draft.inspecting_body),
            ("inspected_org", draft.inspected_unit),
            ("subject", draft.subject),
            ("summary", draft.summary),
            ("place", draft.place),
        )
        if item is not None and item.span is not None
    }
    if draft.period and draft.period.span:
        spans["period_label"] = list(draft.period.span)
    return {
        "source": draft.text,
        "spans": json.dumps(spans),
        "inspecting_text": _found(draft.inspecting_body) or "",
        "inspected_text": _found(draft.inspected_unit) or "",
        "title": suggested_title(draft),
        "visited_on": format_date(_found(draft.visited_on)),
        "day_part": draft.day_part.value.value if draft.day_part else "",
        "inspecting_org": inspecting.organization.id if inspecting.organization else 0,
        "inspected_org": inspected.organization.id if inspected.organization else 0,
        "subject": _found(draft.subject) or "",
        "period_label": draft.period.label if draft.period else "",
        "period_start_on": format_date(draft.period.start_on) if draft.period else "",
        "period_end_on": format_date(draft.period.end_on) if draft.period else "",
        "summary": _found(draft.summary) or "",
        "place": _found(draft.place) or "",
        "people": [
            {
                "include": True,
                "name": p.name,
                "role": p.role.value,
                "position": p.position or "",
                "party_titles": p.party_titles or "",
                "span": _span_text(p.span),
            }
            for p in draft.people
        ],
        "findings": [
            {"include": True, "kind": f.kind.value, "text": f.text, "span": _span_text(f.span)}
            for f in draft.findings
        ],
        "directives": [
            {
                "include": True,
                "number": d.number,
                "title": d.title or "",
                "body": d.text,
                "citations": "\n".join(c.text for c in d.citations),
                "due_on": format_date(d.due_on or _period_due(draft, d.due_period_label)),
                "due_period_label": d.due_period_label or "",
                "span": _span_text(d.span),
            }
            for d in draft.directives
        ],
    }


def _period_due(draft: DraftVisit, label: str | None) -> Any:
    """A request's due date from the period the article gives it ("6 tháng cuối năm 2023")."""
    visited = draft.visited_on.value if draft.visited_on else None
    due = period_end_on(label, visited.year if visited else None)
    return due if due and (visited is None or due >= visited) else None
