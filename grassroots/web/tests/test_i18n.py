"""Chinese is the interface's first language; English only when the user chooses it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from conftest import PASSWORD


def _login(client: Any, username: str) -> None:
    assert client.login(username=username, password=PASSWORD)


def test_chinese_even_when_the_browser_asks_for_english(cast: Any, client: Any) -> None:
    _login(client, "secretary")
    page = client.get(reverse("org-detail", args=["A"]), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "基本情况" in page and "党组织" in page
    assert "Basic situation" not in page


def test_english_after_choosing_it(cast: Any, client: Any) -> None:
    _login(client, "secretary")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("org-detail", args=["A"])).content.decode()
    assert "Basic situation" in page and "基本情况" not in page


def test_every_message_is_translated() -> None:
    """The shipped catalogue has no empty or fuzzy entry (run `make messages` and translate new strings)."""
    from pathlib import Path

    import grassroots

    po = Path(grassroots.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    entries = po.read_text(encoding="utf-8").split("\n\n")[1:]  # the first block is the header
    empty = [e for e in entries if e.rstrip().endswith('msgstr ""') or "#, fuzzy" in e]
    assert empty == []


def test_the_api_speaks_chinese_unless_asked_for_english(cast: Any, client: Any) -> None:
    _login(client, "secretary")
    url = reverse("org-detail", args=["A"]).replace("/orgs/", "/api/orgs/") + "stats/"
    assert client.get(url).json()["basic_situation"]["en"].startswith("As of")
    assert client.get(url)["Content-Language"] == "zh-hans"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")["Content-Language"] == "en"
    denied = client.get("/api/orgs/C/stats/", HTTP_ACCEPT_LANGUAGE="en")  # outside the secretary's scope
    assert denied.status_code == 404 and denied.json()["detail"] == "No Organization matches the given query."
    # pages keep to Chinese whatever the browser says
    assert client.get("/orgs/A/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "zh-hans"
