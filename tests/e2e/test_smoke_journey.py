import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_sees_home_page_with_navigation(page, live_server, coalition):
    page.goto(live_server.url)
    assert "Smart Regions Exchange" in page.title()
    assert page.get_by_role("link", name="Colorado Smart Cities Alliance").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Menu").click()
    assert page.get_by_role("link", name="Practices").first.is_visible()
