"""What every request goes through outside the views: security headers (added where the
response starts, a view's own kept), the admin's session (never opened outside its
cookie's path) and CSRF (checked for the methods that need a token)."""

from __future__ import annotations

from flask import Response

from web.security import CONTENT_SECURITY_POLICY, SECURITY_HEADERS


def test_every_answer_carries_the_security_headers(client):
    for path in ("/api/v1/search?q=чай", "/api/v1/nothing-here", "/livez", "/ru/"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS:
            assert response.headers.get_all(name) == [value], (path, name)


def test_a_header_a_view_sets_itself_is_kept_not_doubled(app):
    @app.get("/own-policy")
    def own_policy() -> Response:
        response = Response("ok")
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        response.headers["x-frame-options"] = "SAMEORIGIN"
        return response

    response = app.test_client().get("/own-policy")
    assert response.headers.get_all("Content-Security-Policy") == ["default-src 'none'"]
    assert response.headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert CONTENT_SECURITY_POLICY not in response.headers.get_all("Content-Security-Policy")


def test_a_storefront_answer_never_reads_or_writes_the_session(client):
    client.set_cookie("session", "not-a-signed-session", path="/")
    response = client.get("/api/v1/search?q=чай")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_the_admin_still_reads_its_session_cookie(client):
    client.set_cookie("session", "not-a-signed-session", path="/admin")
    response = client.get("/admin/")
    # a cookie that does not verify is no session: the sign-in page, not a crash
    assert response.status_code in (302, 303)
    assert "/admin/login" in response.headers["Location"]


def test_a_post_without_a_token_is_refused_but_gets_pass(client):
    assert client.get("/admin/login").status_code == 200
    refused = client.post("/admin/login", data={"name": "x", "password": "y"})
    assert refused.status_code == 400
