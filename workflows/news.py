"""News post workflows: draft from a visit, edit, attach photos, publish and take down.

Inspectors of the inspecting body write the draft and edit it; leaders over that body edit it
too, and only they publish or take it down. A post belongs to the body that inspected: its scope
is that organisation's subtree. The slug follows the title until the first publication and is
kept from then on, like the first publication time. Each function checks scope, role and state,
logs an audit entry and never commits.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import aliased

from exports.html_clean import IMAGE_PATH, clean_html
from exports.news import Photo, draft_from_visit, photo_html, secret_codes
from models import NewsImage, NewsPost, Organization, User, Visit, db
from models.base import utcnow
from models.enums import NewsStatus, Role, VisitStatus
from models.vntext import nfc, search_key
from workflows import audit
from workflows.clock import local_date_of
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, StaleRecord, ValidationFailed
from workflows.scope import in_subtree, visits_in_scope

SLUG_MAX = 120
TITLE_MAX = 300
LEAD_MAX = 2000
AUTHOR_MAX = 200
CAPTION_MAX = 500
BODY_MAX = 200_000

EDITOR_ROLES = frozenset({Role.INSPECTOR, Role.LEADER})


@dataclass(frozen=True)
class ImageKind:
    """An image type recognised from its first bytes."""

    extension: str
    content_type: str


def sniff_image(data: bytes) -> ImageKind | None:
    """Recognise JPEG, PNG, GIF and WebP from their content; anything else (SVG, HTML …) is None."""
    if data.startswith(b"\xff\xd8\xff"):
        return ImageKind("jpg", "image/jpeg")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageKind("png", "image/png")
    if data.startswith((b"GIF87a", b"GIF89a")):
        return ImageKind("gif", "image/gif")
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return ImageKind("webp", "image/webp")
    return None


def slugify(title: str) -> str:
    """Make an address from a Vietnamese title: no marks, đ as d, words joined by hyphens."""
    words = re.sub(r"[^a-z0-9]+", " ", search_key(title)).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX:
            break
        slug = candidate
    return slug or (words[0][:SLUG_MAX] if words else "tin")


def unique_slug(title: str, post: NewsPost | None = None) -> str:
    """The slug of ``title``, with "-2", "-3" … added when another post already has it."""
    base = slugify(title)
    taken = set(
        db.session.scalars(
            select(NewsPost.slug).where(
                NewsPost.slug.like(f"{base}%"), NewsPost.id != (post.id if post and post.id else -1)
            )
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def owner_of(post: NewsPost) -> Organization | None:
    """The body a post belongs to: the one that inspected, else its author's organisation."""
    if post.visit is not None:
        return post.visit.inspecting_org
    return post.created_by.organization if post.created_by else None


def posts_in_scope(root: Organization) -> ColumnElement[bool]:
    """Posts an editor of the subtree sees: those of its visits, and visit-less ones its users wrote."""
    author = aliased(User)
    author_org = aliased(Organization)
    written_here = (
        select(author.id)
        .join(author_org, author_org.id == author.organization_id)
        .where(in_subtree(author_org.path, root))
    )
    return or_(
        NewsPost.visit_id.in_(select(Visit.id).where(visits_in_scope(root))),
        and_(NewsPost.visit_id.is_(None), NewsPost.created_by_id.in_(written_here)),
    )


def can_view(post: NewsPost, user: User) -> bool:
    """Editors see the posts of their subtree, drafts included."""
    if not getattr(user, "is_authenticated", False) or user.role not in EDITOR_ROLES:
        return False
    if post.visit is not None and post.visit.can_view(user):
        return True
    return user.in_scope(owner_of(post))


def can_edit(post: NewsPost, user: User) -> bool:
    """Inspectors of the owning body and leaders over it edit a post."""
    return (
        getattr(user, "is_authenticated", False)
        and user.role in EDITOR_ROLES
        and user.in_scope(owner_of(post))
    )


def can_publish(post: NewsPost, user: User) -> bool:
    """Leaders over the owning body publish and take down."""
    return (
        getattr(user, "is_authenticated", False)
        and user.role is Role.LEADER
        and user.in_scope(owner_of(post))
    )


def can_draft(visit: Visit, user: User) -> bool:
    """Inspectors of the inspecting body write a post once the visit has taken place."""
    return (
        getattr(user, "is_authenticated", False)
        and visit.can_edit(user)
        and visit.status is not VisitStatus.PLANNED
    )


def _check_view(post: NewsPost, actor: User) -> None:
    if not can_view(post, actor):
        raise OutOfScope("Không tìm thấy bài viết.")


def _check_edit(post: NewsPost, actor: User) -> None:
    _check_view(post, actor)
    if not can_edit(post, actor):
        raise PermissionDenied("Chỉ cán bộ của cơ quan kiểm tra và lãnh đạo được sửa bài viết này.")
    if post.status is NewsStatus.PUBLISHED:
        raise InvalidState("Bài đã đăng; cần gỡ bài xuống trước khi sửa.")


