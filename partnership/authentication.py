"""Token authentication for the API. Kept apart from ``api_base`` because DRF
imports authentication classes while its own views module is still loading."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .tokens import token_user


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` with a key from ``POST /api/v1/auth/token/``
    or the account's token page."""

    keyword = b"token"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Write the header as 'Token <key>'.")
        found = token_user(key=parts[1].decode(errors="replace"))
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return found

    def authenticate_header(self, request: Any) -> str:
        return "Token"
