"""The organizations' selectors that need no other module."""

from __future__ import annotations

from conftest import Cast
from grassroots.orgs.selectors import ancestor_paths


def test_ancestor_paths_from_the_top(cast: Cast) -> None:
    assert ancestor_paths(cast.street) == []
    assert ancestor_paths(cast.street, including=True) == [cast.street.path]
    assert ancestor_paths(cast.branch_a) == [cast.street.path, cast.general.path]
    assert ancestor_paths(cast.branch_a, including=True) == [cast.street.path, cast.general.path, cast.branch_a.path]
