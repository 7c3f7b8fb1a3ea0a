"""News pages: the public site (/tin-tuc/) and the editor (/bai-viet/)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from app import database, once
from app.acting import Refused, error_message, run, safe_back
from app.errors import render_error
from app.news import storage
from app.news.forms import ImageForm, PostForm
from exports import feed as feed_export
from exports import news as news_export
from exports.html_clean import IMAGE_PATH, IMAGE_SRC, clean_html, html_to_text
from models import DelegationMember, Directive, NewsImage, NewsPost, Organization, User, Visit, db
from models.enums import NewsStatus
from models.vntext import whole_number
from workflows import news as news_flow
from workflows.errors import (
    StaleRecord,
)

bp = Blueprint("news", __name__)

PER_PAGE = 10
FEED_SIZE = 20

# News pages load nothing but the app's own files, plus their own inline <style> (and, in the editor,
# one <script>) allowed by a nonce made for each response.
CSP = (
    "default-src 'none'; img-src 'self' data:; style-src {own}; script-src {own}; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)


def csp_nonce() -> str:
    """The nonce of this response's inline script (made on first use)."""
    if "news_csp_nonce" not in g:
        g.news_csp_nonce = secrets.token_urlsafe(16)
    return g.news_csp_nonce


@bp.after_request
def security_headers(response: Response) -> Response:
    """Send a Content-Security-Policy on every news page, public or not."""
    nonce = g.get("news_csp_nonce")
    own = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers["Content-Security-Policy"] = CSP.format(own=own)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def render_body(html: str | None) -> Markup:
    """Show a post's body: cleaned again on the way out, then trusted by Jinja."""
    return Markup(clean_html(html))  # noqa: S704 - cleaned against the allow-list just above


def _post_options() -> list:
    return [
        joinedload(NewsPost.visit).joinedload(Visit.inspecting_org),
        joinedload(NewsPost.visit).joinedload(Visit.inspected_org),
        joinedload(NewsPost.created_by).joinedload(User.organization),
    ]


def _post_or_404(post_id: int) -> NewsPost:
    """Load a post the signed-in editor may see; any other answers 404."""
    post = db.session.scalar(select(NewsPost).where(NewsPost.id == post_id).options(*_post_options()))
    if post is None or not news_flow.can_view(post, current_user):
        abort(404)
    return post


def _images_of(post: NewsPost) -> list[NewsImage]:
    return list(
        db.session.scalars(select(NewsImage).where(NewsImage.post_id == post.id).order_by(NewsImage.id))
    )


# --- public pages ---------------------------------------------------------------------------

LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
DESCRIPTION_MAX = 200


def agency_name() -> str:
    """The agency named on the public site: ``AGENCY_NAME``, else the root organisation's name."""
    configured = current_app.config.get("AGENCY_NAME")
    if configured:
        return str(configured)
    if "news_agency_name" not in g:
        root = db.session.scalar(
            select(Organization.name)
            .where(Organization.parent_id.is_(None))
            .order_by(Organization.id)
            .limit(1)
        )
        g.news_agency_name = root or "kiemtra"
    return str(g.news_agency_name)


def _logo_file() -> Path | None:
    configured = current_app.config.get("AGENCY_LOGO")
    if not configured:
        return None
    path = Path(str(configured))
    return path if path.suffix.lower() in LOGO_TYPES and path.is_file() else None


def agency_logo_url(*, external: bool = False) -> str:
    """The address of the agency's logo (the configured file, else kiemtra's emblem)."""
    if _logo_file() is not None:
        return url_for("news.logo", _external=external)
    return url_for("static", filename="favicon.svg", _external=external)


def description_of(post: NewsPost) -> str:
    """A post's description for search engines and link previews: its lead, else its first lines."""
    text = post.lead or " ".join(html_to_text(clean_html(post.body_html))[:3])
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_MAX:
        return text
    return text[: DESCRIPTION_MAX - 1].rsplit(" ", 1)[0] + "…"


def first_photo_url(post: NewsPost) -> str | None:
    """The absolute address of a post's first photo (the link preview's picture), if it has one."""
    found = IMAGE_SRC.search(post.body_html or "")
    if found is None:
        return None
    return url_for("news.image", name=found.group(0).removeprefix(IMAGE_PATH), _external=True)


