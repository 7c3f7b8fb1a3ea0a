"""Forms of the news editor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from models.vntext import nfc
from workflows.news import AUTHOR_MAX, CAPTION_MAX, LEAD_MAX, TITLE_MAX


class PostForm(FlaskForm):
    """The editable parts of a post; the body is limited HTML, cleaned when saved."""

    title = StringField(
        _l("Tiêu đề"),
        validators=[
            InputRequired(_l("Chưa nhập tiêu đề bài viết.")),
            Length(max=TITLE_MAX, message=_l("Tiêu đề dài quá %(max)d ký tự.")),
        ],
        filters=[nfc],
    )
    lead = TextAreaField(
        _l("Đoạn mở đầu (sapo)"),
        validators=[Optional(), Length(max=LEAD_MAX, message=_l("Đoạn mở đầu dài quá %(max)d ký tự."))],
        filters=[nfc],
    )
    body_html = TextAreaField(
        _l("Nội dung (HTML giới hạn)"),
        validators=[InputRequired(_l("Nội dung bài viết còn trống."))],
        filters=[nfc],
    )
    author_line = StringField(
        _l("Tác giả"),
        validators=[Optional(), Length(max=AUTHOR_MAX, message=_l("Dòng tác giả dài quá %(max)d ký tự."))],
        filters=[nfc],
    )
    loaded_at = HiddenField()
    save = SubmitField(_l("Lưu"))
    save_and_preview = SubmitField(_l("Lưu và xem trước"))


class ImageForm(FlaskForm):
    """A photo to attach, with its caption."""

    image = FileField(_l("Ảnh (JPEG, PNG, GIF, WebP)"), validators=[FileRequired(_l("Chưa chọn tệp ảnh."))])
    caption = StringField(
        _l("Chú thích ảnh"),
        validators=[Optional(), Length(max=CAPTION_MAX, message=_l("Chú thích dài quá %(max)d ký tự."))],
        filters=[nfc],
    )
    append = BooleanField(_l("Thêm ảnh vào cuối bài"), default=True)
