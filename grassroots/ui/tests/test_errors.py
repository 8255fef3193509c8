"""Error pages in the site's frame and the user's language, with the reason and a way back; a service's refusal
that reaches a view is a 403 (or 400) page, and the API answers JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest
from django.test import Client, RequestFactory

from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.ui.errors import DomainErrorMiddleware, error_page
from grassroots.ui.testing import client_as

pytestmark = pytest.mark.django_db


def _chinese(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_404_is_in_the_frame_and_in_chinese(cast: Any) -> None:
    response = _chinese(client_as(cast, "secretary")).get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="topbar"' in body  # the site's frame
    assert "页面不存在" in body
    assert 'lang="zh-hans"' in body


def test_404_in_english_when_the_user_chose_english(cast: Any) -> None:
    response = client_as(cast, "secretary").get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_403_shows_the_reason(cast: Any) -> None:
    # The secretary of A may not import for the whole street: the member import page refuses.
    client = _chinese(client_as(cast, "member"))
    response = client.get("/import/members/")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="topbar"' in body
    assert 'id="error"' in body


def test_the_way_back_is_only_to_our_own_pages() -> None:
    factory = RequestFactory()
    request = factory.get("/x/", HTTP_REFERER="http://testserver/orgs/")
    assert 'href="http://testserver/orgs/"' in error_page(request, 404).content.decode()
    request = factory.get("/x/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in error_page(request, 404).content.decode()


def _request() -> HttpRequest:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/x/")
    request.user = AnonymousUser()
    return request


def test_the_middleware_turns_refusals_into_pages() -> None:
    middleware = DomainErrorMiddleware(lambda r: None)  # type: ignore[arg-type, return-value]
    refused = middleware.process_exception(_request(), PermissionDeniedError("不在您的范围内"))
    assert refused is not None and refused.status_code == 403
    assert "不在您的范围内" in refused.content.decode()
    broken = middleware.process_exception(_request(), RuleError("日期不对", field="date"))
    assert broken is not None and broken.status_code == 400
    assert "日期不对" in broken.content.decode()
    assert middleware.process_exception(_request(), ValueError("other")) is None


def test_the_api_answers_refusals_as_json() -> None:
    from grassroots.api.exceptions import exception_handler

    response = exception_handler(PermissionDeniedError("no"), {})
    assert response is not None and response.status_code == 403 and response.data == {"detail": "no"}
    response = exception_handler(RuleError("bad", field="on"), {})
    assert response is not None and response.status_code == 400
    assert response.data == {"field": "on", "detail": "bad"}
