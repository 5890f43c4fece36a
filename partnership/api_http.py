"""HTTP mechanics every API view shares: throttles whose rates are read per
request, keyset pagination for large collections, and conditional requests
(ETag / If-None-Match) on heavy reads.

A conditional list runs the same queries as a normal one, then compares the
ETag of what it fetched (each item's identity and change stamp, the page's
links, the caller's small-cell policy, the query) with the client's; on a
match it answers 304 without serialising anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.http import JsonResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _SettingsRate:
    """DRF copies the rates onto the throttle class when it is imported; read them
    from the settings on every request instead, so that a changed setting (or a
    test's ``override_settings``) takes effect."""

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    """Anonymous callers, by address: ``API_THROTTLE_ANON`` (default 30/minute)."""


class UserThrottle(_SettingsRate, UserRateThrottle):
    """Signed-in callers, by user: ``API_THROTTLE_USER`` (default 1200/minute)."""


class Pagination(PageNumberPagination):
    """``?page=2&page_size=100``, with the total ``count``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def fingerprint(self) -> tuple[Any, ...]:
        return (self.page.paginator.count, self.get_next_link(), self.get_previous_link())


class KeysetPagination(CursorPagination):
    """For collections that grow to millions of rows (data points): ``next`` and
    ``previous`` links carry an opaque cursor, each page costs the same however
    deep it is, and there is no total count (counting a million rows would cost
    more than the page itself)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "id"

    def fingerprint(self) -> tuple[Any, ...]:
        return (self.get_next_link(), self.get_previous_link())


def make_etag(parts: Iterable[Any]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x1f")
    return f'W/"{digest.hexdigest()[:32]}"'


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def client_has(request: Any, etag: str) -> bool:
    """Whether the request's If-None-Match names this ETag (compared weakly, as
    RFC 9110 says for GET)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = _tags(header)
    return "*" in tags or etag.removeprefix("W/") in tags


def conditional(request: Any, etag: str, build: Any) -> Response:
    """304 when the client already holds ``etag``; else ``build()``, tagged."""
    if client_has(request, etag):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = build()
    response["ETag"] = etag
    # What a caller sees depends on who they are: never share it between callers.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


class ConditionalListMixin:
    """A ``list`` answering 304 to a client that holds the current page. Views
    define ``fingerprint(items) -> Sequence`` from what they fetched: anything that
    changes the representation of an item must change its fingerprint."""

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(queryset) if page is None else page
        paging = () if page is None else self.paginator.fingerprint()
        cells = getattr(self, "cells", None)
        etag = make_etag(
            [request.get_full_path(), cells, paging, *self.fingerprint(items)],
        )

        def build() -> Response:
            data = self.get_serializer(items, many=True).data
            return Response(data) if page is None else self.get_paginated_response(data)

        return conditional(request, etag, build)


@csrf_exempt  # it changes nothing; a refused CSRF check would answer in HTML
def api_not_found(request: Any, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other path under /api/v1/: a JSON 404 like every other API answer (not
    the site's HTML page)."""
    return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
