"""A dashboard's figure links: `figure_url` remembers its reversed paths, by script prefix and URLconf."""

from __future__ import annotations

from django.urls import get_script_prefix, reverse, set_script_prefix

from grassroots.ui.dashboard import figure_url


def test_figure_url_is_the_reversed_page_with_its_query_and_anchor() -> None:
    assert figure_url("dashboard", "S") == reverse("dashboard", args=["S"])
    assert figure_url("org-detail", "A", "members", year=2024, month=None, q="") == (
        reverse("org-detail", args=["A"]) + "?year=2024#members")
    assert figure_url("org-detail", "B") != figure_url("org-detail", "A")


def test_a_site_under_a_prefix_gets_its_prefix() -> None:
    before = get_script_prefix()
    plain = figure_url("dashboard", "S")
    try:
        set_script_prefix("/party/")
        assert figure_url("dashboard", "S") == "/party" + plain
    finally:
        set_script_prefix(before)
    assert figure_url("dashboard", "S") == plain