def default_author(actor: User, visit: Visit) -> str:
    """Sign a draft with the writer's name if known, else with the inspecting body."""
    if actor.person is not None:
        return actor.person.full_name
    return visit.inspecting_org.name


def create_draft(
    visit: Visit, actor: User, *, photos: tuple[Photo, ...] = (), keep_secret: bool = False
) -> NewsPost:
    """Write a news draft from the visit's record.

    Citations of documents marked secret ("Mật") are left out of the text unless the editor asks to
    keep them (``keep_secret``); the audit entry says which were left out or kept.
    """
    if not visit.can_view(actor):
        raise OutOfScope("Không tìm thấy đợt kiểm tra.")
    if not visit.can_edit(actor):
        raise PermissionDenied("Chỉ cán bộ của cơ quan kiểm tra được viết tin về đợt kiểm tra này.")
    if visit.status is VisitStatus.PLANNED:
        raise InvalidState("Đợt kiểm tra chưa diễn ra; chưa thể viết tin.")
    draft = draft_from_visit(
        visit, author_line=default_author(actor, visit), photos=photos, keep_secret=keep_secret
    )
    post = NewsPost(
        visit=visit,
        title=draft.title,
        slug=unique_slug(draft.title),
        lead=draft.lead,
        body_html=draft.body_html,
        author_line=draft.author_line,
        status=NewsStatus.DRAFT,
        created_by=actor,
    )
    db.session.add(post)
    secret = {"withheld": list(draft.withheld)} if draft.withheld else {}
    if keep_secret and secret_codes(visit):
        secret = {"kept_secret": secret_codes(visit)}
    audit.record(actor, "news.drafted", post, visit=visit.reference, slug=post.slug, **secret)
    return post


def _require(value: str | None, message: str, limit: int, too_long: str) -> str:
    text = nfc(value) or ""
    if not text:
        raise ValidationFailed(message)
    if len(text) > limit:
        raise ValidationFailed(too_long, limit=limit)
    return text


def update_post(
    post: NewsPost,
    actor: User,
    *,
    title: str,
    lead: str | None,
    body_html: str,
    author_line: str | None,
    loaded_at: datetime | None = None,
) -> NewsPost:
    """Save an edited draft; the HTML is cleaned against the allow-list before it is stored.

    ``loaded_at`` is the ``updated_at`` the editor saw; if the post changed since, nothing is saved.
    """
    _check_edit(post, actor)
    # Read the version under a row lock: two editors saving at once on PostgreSQL would otherwise both
    # see the old time and the second would overwrite the first (SQLite's writers already queue).
    current = db.session.execute(
        select(NewsPost.updated_at).where(NewsPost.id == post.id).with_for_update()
    ).scalar_one()
    if loaded_at is not None and current != loaded_at:
        raise StaleRecord("Bài viết vừa được người khác sửa; hãy tải lại trang và sửa lại.")
    title = _require(title, "Chưa nhập tiêu đề bài viết.", TITLE_MAX, "Tiêu đề dài quá %(limit)d ký tự.")
    if len(body_html or "") > BODY_MAX:
        raise ValidationFailed("Nội dung bài viết dài quá %(limit)d ký tự.", limit=BODY_MAX)
    body = clean_html(nfc(body_html))
    if not body:
        raise ValidationFailed("Nội dung bài viết còn trống (sau khi lọc HTML không còn gì để đăng).")
    lead = nfc(lead) or None
    if lead and len(lead) > LEAD_MAX:
        raise ValidationFailed("Đoạn mở đầu dài quá %(limit)d ký tự.", limit=LEAD_MAX)
    author_line = nfc(author_line) or None
    if author_line and len(author_line) > AUTHOR_MAX:
        raise ValidationFailed("Dòng tác giả dài quá %(limit)d ký tự.", limit=AUTHOR_MAX)
    if post.first_published_at is None and title != post.title:
        post.slug = unique_slug(title, post)
    post.title, post.lead, post.body_html, post.author_line = title, lead, body, author_line
    post.updated_at = utcnow()
    audit.record(actor, "news.edited", post)
    return post


def publish_post(post: NewsPost, actor: User, *, now: datetime | None = None) -> NewsPost:
    """Put a draft on the public site; a post published before keeps its slug and first date."""
    _check_view(post, actor)
    if not can_publish(post, actor):
        raise PermissionDenied("Chỉ lãnh đạo được đăng bài.")
    if post.status is NewsStatus.PUBLISHED:
        raise InvalidState("Bài đã được đăng.")
    if not clean_html(post.body_html):
        raise ValidationFailed("Bài viết chưa có nội dung; chưa thể đăng.")
    instant = now or utcnow()
    post.first_published_at = post.first_published_at or instant
    post.published_at = post.first_published_at
    post.status = NewsStatus.PUBLISHED
    audit.record(actor, "news.published", post, slug=post.slug)
    return post


