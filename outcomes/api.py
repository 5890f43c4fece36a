"""API: a partnership's outcome areas, in continuum order."""

from __future__ import annotations

from typing import Any

from partnership.api_base import CatalogueViewSet

from .models import OutcomeArea
from .serializers import OutcomeAreaSerializer


class OutcomeAreaViewSet(CatalogueViewSet):
    lookup_field = "slug"
    ordering_fields = ("order", "slug")
    output_serializer = OutcomeAreaSerializer

    model = OutcomeArea

    def scoped_queryset(self) -> Any:
        return OutcomeArea.objects.filter(partnership=self.partnership).order_by("order")
