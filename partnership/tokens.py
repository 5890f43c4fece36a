"""API tokens: create (the key is shown once), revoke, and find the token of a key."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from .models import ApiToken

PREFIX_LENGTH = 8
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # shown to its owner once; only its hash is stored


def token_create(*, user: Any, name: str) -> NewToken:
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip() or "API token", prefix=key[:PREFIX_LENGTH])
    token.key_hash = _hash(key)
    token.full_clean()
    token.save()
    return NewToken(token=token, key=key)


def token_revoke(*, user: Any, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when there is no such active token."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def token_user(*, key: str) -> tuple[Any, ApiToken] | None:
    """The active user and token for a key, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


def token_list(*, user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))
