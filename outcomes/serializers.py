"""API shape of outcome areas (the same for reading and writing)."""

from __future__ import annotations

from rest_framework import serializers

from .models import OutcomeArea


class OutcomeAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeArea
        fields = ["slug", "name", "order", "goal"]
        # Uniqueness in the partnership is checked by full_clean.
        validators: list = []
