"""Outcome areas: the ordered stages of a partnership's continuum."""

from __future__ import annotations

from django.db import models

from partnership.models import Partnership


class OutcomeArea(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="outcome_areas"
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    order = models.PositiveIntegerField(
        help_text="Position along the continuum, cradle (1) to career."
    )
    goal = models.TextField(
        blank=True, help_text="What the partnership wants for everyone in this area."
    )

    class Meta:
        ordering = ["partnership", "order"]
        constraints = [
            # Serves outcome area look-ups by slug in URLs, imports and the API.
            models.UniqueConstraint(
                fields=["partnership", "slug"], name="outcome_area_slug_unique"
            ),
            # Serves the continuum-ordered listing of a partnership's areas.
            models.UniqueConstraint(
                fields=["partnership", "order"], name="outcome_area_order_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name
