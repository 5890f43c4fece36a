"""Writes the demo partnerships (``demo``) and their data (``demo_data``) to the database.

Every write is keyed on a stable code or slug, so loading twice changes nothing:
catalogue rows are created, or updated where a definition changed; data points
are keyed on (indicator, period, geography, category) and only missing ones are
inserted, each with the history the workflow would have written (created, then
approved). Data points that exist already are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import F

from indicators.models import (
    FREQUENCY_PERIOD_KIND,
    Aggregation,
    Category,
    ChangeAction,
    DataPoint,
    DataPointChange,
    DataStatus,
    Dimension,
    Geography,
    Indicator,
    Unit,
)
from indicators.periods import PeriodSpan, parse_period
from indicators.services import dimension_create, geography_create, period_from_span
from outcomes.demo import seed_outcomes
from outcomes.models import OutcomeArea

from .demo import (
    ADMIN_USERNAME,
    DEMO_PASSWORD,
    DEMO_USERS,
    GEOGRAPHY_KINDS,
    LAKESIDE,
    LOADED_COMMENT,
    RIVERSIDE,
    PartnershipDef,
    UserDef,
)
from .demo_data import Row, generate
from .demo_indicators import BASELINE, TARGET, IndicatorDef
from .demo_running import seed_running
from .models import Membership, Organization, Partnership

BATCH_SIZE = 2000
AGGREGATION = {Unit.PERCENT: Aggregation.RATIO, Unit.COUNT: Aggregation.SUM}

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


def upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """The row matching ``lookup``, created or brought up to date with ``values``.

    Unlike ``update_or_create`` it writes nothing when nothing changed, so a
    second run leaves every row (and its ``updated_at``) as it was.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
    else:
        changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if not changed:
            return obj
        for name, value in changed.items():
            setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


# --- catalogue ---------------------------------------------------------------


def seed_catalogue(definition: PartnershipDef) -> Partnership:
    """The partnership with its outcome areas, organizations, geographies,
    dimensions and indicators."""
    partnership = upsert(
        Partnership,
        {"slug": definition.slug},
        {"name": definition.name, "description": definition.description},
    )
    for order, area in enumerate(definition.areas, start=1):
        upsert(
            OutcomeArea,
            {"partnership": partnership, "slug": area.slug},
            {"name": area.name, "order": order, "goal": area.goal},
        )
    for org in definition.organizations:
        upsert(
            Organization,
            {"partnership": partnership, "slug": org.slug},
            {"name": org.name, "sector": org.sector, "role": org.role, "website": org.website},
        )
    seed_geographies(partnership, definition)
    for dimension in definition.dimensions:
        seed_dimension(partnership, dimension.code, dimension.name, dimension.categories)
    for indicator in definition.indicators:
        seed_indicator(partnership, indicator)
    return partnership


def _geography(
    partnership: Partnership, code: str, name: str, kind: str, parent: Geography | None
) -> Geography:
    existing = Geography.objects.filter(partnership=partnership, code=code).first()
    if existing is not None:
        return existing
    return geography_create(
        partnership=partnership, code=code, name=name, kind=GEOGRAPHY_KINDS[kind], parent=parent
    )


def seed_geographies(partnership: Partnership, definition: PartnershipDef) -> None:
    """Region > districts > schools, with paths set by the geography service."""
    if definition.region is None:
        return
    region = _geography(partnership, *definition.region, "region", None)
    for district in definition.districts:
        node = _geography(partnership, district.code, district.name, "district", region)
        for school in district.schools:
            _geography(partnership, school.code, school.name, "school", node)


def seed_dimension(
    partnership: Partnership, code: str, name: str, categories: Sequence[tuple[str, str]]
) -> Dimension:
    dimension = Dimension.objects.filter(partnership=partnership, code=code).first()
    if dimension is None:
        return dimension_create(
            partnership=partnership, code=code, name=name, categories=list(categories)
        )
    for order, (cat_code, cat_name) in enumerate(categories):
        upsert(
            Category,
            {"dimension": dimension, "code": cat_code},
            {"name": cat_name, "order": order},
        )
    return dimension


def _period_id(label: str, frequency: str) -> int:
    return period_from_span(parse_period(label, FREQUENCY_PERIOD_KIND[frequency])).pk


