"""What the browser tests do on every page: log in, and check that nothing is wider than the phone."""

from __future__ import annotations

from typing import Any

PHONE_WIDTH = 390  # px, the window of `phone_page`


def log_in(page: Any, username: str, password: str) -> None:
    page.goto(page.base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def fits_the_width(page: Any) -> bool:
    """Nothing wider than the phone's screen (the tables scroll inside their own frame)."""
    return bool(page.evaluate(f"document.documentElement.scrollWidth <= {PHONE_WIDTH}"))