@bp.route("/tin-tuc/logo")
def logo() -> ResponseReturnValue:
    """Serve the agency's configured logo file."""
    path = _logo_file()
    if path is None:
        return redirect(url_for("static", filename="favicon.svg"))
    response = send_file(path, mimetype=LOGO_TYPES[path.suffix.lower()], max_age=3600, conditional=True)
    if path.suffix.lower() == ".svg":  # an SVG opened by itself runs no script
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


def _published() -> Select[NewsPost]:
    return (
        select(NewsPost)
        .where(NewsPost.status == NewsStatus.PUBLISHED)
        .order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
    )


def _page_number() -> int:
    """The page asked for; what is not a page number (², 10²⁰) asks for the first."""
    return whole_number(request.args.get("page")) or 1


@bp.route("/tin-tuc/")
def index() -> ResponseReturnValue:
    """List the published posts, newest first, a page at a time."""
    listing = _published().options(defer(NewsPost.body_html))  # the list shows titles and leads only
    page = db.paginate(
        listing, page=_page_number(), per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=True, count=True
    )
    return render_template(
        "news/index.html",
        page=page,
        day_of=news_flow.post_day,
        agency=agency_name(),
        logo_url=agency_logo_url(),
        share_image=agency_logo_url(external=True),
    )


@bp.route("/tin-tuc/<slug>")
def show(slug: str) -> ResponseReturnValue:
    """Show one published post; drafts answer 404 to everyone."""
    post = db.session.scalar(
        select(NewsPost).where(NewsPost.slug == slug, NewsPost.status == NewsStatus.PUBLISHED)
    )
    if post is None:
        abort(404)
    recent = db.session.scalars(_published().where(NewsPost.id != post.id).limit(5)).all()
    return render_template(
        "news/show.html",
        post=post,
        day=news_flow.post_day(post),
        agency=agency_name(),
        logo_url=agency_logo_url(),
        description=description_of(post),
        share_image=first_photo_url(post) or agency_logo_url(external=True),
        recent=recent,
        can_manage=current_user.is_authenticated and news_flow.can_view(post, current_user),
    )


@bp.route("/tin-tuc/feed.atom")
def feed() -> ResponseReturnValue:
    """Serve the Atom feed of the latest published posts."""
    posts = db.session.scalars(_published().limit(FEED_SIZE)).all()
    entries = [
        feed_export.FeedEntry(
            url=url_for("news.show", slug=post.slug, _external=True),
            title=post.title,
            published_at=post.published_at or post.updated_at,
            updated_at=post.updated_at,
            summary=post.lead,
            content_html=post.body_html,
            author=post.author_line,
        )
        for post in posts
    ]
    body = feed_export.build_atom(
        entries,
        title=_("Tin kiểm tra, giám sát"),
        subtitle=_("Tin bài về các đợt kiểm tra đã đăng công khai"),
        site_url=url_for("news.index", _external=True),
        feed_url=url_for("news.feed", _external=True),
        author=current_app.config.get("NEWS_PUBLISHER") or agency_name(),
        updated_at=posts[0].updated_at if posts else datetime(2023, 1, 1, tzinfo=UTC),
    )
    return Response(body, mimetype="application/atom+xml", content_type="application/atom+xml; charset=utf-8")


@bp.route("/tin-tuc/anh/<name>")
def image(name: str) -> ResponseReturnValue:
    """Serve an uploaded photo: to anyone once its post is published, before that to its editors."""
    if not storage.STORED_NAME.fullmatch(name):
        abort(404)
    found = db.session.scalar(
        select(NewsImage).where(NewsImage.stored_name == name).options(*_image_options())
    )
    if found is None:
        abort(404)
    is_public = news_flow.image_is_public(found)
    if not is_public and not (current_user.is_authenticated and news_flow.can_view(found.post, current_user)):
        abort(404)
    path = storage.path_of(name)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=found.content_type, max_age=3600 if is_public else 0, conditional=True
    )
    if not is_public:
        response.cache_control.private = True
    return response


