"""Money as people read it: yuan to the fen, with thousands separated (`yuan(Decimal("123762.1"))` is
"123,762.10"). For what the command line and the demo print; forms and reports keep their own conventions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

FEN = Decimal("0.01")


def yuan(value: Any) -> str:
    """An amount rounded to the fen, with a comma between thousands: 123,762.10; -5.00; 0.00."""
    amount = Decimal(str(value if value is not None else 0)).quantize(FEN, rounding=ROUND_HALF_UP)
    return f"{amount:,.2f}"
