"""Error pages in the user's language instead of Werkzeug's English ones."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: (_l("Yêu cầu không hợp lệ"), _l("Dữ liệu gửi lên không đúng. Vui lòng tải lại trang và thử lại.")),
    403: (_l("Không có quyền"), _l("Tài khoản của bạn không được làm việc này.")),
    404: (_l("Không tìm thấy"), _l("Trang hoặc hồ sơ bạn tìm không có, hoặc nằm ngoài phạm vi của bạn.")),
    405: (_l("Không thực hiện được"), _l("Trang này không nhận cách gửi đó.")),
    413: (_l("Tệp quá lớn"), _l("Tệp gửi lên vượt quá dung lượng cho phép.")),
    429: (_l("Thử quá nhiều lần"), _l("Vui lòng đợi một lúc rồi thử lại.")),
    500: (_l("Lỗi hệ thống"), _l("Đã có lỗi xảy ra; dữ liệu của bạn chưa được lưu. Vui lòng thử lại sau.")),
}


def render_error(error: HTTPException) -> tuple[str, int]:
    """Render an HTTP error as a page with a Vietnamese title and explanation."""
    code = error.code or 500
    title, message = MESSAGES.get(code, (error.name, error.description))
    return render_template("error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    """Register the error pages (blueprints may still register their own)."""
    for code in MESSAGES:
        if code != 500:
            app.register_error_handler(code, render_error)
    app.register_error_handler(500, lambda _error: render_error(InternalServerError()))