def _image_options() -> list:
    return [
        joinedload(NewsImage.post).joinedload(NewsPost.visit).joinedload(Visit.inspecting_org),
        joinedload(NewsImage.post).joinedload(NewsPost.visit).joinedload(Visit.inspected_org),
        joinedload(NewsImage.post).joinedload(NewsPost.created_by).joinedload(User.organization),
    ]


# --- editor ---------------------------------------------------------------------------------


@bp.route("/bai-viet/")
def manage() -> ResponseReturnValue:
    """List the posts of the editor's scope, drafts and published, latest change first."""
    query = (
        select(NewsPost)
        .where(news_flow.posts_in_scope(current_user.organization))
        .options(joinedload(NewsPost.visit).joinedload(Visit.inspected_org))
        .order_by(NewsPost.updated_at.desc(), NewsPost.id.desc())
    )
    page = db.paginate(query, page=_page_number(), per_page=20, max_per_page=20, error_out=True)
    return render_template("news/manage.html", page=page)


def _visit_for_draft(visit_id: int) -> Visit:
    visit = db.session.scalar(
        select(Visit)
        .where(Visit.id == visit_id)
        .options(
            joinedload(Visit.inspecting_org),
            joinedload(Visit.inspected_org),
            selectinload(Visit.members).joinedload(DelegationMember.person),
            selectinload(Visit.findings),
            selectinload(Visit.directives).selectinload(Directive.citations),
        )
    )
    if visit is None or not visit.can_view(current_user):
        abort(404)
    return visit


@bp.route("/bai-viet/tu-dot-kiem-tra/<int:visit_id>", methods=["POST"])
def create_from_visit(visit_id: int) -> ResponseReturnValue:
    """Write a news draft from a visit's record and open it in the editor."""
    if (replay := once.replayed(url_for("workspace.visit_detail", visit_id=visit_id))) is not None:
        return replay
    visit = _visit_for_draft(visit_id)
    keep_secret = request.form.get("giu_mat") == "1"
    try:
        post = run(lambda: news_flow.create_draft(visit, current_user, keep_secret=keep_secret))
    except Refused:
        return redirect(safe_back(url_for("news.manage")))
    except IntegrityError:  # another draft took the same address at the same moment
        flash(_("Không tạo được bản nháp, vui lòng thử lại."), "error")
        return redirect(safe_back(url_for("news.manage")))
    flash(_("Đã viết bản nháp từ hồ sơ đợt kiểm tra. Hãy đọc lại và sửa trước khi đăng."), "success")
    secret = news_flow.secret_codes(visit)
    if secret and not keep_secret:
        flash(
            _(
                "Bản nháp đã bỏ trích dẫn văn bản mật: %(codes)s (thay bằng «văn bản có liên quan»).",
                codes=", ".join(secret),
            ),
            "warning",
        )
    elif secret:
        flash(
            _(
                "Bản nháp giữ trích dẫn văn bản mật theo yêu cầu của bạn: %(codes)s. "
                "Hãy chắc chắn được phép công bố trước khi đăng.",
                codes=", ".join(secret),
            ),
            "warning",
        )
    return redirect(url_for("news.edit", post_id=post.id))


@bp.route("/bai-viet/<int:post_id>/sua", methods=["GET", "POST"])
def edit(post_id: int) -> ResponseReturnValue:
    """Edit a draft: title, lead, limited HTML body, byline; photos are added beside it."""
    post = _post_or_404(post_id)
    form = PostForm(obj=post if request.method == "GET" else None)
    if request.method == "GET":
        form.loaded_at.data = post.updated_at.isoformat()
    status = 200
    if form.validate_on_submit():
        try:
            loaded_at = datetime.fromisoformat(form.loaded_at.data) if form.loaded_at.data else None
        except ValueError:
            loaded_at = None
        try:
            run(
                lambda: news_flow.update_post(
                    post,
                    current_user,
                    title=form.title.data or "",
                    lead=form.lead.data,
                    body_html=form.body_html.data or "",
                    author_line=form.author_line.data,
                    loaded_at=loaded_at,
                )
            )
        except StaleRecord as error:
            flash(error_message(error), "error")
            status = 409
        except Refused:
            status = 400
        except IntegrityError:
            flash(_("Không lưu được vì địa chỉ bài trùng với bài khác; vui lòng thử lại."), "error")
            status = 409
        else:
            flash(_("Đã lưu bài viết."), "success")
            if form.save_and_preview.data:
                return redirect(url_for("news.preview", post_id=post.id))
            return redirect(url_for("news.edit", post_id=post.id))
    elif request.method == "POST":
        status = 400
    post = _post_or_404(post_id)  # fresh after a rollback
    return (
        render_template(
            "news/edit.html",
            post=post,
            form=form,
            image_form=ImageForm(),
            images=_images_of(post),
            editable=news_flow.can_edit(post, current_user) and post.status is NewsStatus.DRAFT,
            can_publish=news_flow.can_publish(post, current_user),
            figure_html=news_flow.figure_html,
        ),
        status,
    )