def indicator_values(partnership: Partnership, spec: IndicatorDef) -> dict[str, Any]:
    """The catalogue fields of an indicator definition, as model field values."""
    area = OutcomeArea.objects.get(partnership=partnership, slug=spec.area)
    steward = Organization.objects.get(partnership=partnership, slug=spec.steward)
    has_target = spec.target is not None
    return {
        "name": spec.name,
        "definition": spec.definition,
        "outcome_area_id": area.pk,
        "kind": spec.kind,
        "performance_tag": spec.tag,
        "unit": spec.unit,
        "direction": spec.direction,
        "frequency": spec.frequency,
        "aggregation": AGGREGATION.get(spec.unit, Aggregation.NONE),
        "steward_id": steward.pk,
        "data_source": spec.source,
        "baseline_period_id": _period_id(BASELINE[spec.frequency], spec.frequency),
        "target_value": Decimal(str(spec.target)) if has_target else None,
        "target_period_id": _period_id(TARGET[spec.frequency], spec.frequency)
        if has_target
        else None,
        "threshold": Decimal(str(spec.threshold)),
    }


def seed_indicator(partnership: Partnership, spec: IndicatorDef) -> Indicator:
    indicator = upsert(
        Indicator,
        {"partnership": partnership, "code": spec.code},
        indicator_values(partnership, spec),
    )
    wanted = set(Dimension.objects.filter(partnership=partnership, code__in=spec.dims))
    if set(indicator.dimensions.all()) != wanted:
        indicator.dimensions.set(wanted)
    return indicator


# --- people ------------------------------------------------------------------


class DemoPassword:
    """The demo password, hashed at most once per run: each PBKDF2 hash or check
    takes about half a second, and every demo user shares the password."""

    def __init__(self) -> None:
        self._encoded: str | None = None
        self._checked: dict[str, bool] = {}

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(DEMO_PASSWORD)
        return self._encoded

    def matches(self, encoded: str) -> bool:
        if encoded not in self._checked:
            self._checked[encoded] = check_password(DEMO_PASSWORD, encoded)
        return self._checked[encoded]


