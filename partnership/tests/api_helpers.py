"""Helpers for the API tests: the roles and what each may expect. The ``api``
client fixture lives with the shared world (``world.py``)."""

from __future__ import annotations

from typing import Any

MEMBERS = ("superuser", "backbone", "steward", "other_steward", "viewer", "funder")
EVERYONE = (*MEMBERS, "outsider", "anonymous")
WRITERS = ("superuser", "backbone")
# What a member without the right, an outsider and an anonymous caller get.
REFUSED = {"outsider": 404, "anonymous": 401}


def expected_write(role: str, ok: int) -> int:
    return ok if role in WRITERS else REFUSED.get(role, 403)


def results(response: Any) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]