def unpublish_post(post: NewsPost, actor: User) -> NewsPost:
    """Take a post off the public site; it becomes a draft again."""
    _check_view(post, actor)
    if not can_publish(post, actor):
        raise PermissionDenied("Chỉ lãnh đạo được gỡ bài.")
    if post.status is not NewsStatus.PUBLISHED:
        raise InvalidState("Bài chưa được đăng.")
    post.status = NewsStatus.DRAFT
    post.published_at = None
    audit.record(actor, "news.unpublished", post, slug=post.slug)
    return post


@dataclass(frozen=True)
class PreparedImage:
    """A photo checked and named before any write: its bytes may be stored under ``stored_name``
    before the write transaction, then recorded by ``attach_image``."""

    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    caption: str | None


def prepare_image(*, data: bytes, filename: str | None, caption: str | None, max_bytes: int) -> PreparedImage:
    """Check a photo from its content (type, size, caption) and give it a stored name; no database."""
    if not data:
        raise ValidationFailed("Chưa chọn tệp ảnh, hoặc tệp rỗng.")
    if len(data) > max_bytes:
        raise ValidationFailed("Ảnh lớn quá %(mb)s MB.", mb=max_bytes // (1024 * 1024))
    kind = sniff_image(data)
    if kind is None:
        raise ValidationFailed("Tệp không phải ảnh JPEG, PNG, GIF hay WebP.")
    caption = nfc(caption) or None
    if caption and len(caption) > CAPTION_MAX:
        raise ValidationFailed("Chú thích ảnh dài quá %(limit)d ký tự.", limit=CAPTION_MAX)
    return PreparedImage(
        stored_name=f"{secrets.token_hex(16)}.{kind.extension}",
        original_name=(nfc(filename) or "")[:255],
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        caption=caption,
    )


def check_can_add_image(post: NewsPost, actor: User) -> None:
    """Whether ``actor`` may add a photo to ``post`` now (an editor, the post a draft)."""
    _check_edit(post, actor)


def add_image(
    post: NewsPost,
    actor: User,
    *,
    data: bytes,
    filename: str | None,
    caption: str | None,
    max_bytes: int,
    append_to_body: bool = True,
) -> NewsImage:
    """Attach a photo to a draft, checking its type from its content; optionally add it, with
    its caption, at the end of the body. The caller writes the bytes under ``stored_name``."""
    _check_edit(post, actor)
    prepared = prepare_image(data=data, filename=filename, caption=caption, max_bytes=max_bytes)
    return attach_image(post, actor, prepared, append_to_body=append_to_body)


def attach_image(
    post: NewsPost, actor: User, prepared: PreparedImage, *, append_to_body: bool = True
) -> NewsImage:
    """Record a prepared photo on a draft (the rights are checked again: the post may have been
    published since the photo was prepared); optionally add it to the end of the body."""
    _check_edit(post, actor)
    image = NewsImage(
        post=post,
        stored_name=prepared.stored_name,
        original_name=prepared.original_name,
        content_type=prepared.content_type,
        size=prepared.size,
        sha256=prepared.sha256,
        caption=prepared.caption,
        uploaded_by=actor,
    )
    db.session.add(image)
    if append_to_body:
        post.body_html = clean_html(post.body_html + "\n" + figure_html(image))
        post.updated_at = utcnow()
    audit.record(actor, "news.image_added", post, image=image.stored_name)
    return image


def figure_html(image: NewsImage) -> str:
    """The HTML that places a photo with its caption in a post."""
    return photo_html(Photo(src=image_src(image), caption=image.caption or ""))


def image_src(image: NewsImage) -> str:
    """The address of an uploaded photo inside post HTML."""
    return f"{IMAGE_PATH}{image.stored_name}"


def remove_image(image: NewsImage, actor: User) -> NewsImage:
    """Detach a photo from a draft and take it out of the body; the caller deletes the file."""
    post = image.post
    _check_edit(post, actor)
    img = rf'<img[^>]*\ssrc="{re.escape(image_src(image))}"[^>]*>'
    body = re.sub(rf"<figure[^>]*>\s*{img}.*?</figure>", "", post.body_html, flags=re.S)
    body = re.sub(img, "", body)
    post.body_html = clean_html(body)
    post.updated_at = utcnow()
    db.session.delete(image)
    audit.record(actor, "news.image_removed", post, image=image.stored_name)
    return image


def image_is_public(image: NewsImage) -> bool:
    """A photo is public exactly when its post is published."""
    return image.post.status is NewsStatus.PUBLISHED


def post_day(post: NewsPost, *, now: datetime | None = None) -> date:
    """The day in a post's date line, the one it has (or will have) on the public site: its
    publication day; for a draft published before, that first day (publishing again keeps it); for a
    draft never published, today, the day it would carry if published now (the preview shows the
    same date line as the published post)."""
    if post.published_at is not None:
        return local_date_of(post.published_at)
    if post.first_published_at is not None:
        return local_date_of(post.first_published_at)
    return local_date_of(now or utcnow())