@bp.route("/bai-viet/<int:post_id>/xem-truoc")
def preview(post_id: int) -> ResponseReturnValue:
    """Show a post as the public will see it, with the editor's actions."""
    post = _post_or_404(post_id)
    return render_template(
        "news/preview.html",
        post=post,
        day=news_flow.post_day(post),
        can_edit=news_flow.can_edit(post, current_user),
        can_publish=news_flow.can_publish(post, current_user),
    )


@bp.route("/bai-viet/<int:post_id>/dang", methods=["POST"])
def publish(post_id: int) -> ResponseReturnValue:
    """Publish a post on the public site."""
    post = _post_or_404(post_id)
    try:
        run(lambda: news_flow.publish_post(post, current_user))
    except Refused:
        return redirect(url_for("news.preview", post_id=post_id))
    flash(_("Đã đăng bài lên trang tin."), "success")
    return redirect(url_for("news.show", slug=post.slug))


@bp.route("/bai-viet/<int:post_id>/go", methods=["POST"])
def unpublish(post_id: int) -> ResponseReturnValue:
    """Take a post off the public site."""
    post = _post_or_404(post_id)
    try:
        run(lambda: news_flow.unpublish_post(post, current_user))
    except Refused:
        pass  # run() has put the message in a flash
    else:
        flash(_("Đã gỡ bài khỏi trang tin; bài trở lại bản nháp."), "success")
    return redirect(url_for("news.preview", post_id=post_id))


def _wants_json() -> bool:
    """The editor's script uploads a photo in place and asks for JSON; a plain form asks for a page."""
    return request.headers.get("X-Requested-With") == "fetch"


def _upload_refused(post_id: int, message: str, status: int = 400) -> ResponseReturnValue:
    if _wants_json():
        get_flashed_messages()  # the message goes back in the answer, not on the next page
        return jsonify(error=message), status
    flash(message, "error")
    return redirect(url_for("news.edit", post_id=post_id))