def seed_user(username: str, password: DemoPassword, **values: Any) -> Any:
    """A user with the demo password (reset if someone changed it)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, email=f"{username}@example.org", **values)
        user.password = password.encoded
        user.save()
        return user
    changed = {k: v for k, v in values.items() if getattr(user, k) != v}
    if not password.matches(user.password):
        changed["password"] = password.encoded
    if changed:
        for name, value in changed.items():
            setattr(user, name, value)
        user.save()
    return user


def seed_member(partnership: Partnership, spec: UserDef, password: DemoPassword) -> Any:
    user = seed_user(spec.username, password, first_name=spec.first_name, last_name=spec.last_name)
    organization = Organization.objects.get(partnership=partnership, slug=spec.organization)
    upsert(
        Membership,
        {"user": user, "partnership": partnership},
        {"role": spec.role, "organization": organization},
    )
    return user


# --- data --------------------------------------------------------------------


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class _Keys:
    """Database ids for the codes and labels that rows carry."""

    def __init__(self, partnership: Partnership):
        self.indicators = {i.code: i for i in Indicator.objects.filter(partnership=partnership)}
        self.geographies = dict(
            Geography.objects.filter(partnership=partnership).values_list("code", "pk")
        )
        self.categories = {
            (c.dimension.code, c.code): c.pk
            for c in Category.objects.filter(dimension__partnership=partnership).select_related(
                "dimension"
            )
        }
        self._periods: dict[PeriodSpan, int] = {}

    def period(self, span: PeriodSpan) -> int:
        if span not in self._periods:
            self._periods[span] = period_from_span(span).pk
        return self._periods[span]

    def point(self, row: Row, user: Any) -> DataPoint:
        indicator = self.indicators[row.indicator]
        return DataPoint(
            indicator=indicator,
            period_id=self.period(row.period),
            geography_id=self.geographies[row.geography] if row.geography else None,
            category_id=self.categories[row.category] if row.category else None,
            value=row.value,
            numerator=None if row.numerator is None else Decimal(row.numerator),
            denominator=None if row.denominator is None else Decimal(row.denominator),
            source=indicator.data_source,
            status=DataStatus.APPROVED,
            version=2,  # created, then approved
            created_by=user,
            updated_by=user,
        )


def _history(point: DataPoint, row: Row, user: Any) -> list[DataPointChange]:
    """What the workflow would have recorded: created as a draft, then approved."""
    draft = {
        "value": str(point.value),
        "numerator": None if point.numerator is None else str(point.numerator),
        "denominator": None if point.denominator is None else str(point.denominator),
        "note": "",
        "source": point.source,
        "status": DataStatus.DRAFT.value,
    }
    common = {
        "data_point": point,
        "indicator_id": point.indicator_id,
        "period_label": row.period.label,
        "geography_code": row.geography or "",
        "category_code": row.category[1] if row.category else "",
        "changed_by": user,
        "comment": LOADED_COMMENT,
    }
    approved = {**draft, "status": DataStatus.APPROVED.value}
    return [
        DataPointChange(action=ChangeAction.CREATED, old={}, new=draft, **common),
        DataPointChange(action=ChangeAction.APPROVED, old=draft, new=approved, **common),
    ]


def load_data(partnership: Partnership, rows: Iterable[Row], user: Any) -> int:
    """Insert the rows that are not in the database yet, with their history, and
    mark the indicators that received data as changed. Returns how many were new."""
    keys = _Keys(partnership)
    existing = set(
        DataPoint.objects.filter(indicator__partnership=partnership).values_list(
            "indicator_id", "period_id", "geography_id", "category_id"
        )
    )
    created = 0
    touched: set[int] = set()
    for batch in _batches(rows, BATCH_SIZE):
        pairs = [(keys.point(row, user), row) for row in batch]
        pairs = [
            (p, r)
            for p, r in pairs
            if (p.indicator_id, p.period_id, p.geography_id, p.category_id) not in existing
        ]
        if not pairs:
            continue
        DataPoint.objects.bulk_create([p for p, _ in pairs])
        changes = [c for p, r in pairs for c in _history(p, r, user)]
        DataPointChange.objects.bulk_create(changes)
        created += len(pairs)
        touched.update(p.indicator_id for p, _ in pairs)
    # Approved data changed: the trends of these indicators are now stale.
    Indicator.objects.filter(pk__in=touched).update(data_version=F("data_version") + 1)
    return created


@dataclass(frozen=True)
class Seeded:
    partnership: Partnership
    new_points: int


def seed_demo() -> list[Seeded]:
    """Both demo partnerships, the demo users and all demo data. Run it in a transaction."""
    riverside = seed_catalogue(RIVERSIDE)
    lakeside = seed_catalogue(LAKESIDE)
    password = DemoPassword()
    admin = seed_user(
        ADMIN_USERNAME,
        password,
        first_name="Ada",
        last_name="Admin",
        is_staff=True,
        is_superuser=True,
    )
    users = {spec.username: seed_member(riverside, spec, password) for spec in DEMO_USERS}
    # Action networks, activities, meetings and funding (outcomes/demo.py).
    seed_outcomes(riverside, users["backbone"])
    # Common agenda, contacts, an invitation, Theory of Action (partnership/demo_running.py).
    seed_running(riverside, users["backbone"])
    seed_report_card(riverside, users["backbone"])
    return [
        Seeded(riverside, load_data(riverside, generate(RIVERSIDE), users["backbone"])),
        # Lakeside has no demo members; its history names the superuser.
        Seeded(lakeside, load_data(lakeside, generate(LAKESIDE), admin)),
    ]


def seed_report_card(partnership: Partnership, backbone: Any) -> None:
    """Publish the partnership's public report card (/public/<slug>/), once: a later
    run leaves whatever backbone staff have made of it."""
    from dashboards.report_card import report_card_for, report_card_save

    if report_card_for(partnership) is not None:
        return
    report_card_save(
        user=backbone,
        partnership=partnership,
        expected_version=0,
        enabled=True,
        title=f"{partnership.name}: report card",
        intro=(
            "How children and young people in Riverside County are doing, from cradle to "
            "career, and whether the partnership is moving the needle. Demo data: every "
            "number is made up."
        ),
    )
