"""The console in a real browser: sign in and see the dashboard in Chinese."""

from tests.browser.conftest import sign_in


def test_sign_in_shows_the_dashboard_in_chinese(page, live_server):
    sign_in(page, live_server)
    assert "工作台" in page.content() and "Dashboard" not in page.content()
    assert page.locator("nav.sidebar a").count() >= 1
