"""Hostile HTML never survives the news allow-list; what an editor needs does."""

from __future__ import annotations

import pytest

from exports.html_clean import clean_html, html_to_text

UPLOAD = "/tin-tuc/anh/0123456789abcdef0123456789abcdef.png"


@pytest.fixture(autouse=True)
def _app_context():
    """These tests are pure functions of text: no app, and no database to empty after each one."""
    yield


HOSTILE = {
    "script tag": ('<p>Tin</p><script>alert("x")</script>', ["<script", "alert"]),
    "script in upper case": ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", ["script", "evil"]),
    "onerror on an image": ('<img src="x" onerror="alert(1)">', ["onerror", "alert", 'src="x"']),
    "onclick on a paragraph": ('<p onclick="steal()">Bấm</p>', ["onclick", "steal"]),
    "onmouseover on a link": ('<a href="/" onmouseover="alert(1)">x</a>', ["onmouseover"]),
    "javascript link": ('<a href="javascript:alert(1)">xem</a>', ["javascript", "alert"]),
    "javascript link with entities": (
        '<a href="jav&#x09;ascript&#58;alert(1)">xem</a>',
        ["ascript", "alert"],
    ),
    "javascript link in capitals with spaces": ('<a href="  JaVaScRiPt:alert(1)">x</a>', ["avascript"]),
    "vbscript link": ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript"]),
    "data link": ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:"]),
    "style attribute": (
        '<p style="position:fixed;top:0;left:0;width:100%;height:100%">x</p>',
        ["style", "fixed"],
    ),
    "style element": ("<style>body{display:none}</style><p>x</p>", ["<style", "display"]),
    "page classes": (
        '<p class="position-fixed top-0 w-100 h-100 bg-white">x</p>',
        ["class", "position-fixed"],
    ),
    "css expression": ('<div style="width: expression(alert(1))">x</div>', ["expression", "style"]),
    "iframe": ('<iframe src="https://evil.example/"></iframe>sau', ["iframe", "evil"]),
    "srcdoc iframe": ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', ["iframe", "alert"]),
    "object and embed": ('<object data="x.swf"></object><embed src="x.swf">', ["object", "embed", "swf"]),
    "svg with script": ("<svg><script>alert(1)</script></svg>", ["svg", "alert"]),
    "svg onload": ("<svg onload=alert(1)><circle r=5 /></svg>", ["svg", "onload", "circle"]),
    "svg link": ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', ["svg", "javascript"]),
    "svg image source": ('<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">', ["data:", "svg"]),
    "mathml confusion": (
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        ["onerror", "alert"],
    ),
    "image from another site": ('<img src="https://tracker.example/p.gif" alt="x">', ["tracker"]),
    "protocol-relative image": ('<img src="//tracker.example/p.gif">', ["tracker"]),
    "image path escaping the uploads": ('<img src="/tin-tuc/anh/../../admin.png">', ["admin", ".."]),
    "form": (
        '<form action="https://evil.example"><input name="p"><button>Gửi</button></form>',
        ["form", "input"],
    ),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ["meta", "evil"]),
    "base tag": ('<base href="https://evil.example/">', ["base", "evil"]),
    "link stylesheet": ('<link rel="stylesheet" href="https://evil.example/x.css">', ["link", "evil"]),
    "html comment": ("<p>a<!-- <script>alert(1)</script> --></p>", ["<!--", "alert"]),
    "id clobbering": ('<p id="csrf_token">x</p><a name="body_html">y</a>', ["id=", "name="]),
    "target blank": ('<a href="https://example.org" target="_blank">x</a>', ["target"]),
}


@pytest.mark.parametrize("html, forbidden", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_is_stripped(html, forbidden):
    cleaned = clean_html(html)
    for needle in forbidden:
        assert needle.lower() not in cleaned.lower(), cleaned


@pytest.mark.parametrize(
    "html",
    [
        "<p>Đoạn văn <strong>đậm</strong>, <em>nghiêng</em>, <u>gạch chân</u>.</p>",
        "<ul><li>một</li><li>hai</li></ul>",
        '<ol start="3"><li>ba</li></ol>',
        '<p><a href="https://btgtu.binhphuoc.example/bai-viet" rel="noopener noreferrer">liên kết</a></p>',
        '<p><a href="/tin-tuc/bai-khac" rel="noopener noreferrer">bài khác</a></p>',
        '<figure class="kt-photo"><img src="'
        + UPLOAD
        + '" alt="Toàn cảnh"><figcaption>Toàn cảnh</figcaption></figure>',
        "<h2>Tiêu đề nhỏ</h2><blockquote>Trích dẫn</blockquote>",
        '<p class="kt-request">Một là, tiếp tục …</p>',
    ],
)
def test_what_an_editor_writes_is_kept_as_written(html):
    assert clean_html(html) == html


def test_links_are_kept_with_a_safe_rel():
    assert clean_html('<a href="https://example.org">x</a>') == (
        '<a href="https://example.org" rel="noopener noreferrer">x</a>'
    )


def test_only_the_generator_classes_are_kept():
    assert clean_html('<p class="kt-host text-danger">x</p>') == '<p class="kt-host">x</p>'


def test_cleaning_twice_changes_nothing():
    once = clean_html("".join(html for html, _ in HOSTILE.values()))
    assert clean_html(once) == once


def test_the_text_of_a_post_keeps_lists_and_captions():
    html = (
        "<p>Mở đầu</p><ul><li>một</li><li>hai</li></ul><ol><li>ba</li></ol>"
        f'<figure class="kt-photo"><img src="{UPLOAD}" alt="Toàn cảnh">'
        "<figcaption>Toàn cảnh</figcaption></figure>"
    )
    assert html_to_text(html) == ["Mở đầu", "- một", "- hai", "1. ba", "[Ảnh: Toàn cảnh]"]
