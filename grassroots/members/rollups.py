"""Counts of members kept beside their periods (issue 16).

Every write of `MemberPeriod` rows goes through `periods_replaced(removed, added)`, in the same transaction, so
that the rollups the statistics read move with the periods. The rollup tables and their reads are built in this
module; until then the call is the single point every writer of periods goes through.
"""

from __future__ import annotations

from collections.abc import Sequence

from .models import MemberPeriod


def periods_replaced(removed: Sequence[MemberPeriod], added: Sequence[MemberPeriod]) -> None:
    """The periods `removed` were deleted and `added` written (in the caller's transaction)."""
    return None
