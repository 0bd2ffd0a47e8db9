"""The Markdown preview endpoint behind the form's live preview."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("practices:preview")


def test_member_gets_sanitized_html(member_client):
    response = member_client.post(URL, {"body": "## Plan\n\n[site](https://x.org) <script>alert(1)</script>"})
    html = response.json()["html"]
    assert "<h2>Plan</h2>" in html
    assert 'rel="nofollow noopener"' in html
    assert "<script>" not in html


def test_outsider_cannot_use_the_preview(outsider_client):
    assert outsider_client.post(URL, {"body": "x"}).status_code == 403


def test_anonymous_visitor_cannot_use_the_preview(client):
    assert client.post(URL, {"body": "x"}).status_code == 302


def test_preview_needs_post(member_client):
    assert member_client.get(URL).status_code == 405


def test_too_long_text_is_a_400(member_client):
    assert member_client.post(URL, {"body": "x" * 50_001}).status_code == 400
