import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def test_browser_page_loads_the_home_page_in_chinese(live_server, browser_page):
    browser_page.goto(live_server.url + "/")
    assert browser_page.locator("html").get_attribute("lang") == "zh-CN"
    assert "政务诚信" in browser_page.title()
