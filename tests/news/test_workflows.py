"""Drafting, editing, photos and publication of news posts, without HTTP."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import AuditEntry, NewsImage, NewsPost, db
from models.enums import NewsStatus
from tests.conftest import at
from tests.news.conftest import PNG
from workflows import news as news_flow
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, StaleRecord, ValidationFailed

MB = 1024 * 1024


def edit(post, user, **changes):
    fields = {
        "title": post.title,
        "lead": post.lead,
        "body_html": post.body_html,
        "author_line": post.author_line,
    }
    fields.update(changes)
    return news_flow.update_post(post, user, **fields)


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Đoàn kiểm tra làm việc tại Bù Đốp", "doan-kiem-tra-lam-viec-tai-bu-dop"),
        (
            "ĐẢNG BỘ HUYỆN ĐỒNG PHÚ: học tập Nghị quyết 05-NQ/TW!",
            "dang-bo-huyen-dong-phu-hoc-tap-nghi-quyet-05-nq-tw",
        ),
        ("Kiểm tra   công tác   tuyên giáo", "kiem-tra-cong-tac-tuyen-giao"),
        ("«»…", "tin"),
    ],
)
def test_the_slug_is_the_title_without_marks_and_with_d_for_dj(title, slug):
    assert news_flow.slugify(title) == slug


def test_a_long_title_gives_a_slug_cut_between_words():
    slug = news_flow.slugify("Kiểm tra công tác tuyên giáo " * 10)
    assert len(slug) <= news_flow.SLUG_MAX
    assert not slug.endswith("-")
    assert slug.endswith(("kiem", "tra", "cong", "tac", "tuyen", "giao"))


def test_an_inspector_of_the_inspecting_body_writes_a_draft_from_the_visit(world, held_visit):
    post = news_flow.create_draft(held_visit, world.inspector)
    db.session.commit()
    assert post.status is NewsStatus.DRAFT
    assert post.published_at is None
    assert post.visit is held_visit
    assert (
        post.slug
        == "ban-tuyen-giao-tinh-uy-kiem-tra-cong-tac-tuyen-giao-6-thang-dau-nam-2023-tai-huyen-uy-bu-dop"
    )
    assert post.author_line == "Ban Tuyên giáo Tỉnh ủy"
    assert "Một là, Quán triệt Quy định 85-QĐ/TW" in post.body_html
    logged = select(AuditEntry.action).where(
        AuditEntry.object_type == "news_post", AuditEntry.object_id == post.id
    )
    assert db.session.scalars(logged).all() == ["news.drafted"]


def test_a_second_draft_of_the_same_title_gets_a_numbered_slug(world, held_visit, draft):
    second = news_flow.create_draft(held_visit, world.inspector)
    third = news_flow.create_draft(held_visit, world.inspector)
    assert second.slug == f"{draft.slug}-2"
    assert third.slug == f"{draft.slug}-3"


@pytest.mark.parametrize(
    "who, error",
    [
        ("office", OutOfScope),  # a unit below the inspected district does not see the visit
        ("leader", PermissionDenied),  # leaders publish, inspectors write
        ("other_inspector", OutOfScope),  # another board does not even see the visit
        ("other_office_user", OutOfScope),
    ],
)
def test_only_inspectors_of_the_inspecting_body_write_drafts(world, held_visit, who, error):
    with pytest.raises(error):
        news_flow.create_draft(held_visit, getattr(world, who))


def test_no_news_is_written_about_a_visit_that_has_not_taken_place(world, create_visit):
    visit = create_visit()
    with pytest.raises(InvalidState):
        news_flow.create_draft(visit, world.inspector)


def test_editing_cleans_the_html_before_it_is_stored(world, draft):
    edit(draft, world.inspector, body_html='<p onclick="x()">Tin <script>alert(1)</script><b>mới</b></p>')
    db.session.commit()
    assert draft.body_html == "<p>Tin <b>mới</b></p>"


def test_a_body_with_nothing_left_after_cleaning_is_refused(world, draft):
    before = draft.body_html
    with pytest.raises(ValidationFailed, match="trống"):
        edit(draft, world.inspector, body_html="<script>alert(1)</script><iframe></iframe>")
    db.session.rollback()
    assert db.session.get(NewsPost, draft.id).body_html == before


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": "   "}, "tiêu đề"),
        ({"title": "x" * 301}, "Tiêu đề dài quá 300"),
        ({"lead": "x" * 2001}, "mở đầu"),
        ({"author_line": "x" * 201}, "tác giả"),
    ],
)
def test_bad_fields_are_refused_with_a_message(world, draft, changes, message):
    with pytest.raises(ValidationFailed, match=message):
        edit(draft, world.inspector, **changes)


def test_a_leader_over_the_body_may_edit_but_an_inspector_of_another_body_may_not(world, draft):
    edit(draft, world.leader, title="Tin do lãnh đạo sửa")
    assert draft.title == "Tin do lãnh đạo sửa"
    with pytest.raises(OutOfScope):
        edit(draft, world.other_inspector, title="Không được")


def test_an_edit_based_on_an_old_copy_is_refused(world, draft):
    seen = draft.updated_at
    edit(draft, world.inspector, title="Bản sửa thứ nhất", loaded_at=seen)
    db.session.commit()
    with pytest.raises(StaleRecord):
        edit(draft, world.leader, title="Bản sửa dựa trên bản cũ", loaded_at=seen)


def test_only_a_leader_publishes(world, draft):
    with pytest.raises(PermissionDenied):
        news_flow.publish_post(draft, world.inspector)
    news_flow.publish_post(draft, world.leader, now=at(date(2023, 6, 14), 21))
    db.session.commit()
    assert draft.status is NewsStatus.PUBLISHED
    assert draft.published_at == at(date(2023, 6, 14), 21)
    assert news_flow.post_day(draft) == date(2023, 6, 14)


def test_the_slug_follows_the_title_until_the_first_publication_and_then_stays(world, draft, publish):
    edit(draft, world.inspector, title="Đoàn kiểm tra làm việc với huyện Bù Đốp")
    assert draft.slug == "doan-kiem-tra-lam-viec-voi-huyen-bu-dop"
    publish(draft, date(2023, 6, 14), 21)
    news_flow.unpublish_post(draft, world.leader)
    assert draft.status is NewsStatus.DRAFT
    assert draft.published_at is None
    edit(draft, world.inspector, title="Một tiêu đề hoàn toàn khác")
    db.session.commit()
    assert draft.slug == "doan-kiem-tra-lam-viec-voi-huyen-bu-dop"
    news_flow.publish_post(draft, world.leader, now=at(date(2023, 6, 20)))
    db.session.commit()
    assert draft.slug == "doan-kiem-tra-lam-viec-voi-huyen-bu-dop"
    assert draft.published_at == at(date(2023, 6, 14), 21)  # the first publication time is kept


def test_a_published_post_is_not_edited_until_it_is_taken_down(world, draft, publish):
    publish(draft)
    with pytest.raises(InvalidState, match="gỡ bài"):
        edit(draft, world.inspector, title="Sửa khi đang đăng")
    with pytest.raises(InvalidState):
        news_flow.publish_post(draft, world.leader)


def test_an_inspector_cannot_take_a_post_down(world, draft, publish):
    publish(draft)
    with pytest.raises(PermissionDenied):
        news_flow.unpublish_post(draft, world.inspector)
    with pytest.raises(InvalidState):
        news_flow.unpublish_post(news_flow.create_draft(draft.visit, world.inspector), world.leader)


def test_a_photo_is_recognised_by_its_content_and_added_with_its_caption(world, draft):
    image = news_flow.add_image(
        draft,
        world.inspector,
        data=PNG,
        filename="ảnh đoàn.jpg",
        caption="Toàn cảnh buổi làm việc",
        max_bytes=MB,
    )
    db.session.commit()
    assert image.content_type == "image/png"  # the content decides, not the name
    assert image.stored_name.endswith(".png") and len(image.stored_name) == 36
    assert image.original_name == "ảnh đoàn.jpg"
    assert draft.body_html.endswith(
        f'<figure class="kt-photo"><img src="/tin-tuc/anh/{image.stored_name}" alt="Toàn cảnh buổi làm việc">'
        "<figcaption>Toàn cảnh buổi làm việc</figcaption></figure>"
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<html><script>alert(1)</script></html>", "không phải ảnh"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "không phải ảnh"),
        (b"%PDF-1.7 ...", "không phải ảnh"),
        (b"", "Chưa chọn"),
        (PNG + b"\0" * MB, "lớn quá 1 MB"),
    ],
    ids=["html", "svg", "pdf", "empty", "too large"],
)
def test_files_that_are_not_photos_are_refused(world, draft, data, message):
    with pytest.raises(ValidationFailed, match=message):
        news_flow.add_image(draft, world.inspector, data=data, filename="anh.png", caption=None, max_bytes=MB)


def test_removing_a_photo_takes_it_out_of_the_body(world, draft):
    body = draft.body_html
    image = news_flow.add_image(
        draft, world.inspector, data=PNG, filename="a.png", caption="Ảnh", max_bytes=MB
    )
    db.session.commit()
    news_flow.remove_image(image, world.inspector)
    db.session.commit()
    assert draft.body_html == body
    assert db.session.scalars(select(NewsImage)).all() == []


def test_the_date_line_of_a_draft_is_the_day_it_would_be_published_and_of_a_post_its_publication_day(
    world, draft, publish
):
    # The preview of a draft shows the date line the post gets when published now, not the visit day.
    assert news_flow.post_day(draft, now=at(date(2023, 6, 20), 10)) == date(2023, 6, 20)
    publish(draft, date(2023, 6, 15), 6)  # 06:00 in Vietnam is still the 14th in UTC
    assert draft.published_at.date() == date(2023, 6, 14)
    assert news_flow.post_day(draft) == date(2023, 6, 15)
