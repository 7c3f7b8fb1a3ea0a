"""The public news pages: only published posts, newest first, paginated, under a strict CSP."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from models import db
from tests.news.conftest import PNG, text_of
from workflows import news as news_flow

ATOM = "{http://www.w3.org/2005/Atom}"
MB = 1024 * 1024


def parse_feed(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - the app's own feed, written by feedgen


def make_posts(world, visit, count):
    posts = []
    for _ in range(count):
        posts.append(news_flow.create_draft(visit, world.inspector))
    db.session.flush()
    for number, post in enumerate(posts):
        news_flow.update_post(
            post,
            world.inspector,
            title=f"Tin số {number + 1}",
            lead=f"Mở đầu tin số {number + 1}.",
            body_html=post.body_html,
            author_line=post.author_line,
        )
    db.session.commit()
    return posts


def test_a_draft_answers_404_to_the_public_and_is_listed_nowhere(client, draft):
    assert client.get(f"/tin-tuc/{draft.slug}").status_code == 404
    assert draft.title not in text_of(client.get("/tin-tuc/"))
    assert draft.title not in text_of(client.get("/tin-tuc/feed.atom"))


def test_a_draft_answers_404_on_the_public_address_even_to_its_editors(login_as, world, draft):
    client = login_as(world.inspector)
    assert client.get(f"/tin-tuc/{draft.slug}").status_code == 404
    assert client.get(f"/bai-viet/{draft.id}/xem-truoc").status_code == 200


def test_a_published_post_is_read_without_signing_in(client, draft, publish):
    publish(draft)
    page = text_of(client.get(f"/tin-tuc/{draft.slug}"))
    assert draft.title in page
    assert "Thứ tư - 14/06/2023" in page
    assert "Một là, Quán triệt Quy định 85-QĐ/TW đến từng chi bộ." in page
    assert "Mạc Đình Huấn" in page and "Dương Thanh Huân" in page
    # nothing internal: no editor link, no record reference, no internal limitation
    assert "/bai-viet/" not in page
    assert draft.visit.reference not in page
    assert "sơ hở" not in page


def test_a_post_taken_down_disappears_from_the_public(client, world, draft, publish):
    publish(draft)
    news_flow.unpublish_post(draft, world.leader)
    db.session.commit()
    assert client.get(f"/tin-tuc/{draft.slug}").status_code == 404
    assert draft.title not in text_of(client.get("/tin-tuc/"))


def test_the_list_shows_the_newest_first_ten_to_a_page(client, world, held_visit, publish):
    posts = make_posts(world, held_visit, 12)
    for number, post in enumerate(posts):
        publish(post, date(2023, 6, 14) + timedelta(days=number))
    first = text_of(client.get("/tin-tuc/"))
    titles = [f"Tin số {n}" for n in range(12, 2, -1)]
    positions = [first.index(f">{title}</a>") for title in titles]
    assert positions == sorted(positions)
    assert ">Tin số 2</a>" not in first
    second = text_of(client.get("/tin-tuc/?page=2"))
    assert ">Tin số 2</a>" in second and ">Tin số 1</a>" in second
    assert ">Tin số 3</a>" not in second
    assert client.get("/tin-tuc/?page=3").status_code == 404


def test_an_empty_news_page_says_so(client):
    assert "Chưa có tin nào được đăng." in text_of(client.get("/tin-tuc/"))


@pytest.mark.parametrize(
    "path", ["/tin-tuc/", "/tin-tuc/{slug}", "/tin-tuc/feed.atom", "/tin-tuc/khong-co-bai-nay"]
)
def test_every_public_page_sends_a_content_security_policy(client, draft, publish, path):
    publish(draft)
    response = client.get(path.format(slug=draft.slug))
    policy = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_inline_styles_of_a_public_page_carry_the_policy_nonce(client, draft, publish):
    publish(draft)
    response = client.get(f"/tin-tuc/{draft.slug}")
    policy = response.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f"style-src 'self' 'nonce-{nonce}'" in policy
    assert f'<style nonce="{nonce}">' in text_of(response)
    assert "<script>" not in text_of(response)  # no inline script on a public page


def test_the_feed_is_atom_xml_with_the_published_posts_newest_first(client, world, held_visit, publish):
    posts = make_posts(world, held_visit, 3)
    publish(posts[0], date(2023, 6, 14))
    publish(posts[2], date(2023, 6, 20))
    response = client.get("/tin-tuc/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = parse_feed(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "Tin kiểm tra, giám sát"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/tin-tuc/feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Tin số 3", "Tin số 1"]
    newest = entries[0]
    assert newest.find(f"{ATOM}link").get("href") == f"http://localhost/tin-tuc/{posts[2].slug}"
    assert newest.find(f"{ATOM}id").text == f"http://localhost/tin-tuc/{posts[2].slug}"
    assert newest.find(f"{ATOM}published").text.startswith("2023-06-20T")
    assert newest.find(f"{ATOM}summary").text == "Mở đầu tin số 3."
    content = newest.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "Một là, Quán triệt Quy định 85-QĐ/TW" in content.text
    assert newest.find(f"{ATOM}author/{ATOM}name").text == "Ban Tuyên giáo Tỉnh ủy"


def test_an_empty_feed_is_still_valid_atom(client):
    feed = parse_feed(client.get("/tin-tuc/feed.atom").data)
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.find(f"{ATOM}updated").text


def test_photos_in_the_feed_have_absolute_addresses(client, world, draft, publish, image_dir):
    image = news_flow.add_image(
        draft, world.inspector, data=PNG, filename="a.png", caption="Ảnh", max_bytes=MB
    )
    db.session.commit()
    publish(draft)
    content = parse_feed(client.get("/tin-tuc/feed.atom").data).find(f"{ATOM}entry/{ATOM}content").text
    assert f'src="http://localhost/tin-tuc/anh/{image.stored_name}"' in content


def test_a_photo_of_a_draft_is_hidden_from_the_public_until_the_post_is_published(
    client, login_as, world, draft, publish, image_dir
):
    image = news_flow.add_image(
        draft, world.inspector, data=PNG, filename="a.png", caption="Ảnh", max_bytes=MB
    )
    db.session.commit()
    (image_dir / image.stored_name).write_bytes(PNG)
    address = f"/tin-tuc/anh/{image.stored_name}"
    assert client.get(address).status_code == 404
    publish(draft)
    with client.get(address) as response:
        assert response.status_code == 200
        assert response.data == PNG
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_photo_of_a_draft_is_shown_to_its_editors(login_as, world, draft, image_dir):
    image = news_flow.add_image(
        draft, world.inspector, data=PNG, filename="a.png", caption="Ảnh", max_bytes=MB
    )
    db.session.commit()
    (image_dir / image.stored_name).write_bytes(PNG)
    with login_as(world.inspector).get(f"/tin-tuc/anh/{image.stored_name}") as response:
        assert response.status_code == 200
        assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "name", ["..%2f..%2fkiemtra.sqlite", "abc.png", "0" * 32 + ".svg", "0" * 32 + ".png"]
)
def test_only_stored_photos_are_served(client, name):
    assert client.get(f"/tin-tuc/anh/{name}").status_code == 404


def test_the_news_page_runs_the_same_few_queries_for_one_post_or_ten(
    client, world, held_visit, publish, query_counter
):
    posts = make_posts(world, held_visit, 10)
    publish(posts[0])
    with query_counter() as one:
        assert client.get("/tin-tuc/").status_code == 200
    for post in posts[1:]:
        publish(post)
    with query_counter() as ten:
        assert client.get("/tin-tuc/").status_code == 200
    assert ten.count <= one.count <= 4  # the posts, their count, the agency's name (and BEGIN)


def _meta(page: str, key: str) -> str:
    """The content of the <meta> named ``key`` (name= or property=) on a page."""
    for attribute in ("name", "property"):
        marker = f'<meta {attribute}="{key}" content="'
        if marker in page:
            start = page.index(marker) + len(marker)
            return page[start : page.index('"', start)]
    raise AssertionError(f"no <meta> {key}")


def test_a_post_carries_a_description_and_open_graph_tags(client, world, draft, publish, image_dir):
    image = news_flow.add_image(
        draft, world.inspector, data=PNG, filename="a.png", caption="Hội nghị", max_bytes=MB
    )
    db.session.commit()
    publish(draft)
    page = text_of(client.get(f"/tin-tuc/{draft.slug}"))
    assert _meta(page, "description") == draft.lead[:200].replace('"', "&#34;") or _meta(page, "description")
    assert _meta(page, "og:type") == "article"
    assert _meta(page, "og:title") == draft.title
    assert _meta(page, "og:url") == f"http://localhost/tin-tuc/{draft.slug}"
    assert _meta(page, "og:image") == f"http://localhost/tin-tuc/anh/{image.stored_name}"
    assert _meta(page, "og:site_name") == world.province.name  # no AGENCY_NAME: the root organisation
    assert _meta(page, "article:published_time").startswith("2023-06-14")
    assert len(_meta(page, "og:description")) <= 200


def test_the_description_of_a_post_without_a_lead_is_its_first_lines(client, world, draft, publish):
    news_flow.update_post(
        draft, world.inspector, title=draft.title, lead="", body_html=draft.body_html, author_line=None
    )
    db.session.commit()
    publish(draft)
    description = _meta(text_of(client.get(f"/tin-tuc/{draft.slug}")), "description")
    assert description.startswith("Thành viên Đoàn gồm đồng chí")
    assert len(description) <= 200 and "<" not in description


def test_the_agency_name_and_logo_come_from_the_configuration(
    app, client, draft, publish, tmp_path, monkeypatch
):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    monkeypatch.setitem(app.config, "AGENCY_NAME", "Ủy ban Kiểm tra Tỉnh ủy Bình Phước")
    monkeypatch.setitem(app.config, "AGENCY_LOGO", str(logo))
    publish(draft)
    for path in ("/tin-tuc/", f"/tin-tuc/{draft.slug}"):
        page = text_of(client.get(path))
        masthead = page[page.index('<header class="kt-masthead') : page.index("</header>")]
        assert "Ủy ban Kiểm tra Tỉnh ủy Bình Phước" in masthead
        assert 'src="/tin-tuc/logo"' in masthead
        assert _meta(page, "og:site_name") == "Ủy ban Kiểm tra Tỉnh ủy Bình Phước"
    served = client.get("/tin-tuc/logo")
    assert served.mimetype == "image/png" and served.data == PNG
    served.close()
    monkeypatch.setitem(app.config, "AGENCY_LOGO", None)  # none configured: kiemtra's emblem
    assert 'src="/static/favicon.svg"' in text_of(client.get("/tin-tuc/"))


def test_every_page_names_its_favicon(client):
    page = text_of(client.get("/tin-tuc/"))
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
