"""Request a few pages of a running kiemtra as a visitor and as the demo inspector; fail unless 200.

Usage: python .ci/smoke_pages.py http://127.0.0.1:PORT  (standard library only, so it runs in any
environment). Waits up to a minute for the server to answer.
"""

from __future__ import annotations

import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def main(base: str) -> int:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(path: str) -> tuple[int, str]:
        try:
            with opener.open(base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    for _ in range(60):
        try:
            status, login_page = get("/login")
            break
        except urllib.error.URLError:
            time.sleep(1)
    else:
        print(f"smoke: no answer from {base}")
        return 1

    failures = []
    checks = [("/login", status, "csrf_token" in login_page)]
    status, body = get("/tin-tuc/")
    checks.append(("/tin-tuc/", status, "<html" in body))
    status, body = get("/static/kiemtra.css")
    checks.append(("/static/kiemtra.css", status, bool(body)))

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page)
    form = {"csrf_token": token[1] if token else "", "username": "inspector", "password": "kiemtra-demo"}
    request = urllib.request.Request(base + "/login", data=urllib.parse.urlencode(form).encode())  # noqa: S310
    with opener.open(request, timeout=30) as response:  # follows the redirect after signing in
        signed_in = response.status == 200 and "/login" not in response.url
    checks.append(("POST /login as inspector", 200 if signed_in else 0, signed_in))
    status, body = get("/visits")
    checks.append(("/visits (signed in)", status, "inspector" in body or "logout" in body))

    for path, status, looks_right in checks:
        ok = status == 200 and looks_right
        print(f"smoke: {path}: {status}{'' if ok else '  FAILED'}")
        if not ok:
            failures.append(path)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/")))
