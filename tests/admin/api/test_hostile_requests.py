"""Requests no form would send, on SQLite and (in CI's second pass) PostgreSQL: dates at the ends of
the calendar, NUL characters in paths, queries and forms, methods a route does not have. Each gets
a 4xx (the error shape on the API, the friendly page on the console), never a 5xx."""

from __future__ import annotations

import pytest

from tests.factories import csrf_token

from .support import API, assert_error

EDGE_DATES = ("0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01")


@pytest.mark.parametrize("day", EDGE_DATES)
@pytest.mark.parametrize("end", ("from", "to"))
def test_ratings_dates_at_the_ends_of_the_calendar_are_refused(client, admin_headers, hall, day, end):
    error = assert_error(client.get(f"{API}/ratings?{end}={day}", headers=admin_headers), 422, "validation_error")
    assert error["details"][0]["field"] == end, error


def test_ratings_dates_in_range_still_filter(client, admin_headers, hall):
    whole = client.get(f"{API}/ratings?from=2000-01-01&to=2200-12-31", headers=admin_headers)
    assert whole.status_code == 200 and whole.get_json()["total"] == client.get(
        f"{API}/ratings", headers=admin_headers).get_json()["total"]


@pytest.mark.parametrize("day", EDGE_DATES)
def test_console_ratings_dates_at_the_ends_of_the_calendar(app, login, hall, day):
    console = login("admin")
    for end in ("from", "to"):
        response = console.get(f"/admin/ratings/?{end}={day}")
        assert response.status_code == 422 and response.mimetype == "text/html", response.status_code
        assert "日期超出范围" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/s/%00", "/s/abc%00def", f"{API}/ratings/%00", f"{API}/staff/%00",
                                  "/q/%00", "/media/photos/%00.jpg", "/display/%00"])
def test_nul_in_a_path_names_nothing(client, admin_headers, hall, path):
    response = client.get(path, headers=admin_headers)
    assert response.status_code == 404, (path, response.status_code)
    if path.startswith(API):
        assert_error(response, 404)


def test_nul_in_a_console_path_is_a_friendly_404(login, hall):
    console = login("admin")
    response = console.get("/admin/ratings/x%00y")
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.mark.parametrize("query", ["channel=%00", "staff_id=1%00", "q=%00", "lang=%00", "%00=1"])
def test_nul_in_a_query_is_refused(client, admin_headers, hall, query):
    assert_error(client.get(f"{API}/ratings?{query}", headers=admin_headers), 422, "validation_error")


def test_nul_in_a_console_form_is_refused_and_nothing_changes(app, client, make_user, hall):
    make_user("admin", "nuladmin")
    token = csrf_token(client, "/admin/login")
    for username in ("nul\x00admin", "nuladmin\x00"):
        response = client.post("/admin/login", data={"username": username, "password": "x", "csrf_token": token})
        assert response.status_code == 422 and response.mimetype == "text/html"
    from tests.factories import PASSWORD

    ok = client.post("/admin/login", data={"username": "nuladmin", "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", f"{API}/ratings", {"GET", "POST"}),
    ("PUT", f"{API}/openapi.json", {"GET"}),
    ("POST", "/healthz", {"GET"}),
])
def test_405_says_what_is_allowed(client, admin_headers, method, path, allowed):
    response = client.open(path, method=method, headers=admin_headers)
    assert_error(response, 405, "method_not_allowed")
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}, response.headers.get("Allow")


def test_405_on_a_console_page_is_friendly_and_says_what_is_allowed(login, hall):
    console = login("admin")
    response = console.delete("/admin/ratings/")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]
