"""Privacy of small groups (DOMAIN.md): values whose denominator is below the
partnership's minimum cell size are shown to backbone staff (and superusers) and
suppressed for every other role, in pages, API responses and reports alike.

Pages, the API and reports all ask here, so the rule exists once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .models import Partnership
from .permissions import Action, can


@dataclass(frozen=True)
class CellPolicy:
    min_cell_size: int
    reveal_small_cells: bool

    def hides(self, *denominators: Decimal | int | None) -> bool:
        """Whether values resting on any of these denominators must be suppressed."""
        if self.reveal_small_cells:
            return False
        return any(d is not None and d < self.min_cell_size for d in denominators)


def cell_policy(*, user: Any, partnership: Partnership) -> CellPolicy:
    return CellPolicy(
        min_cell_size=partnership.min_cell_size,
        reveal_small_cells=can(user, Action.VIEW_SMALL_CELLS, partnership),
    )
