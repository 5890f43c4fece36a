"""The OpenAPI schema of the API tells the whole truth: besides each operation's
own answers, the errors every operation may give (docs/api.md, "Errors")."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    "Invalid input: each field (or 'detail', or 'non_field_errors') with its messages.",
)


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, response in self._errors().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _errors(self) -> dict[str, OpenApiResponse]:
        errors = {"429": OpenApiResponse(ErrorOut, "Too many requests; retry after Retry-After.")}
        if AllowAny not in self.view.permission_classes:
            errors["401"] = OpenApiResponse(ErrorOut, "No credentials, or invalid ones.")
        if self.method != "GET" or not self._is_retrieve():
            errors["400"] = FIELD_ERRORS  # invalid input or filters
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = OpenApiResponse(ErrorOut, "A request body of a type not accepted.")
        # No such object (or page), or it is in a partnership you are not a member of.
        errors["404"] = OpenApiResponse(ErrorOut, "Not found.")
        if "{" in self.path or self.method == "POST":
            errors["403"] = OpenApiResponse(ErrorOut, "Your role does not allow this.")
        return errors

    def _is_list_view(self, serializer: Any = None) -> bool:
        # A view answering one object from its "list" route (the scorecard) says so.
        if getattr(self.view, "answers_one_object", False):
            return False
        return super()._is_list_view(serializer)

    def _is_retrieve(self) -> bool:
        return self.path.rstrip("/").endswith("}")
