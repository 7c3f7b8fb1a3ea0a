"""A visit that cites a document marked secret ("Mật"): the news draft leaves the citation out unless
the editor keeps it on purpose."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from models import AuditEntry, LegalDocument, NewsPost, db
from workflows import visits as visit_flow

SECRET_SENTENCE = "Thực hiện nghiêm Kết luận số 01-KL/TU ngày 05/02/2024 về công tác cán bộ."


def _cite_a_secret_document(world, visit) -> None:
    visit_flow.issue_directive(visit, world.inspector, body=SECRET_SENTENCE, citations=["01-KL/TU"])
    db.session.flush()
    db.session.scalar(select(LegalDocument).where(LegalDocument.code == "01-KL/TU")).is_secret = True
    db.session.commit()


def _write_news(client, visit, **fields):
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    form = page[page.index(f'action="/bai-viet/tu-dot-kiem-tra/{visit.id}"') :]
    once = re.search(r'name="once" value="([^"]+)"', form).group(1)
    response = client.post(f"/bai-viet/tu-dot-kiem-tra/{visit.id}", data={"once": once, **fields})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _latest_post() -> NewsPost:
    return db.session.scalars(select(NewsPost).order_by(NewsPost.id.desc())).first()


def test_the_button_warns_and_the_draft_leaves_the_secret_citation_out(login_as, world, held_visit):
    _cite_a_secret_document(world, held_visit)
    client = login_as(world.inspector)
    dossier = client.get(f"/visits/{held_visit.id}").get_data(as_text=True)
    assert "Có trích dẫn văn bản mật (01-KL/TU)" in dossier

    editor = _write_news(client, held_visit)
    assert "Bản nháp đã bỏ trích dẫn văn bản mật: 01-KL/TU" in editor
    body = _latest_post().body_html
    assert "01-KL/TU" not in body
    assert "Thực hiện nghiêm văn bản có liên quan về công tác cán bộ." in body
    assert "85-QĐ/TW" in body  # a document that is not secret stays cited
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "news.drafted")).one()
    assert json.loads(entry.details)["withheld"] == ["01-KL/TU"]


def test_the_editor_may_keep_the_secret_citation_deliberately(login_as, world, held_visit):
    _cite_a_secret_document(world, held_visit)
    editor = _write_news(login_as(world.inspector), held_visit, giu_mat="1")
    assert "giữ trích dẫn văn bản mật theo yêu cầu của bạn: 01-KL/TU" in editor
    assert SECRET_SENTENCE.removesuffix(".") in _latest_post().body_html


def test_a_visit_without_secret_documents_gets_no_warning(login_as, world, held_visit):
    client = login_as(world.inspector)
    assert "văn bản mật" not in client.get(f"/visits/{held_visit.id}").get_data(as_text=True)
    assert "văn bản mật" not in _write_news(client, held_visit)


def test_the_seed_visits_secret_plan_is_left_out_of_its_draft(seed_visit):
    from exports.news import draft_from_visit

    draft = draft_from_visit(seed_visit, author_line="x")
    assert draft.withheld == ("03-ĐA/TU",)
    assert "03-ĐA/TU" not in draft.body_html and "(Mật)" not in draft.body_html
    assert "Phát huy Tổ công tác 03 của huyện theo văn bản có liên quan để bảo vệ" in draft.body_html
