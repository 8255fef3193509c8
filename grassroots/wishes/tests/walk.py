"""What the permission walk needs to know about micro-wishes: `wishes/<pk>/` names a wish; the public pages of
the wish intake and why they are public; a collected (unpublished) wish in branch A and one in branch C; and the
residents' names and phones, which no page shows in full."""

from __future__ import annotations

from typing import Any

COLLECTIONS = {"wishes": "wish"}
PUBLIC_URL_NAMES = {
    "public-wish-form": "residents send micro-wishes without an account (where the intake is switched on)",
    "public-wish-done": "shows the sender their own wish number and code, from their session",
    "public-wish-track": "the tracking code is the key; a wrong one reveals nothing",
    "public-wish-published": "published wishes: text, state, claimant's name, day fulfilled; no resident",
    "public-wish-poster": "the intake's A4 poster: a QR code of the public form",
}
RESIDENTS = (("寸秀英", "13712340001"), ("尹国华", "13712340002"))


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from grassroots.wishes import services

    a = services.record_wish(cast.branch_a, text="想要一个书包", resident_name=RESIDENTS[0][0],
                             resident_phone=RESIDENTS[0][1])
    c = services.record_wish(cast.branch_c, text="想要一盏台灯", resident_name=RESIDENTS[1][0],
                             resident_phone=RESIDENTS[1][1])
    return {"a": {"wish": a}, "c": {"wish": c}}


def forbidden(cast: Any) -> list[str]:
    return [text for pair in RESIDENTS for text in pair]