@bp.route("/bai-viet/<int:post_id>/anh", methods=["POST"])
@database.reads_first
def upload_image(post_id: int) -> ResponseReturnValue:
    """Attach a photo with its caption to a draft.

    The photo is checked, hashed and written to its folder before the write transaction
    (``reads_first``), which then only records it; a refusal under the lock removes the file.
    From the editor's script (``X-Requested-With: fetch``) the answer is JSON: the photo's figure to
    insert where the cursor is, without reloading the page and the text being typed."""
    post = _post_or_404(post_id)
    max_bytes = int(current_app.config["UPLOAD_MAX_MB"]) * 1024 * 1024
    request.max_content_length = max_bytes + 64 * 1024  # room for the other fields
    too_large = _("Ảnh lớn quá %(mb)s MB.", mb=current_app.config["UPLOAD_MAX_MB"])
    try:
        form = ImageForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        return _upload_refused(post_id, too_large, 413)
    if not valid:
        messages = [message for errors in form.errors.values() for message in errors]
        if _wants_json():
            return _upload_refused(post_id, " ".join(str(m) for m in messages))
        for message in messages:
            flash(message, "error")
        return redirect(url_for("news.edit", post_id=post_id))
    upload = form.image.data
    data = upload.read(max_bytes + 1)
    written: list[str] = []
    in_place = _wants_json()

    def add() -> NewsImage:
        news_flow.check_can_add_image(post, current_user)
        prepared = news_flow.prepare_image(
            data=data, filename=upload.filename, caption=form.caption.data, max_bytes=max_bytes
        )
        storage.write(prepared.stored_name, data)
        written.append(prepared.stored_name)
        database.start_writing()  # the slow part is over: record the photo under the write lock
        return news_flow.attach_image(
            post, current_user, prepared, append_to_body=bool(form.append.data) and not in_place
        )

    try:
        image = run(add, starts_writing=True)
    except BaseException as failed:
        for stored_name in written:  # refused or not committed: no file stays without its record
            storage.delete(stored_name)
        if isinstance(failed, Refused):
            return _upload_refused(post_id, error_message(failed.error))
        raise
    if in_place:
        return jsonify(
            id=image.id,
            figure_html=news_flow.figure_html(image),
            src=url_for("news.image", name=image.stored_name),
            caption=image.caption or "",
            delete_url=url_for("news.delete_image", post_id=post_id, image_id=image.id),
            message=_("Đã tải ảnh lên và chèn vào bài. Bài chưa được lưu: hãy bấm Lưu."),
        )
    flash(_("Đã tải ảnh lên."), "success")
    return redirect(url_for("news.edit", post_id=post_id))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A photo far above the limit is refused before its form is read (the CSRF check reads it first):
    say so on the editing page, as for a photo just above the limit."""
    post_id = (request.view_args or {}).get("post_id")
    if request.endpoint != "news.upload_image" or post_id is None:
        return render_error(error)
    return _upload_refused(post_id, _("Ảnh lớn quá %(mb)s MB.", mb=current_app.config["UPLOAD_MAX_MB"]), 413)


@bp.route("/bai-viet/<int:post_id>/anh/<int:image_id>/xoa", methods=["POST"])
def delete_image(post_id: int, image_id: int) -> ResponseReturnValue:
    """Remove a photo from a draft and from its body."""
    post = _post_or_404(post_id)
    found = db.session.get(NewsImage, image_id)
    if found is None or found.post_id != post.id:
        abort(404)
    stored_name = found.stored_name
    try:
        run(lambda: news_flow.remove_image(found, current_user))
    except Refused:
        return redirect(url_for("news.edit", post_id=post_id))
    storage.delete(stored_name)
    flash(_("Đã xóa ảnh."), "success")
    return redirect(url_for("news.edit", post_id=post_id))


@bp.route("/bai-viet/<int:post_id>/tai-ve.html")
def export_html(post_id: int) -> ResponseReturnValue:
    """Download a post as one standalone HTML file, photos embedded."""
    post = _post_or_404(post_id)
    document = news_export.standalone_html(
        title=post.title,
        day=news_flow.post_day(post),
        lead=post.lead,
        body_html=post.body_html,
        author_line=post.author_line,
        images=storage.embedded(_images_of(post)),
    )
    return _download(document, f"{post.slug}.html", "text/html")


@bp.route("/bai-viet/<int:post_id>/tai-ve.txt")
def export_text(post_id: int) -> ResponseReturnValue:
    """Download a post as plain text."""
    post = _post_or_404(post_id)
    text = news_export.plain_text(
        title=post.title,
        day=news_flow.post_day(post),
        lead=post.lead,
        body_html=post.body_html,
        author_line=post.author_line,
    )
    return _download(text, f"{post.slug}.txt", "text/plain")


def _download(text: str, filename: str, mimetype: str) -> Response:
    response = Response(text.encode("utf-8"), mimetype=mimetype, content_type=f"{mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the partial on the visit dossier ---------------------------------------------------------


def posts_of_visit(visit: Visit) -> list[NewsPost]:
    """The posts about a visit that the signed-in user may open."""
    if not current_user.is_authenticated or current_user.role not in news_flow.EDITOR_ROLES:
        return []
    if not visit.can_view(current_user):
        return []
    return list(
        db.session.scalars(select(NewsPost).where(NewsPost.visit_id == visit.id).order_by(NewsPost.id))
    )


def may_draft(visit: Visit) -> bool:
    """Whether the signed-in user sees the "Viết tin" button of a visit."""
    return news_flow.can_draft(visit, current_user)


def secret_codes(visit: Visit) -> list[str]:
    """The documents marked secret that a visit cites (the "Viết tin" button warns about them)."""
    return news_flow.secret_codes(visit)
