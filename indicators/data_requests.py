"""Data requests: backbone staff ask an organization for an indicator's data for a
period by a due date; partners see what they owe; completeness per organization
and per indicator. Services (writes) first, then selectors (reads).

A request is **fulfilled** once data for its indicator and period (any geography
or category) is submitted or approved. The selectors compute that from the data
itself, so no data point service needs to know about requests;
``data_request_refresh_status`` records it in ``status`` (the daily reminder run
calls it). A fulfilled request stays fulfilled even if its data is later returned.
Its delivery time is the first submission or approval of data for that indicator
and period (from the change history); it is **on time** when that falls on or
before the due date (in ``TIME_ZONE``). An open request whose due date has passed
is **overdue**.

Who sees which requests: backbone staff and superusers see all of the
partnership's; every other member (steward, viewer, funder) sees the requests
addressed to their own organization, since a viewer of a district should know
what the district owes; a member without an organization sees none. Outsiders
never get here: the views answer 404 first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from partnership.models import Organization, Partnership
from partnership.permissions import Action, can, membership_in

from .models import (
    FREQUENCY_PERIOD_KIND,
    ChangeAction,
    DataPoint,
    DataPointChange,
    DataRequest,
    DataRequestStatus,
    DataStatus,
    Indicator,
    Period,
)
from .services import period_get

DELIVERED = (DataStatus.SUBMITTED, DataStatus.APPROVED)
DELIVERY_ACTIONS = (ChangeAction.SUBMITTED, ChangeAction.APPROVED)


class RequestState:
    """What a request is now, computed from its status, its data and the date."""

    OPEN = "open"
    OVERDUE = "overdue"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


# How lists order requests: overdue first, then open, fulfilled, cancelled.
STATE_ORDER = (
    RequestState.OVERDUE,
    RequestState.OPEN,
    RequestState.FULFILLED,
    RequestState.CANCELLED,
)

# --- the computed state, shared by every read ----------------------------------


def _delivered_points() -> QuerySet[DataPoint]:
    return DataPoint.objects.filter(
        indicator=OuterRef("indicator"), period=OuterRef("period"), status__in=DELIVERED
    )


def with_state(requests: QuerySet[DataRequest], *, today: date) -> QuerySet[DataRequest]:
    """Annotate ``delivered`` (data is submitted or approved now), ``delivered_at``
    (when it first was) and ``state`` (a ``RequestState``), in the same query."""
    first_change = (
        DataPointChange.objects.filter(
            indicator=OuterRef("indicator"),
            period_label=OuterRef("period__label"),
            action__in=DELIVERY_ACTIONS,
        )
        .order_by("changed_at")
        .values("changed_at")[:1]
    )
    # Data loaded without history (seeds, bulk loads): when the point was created.
    first_point = _delivered_points().order_by("created_at").values("created_at")[:1]
    return requests.annotate(
        delivered=Exists(_delivered_points()),
        delivered_at=Coalesce("fulfilled_at", Subquery(first_change), Subquery(first_point)),
        state=Case(
            When(status=DataRequestStatus.CANCELLED, then=Value(RequestState.CANCELLED)),
            When(
                Q(status=DataRequestStatus.FULFILLED) | Q(delivered=True),
                then=Value(RequestState.FULFILLED),
            ),
            When(due_date__lt=today, then=Value(RequestState.OVERDUE)),
            default=Value(RequestState.OPEN),
        ),
    ).annotate(
        state_rank=Case(
            *(When(state=state, then=Value(i)) for i, state in enumerate(STATE_ORDER)),
            output_field=IntegerField(),
        )
    )


# --- services ------------------------------------------------------------------


def _require_request_data(user: Any, partnership: Partnership) -> None:
    if not can(user, Action.REQUEST_DATA, partnership):
        raise PermissionDenied("Only backbone staff may request or cancel data requests.")


def _check_due_date(due_date: date) -> None:
    today = timezone.localdate()
    if due_date < today:
        raise ValidationError(
            {"due_date": f"{date_format(due_date)} is in the past; choose today or a later day."}
        )


@transaction.atomic
def data_request_create(
    *,
    user: Any,
    indicator: Indicator,
    period: Period,
    due_date: date,
    organization: Organization | None = None,
    message: str = "",
) -> DataRequest:
    """Ask ``organization`` (by default the indicator's steward) for the indicator's
    data for ``period`` by ``due_date``. Backbone staff only."""
    partnership = indicator.partnership
    _require_request_data(user, partnership)
    _check_due_date(due_date)
    organization = organization or indicator.steward
    errors: dict[str, str] = {}
    if organization is None:
        errors["organization"] = (
            f"{indicator.code} has no steward organization; choose the organization to ask."
        )
    elif organization.partnership_id != partnership.pk:
        errors["organization"] = (
            f"{organization.name} belongs to another partnership; choose one of "
            f"{partnership.name}'s organizations."
        )
    if period.kind != indicator.period_kind:
        errors["period"] = (
            f"{indicator.code} is reported by {indicator.get_frequency_display().lower()}; "
            f"'{period.label}' is not such a period."
        )
    if errors:
        raise ValidationError(errors)
    _check_not_already(indicator=indicator, period=period, organization=organization)
    data_request = DataRequest(
        partnership=partnership,
        organization=organization,
        indicator=indicator,
        period=period,
        due_date=due_date,
        message=message.strip(),
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    data_request.full_clean()
    try:
        with transaction.atomic():
            data_request.save()
    except IntegrityError:  # someone created the same request a moment ago
        _check_not_already(indicator=indicator, period=period, organization=organization)
        raise
    return data_request


def _check_not_already(*, indicator: Indicator, period: Period, organization: Organization) -> None:
    what = f"{indicator.code} {period.label}"
    existing = DataRequest.objects.filter(
        indicator=indicator,
        period=period,
        organization=organization,
        status=DataRequestStatus.OPEN,
    ).first()
    if existing is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: f"{organization.name} already has an open request for {what} "
                f"(due {date_format(existing.due_date)}); cancel it first to change it."
            }
        )
    if DataPoint.objects.filter(indicator=indicator, period=period, status__in=DELIVERED).exists():
        raise ValidationError(
            {NON_FIELD_ERRORS: f"Data for {what} has already been submitted; nothing to request."}
        )


@dataclass
class BulkResult:
    created: list[DataRequest] = field(default_factory=list)
    skipped: list[tuple[Indicator, str]] = field(default_factory=list)


@transaction.atomic
def data_request_create_for_stewards(
    *,
    user: Any,
    partnership: Partnership,
    frequency: str,
    period_label: str,
    due_date: date,
    message: str = "",
) -> BulkResult:
    """Ask each steward for its indicators of ``frequency`` for one period. Indicators
    without a steward, with an open request or with data already in are skipped,
    each with the reason."""
    _require_request_data(user, partnership)
    _check_due_date(due_date)
    period = period_get(label=period_label, kind=FREQUENCY_PERIOD_KIND[frequency])
    result = BulkResult()
    indicators = partnership.indicators.filter(frequency=frequency).select_related(
        "partnership", "steward"
    )
    for indicator in indicators.order_by("code"):
        if indicator.steward is None:
            result.skipped.append((indicator, "It has no steward organization."))
            continue
        try:
            created = data_request_create(
                user=user, indicator=indicator, period=period, due_date=due_date, message=message
            )
        except ValidationError as exc:
            result.skipped.append((indicator, " ".join(exc.messages)))
        else:
            result.created.append(created)
    return result


def data_request_cancel(*, user: Any, data_request: DataRequest) -> DataRequest:
    """Withdraw an open request. Backbone staff only; a fulfilled or cancelled
    request cannot be cancelled."""
    _require_request_data(user, data_request.partnership)
    delivered = DataPoint.objects.filter(
        indicator_id=data_request.indicator_id,
        period_id=data_request.period_id,
        status__in=DELIVERED,
    ).exists()
    cancelled = not delivered and DataRequest.objects.filter(
        pk=data_request.pk, status=DataRequestStatus.OPEN
    ).update(
        status=DataRequestStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if not cancelled:
        raise ValidationError("This request is already fulfilled or cancelled.")
    data_request.refresh_from_db()
    return data_request


def data_request_refresh_status(*, requests: QuerySet[DataRequest] | None = None) -> int:
    """Record as fulfilled every open request (of ``requests``, default all) whose
    data is in, with the time it first came in. Each row is updated only if it is
    still open, so a concurrent cancel wins. Returns how many were updated."""
    requests = DataRequest.objects.all() if requests is None else requests
    delivered = (
        with_state(requests.filter(status=DataRequestStatus.OPEN), today=timezone.localdate())
        .filter(delivered=True)
        .values_list("pk", "delivered_at")
    )
    updated = 0
    for pk, delivered_at in delivered:
        updated += DataRequest.objects.filter(pk=pk, status=DataRequestStatus.OPEN).update(
            status=DataRequestStatus.FULFILLED, fulfilled_at=delivered_at or timezone.now()
        )
    return updated


# --- selectors -----------------------------------------------------------------


def data_requests_visible(*, user: Any, partnership: Partnership) -> QuerySet[DataRequest]:
    """The one place that answers which of the partnership's requests a user sees."""
    requests = DataRequest.objects.filter(partnership=partnership)
    if can(user, Action.REQUEST_DATA, partnership):
        return requests
    membership = membership_in(user, partnership)
    if membership is None or membership.organization_id is None:
        return requests.none()
    return requests.filter(organization_id=membership.organization_id)


def data_request_list(
    *,
    user: Any,
    partnership: Partnership,
    status: str = "",
    organization: Organization | None = None,
    overdue: bool = False,
) -> QuerySet[DataRequest]:
    """The requests the user sees, filtered, overdue first then soonest due.
    ``status`` is a ``DataRequestStatus`` value (``open`` includes overdue)."""
    requests = with_state(
        data_requests_visible(user=user, partnership=partnership), today=timezone.localdate()
    )
    if status == DataRequestStatus.OPEN:
        requests = requests.filter(state__in=(RequestState.OPEN, RequestState.OVERDUE))
    elif status:
        requests = requests.filter(state=status)
    if organization is not None:
        requests = requests.filter(organization=organization)
    if overdue:
        requests = requests.filter(state=RequestState.OVERDUE)
    return requests.select_related("organization", "indicator", "period").order_by(
        "state_rank", "due_date", "indicator__code", "id"
    )


def requests_owed(*, user: Any, partnership: Partnership) -> list[DataRequest]:
    """The open, unfulfilled requests addressed to the user's organization in the
    partnership, overdue first."""
    return requests_owed_by_partnership(user=user, partnerships=[partnership]).get(
        partnership.pk, []
    )


def requests_owed_by_partnership(
    *, user: Any, partnerships: Iterable[Partnership]
) -> dict[int, list[DataRequest]]:
    """``requests_owed`` for several partnerships at once (the home page), keyed by
    partnership id. One query, whatever the number of partnerships."""
    organization_ids = [
        membership.organization_id
        for membership in (membership_in(user, p) for p in partnerships)
        if membership is not None and membership.organization_id is not None
    ]
    if not organization_ids:
        return {}
    requests = with_state(
        DataRequest.objects.filter(
            organization_id__in=organization_ids, status=DataRequestStatus.OPEN
        ),
        today=timezone.localdate(),
    )
    owed: dict[int, list[DataRequest]] = {}
    for data_request in (
        requests.filter(state__in=(RequestState.OPEN, RequestState.OVERDUE))
        .select_related("indicator", "period")
        .order_by("due_date", "indicator__code", "id")
    ):
        owed.setdefault(data_request.partnership_id, []).append(data_request)
    return owed


@dataclass
class Tally:
    """Completeness of a group of requests (cancelled ones are not counted)."""

    subject: Any = None
    requested: int = 0
    fulfilled: int = 0
    overdue: int = 0
    on_time: int = 0
    settled: int = 0  # fulfilled, or open past the due date: its outcome is known

    @property
    def on_time_share(self) -> float | None:
        """Of the settled requests, the share fulfilled on or before the due date."""
        return self.on_time / self.settled if self.settled else None

    def add(self, data_request: DataRequest) -> None:
        self.requested += 1
        if data_request.state == RequestState.FULFILLED:
            self.fulfilled += 1
            self.settled += 1
            self.on_time += _on_time(data_request.delivered_at, data_request.due_date)
        elif data_request.state == RequestState.OVERDUE:
            self.overdue += 1
            self.settled += 1


def _on_time(delivered_at: datetime | None, due_date: date) -> bool:
    return delivered_at is not None and timezone.localdate(delivered_at) <= due_date


@dataclass
class Completeness:
    total: Tally
    organizations: list[Tally]
    indicators: list[Tally]


def completeness(*, partnership: Partnership) -> Completeness:
    """Requested, fulfilled, overdue and on-time share per organization and per
    indicator (those that were asked), and for the partnership. One query."""
    requests = with_state(
        DataRequest.objects.filter(partnership=partnership).exclude(
            status=DataRequestStatus.CANCELLED
        ),
        today=timezone.localdate(),
    ).select_related("organization", "indicator")
    total = Tally(subject=partnership)
    by_org: dict[int, Tally] = {}
    by_indicator: dict[int, Tally] = {}
    for data_request in requests:
        for tallies, subject in (
            (by_org, data_request.organization),
            (by_indicator, data_request.indicator),
        ):
            tallies.setdefault(subject.pk, Tally(subject=subject)).add(data_request)
        total.add(data_request)
    return Completeness(
        total=total,
        organizations=_sorted(by_org.values(), key=lambda t: t.subject.name),
        indicators=_sorted(by_indicator.values(), key=lambda t: t.subject.code),
    )


def _sorted(tallies: Iterable[Tally], *, key: Any) -> list[Tally]:
    """Most overdue first, then by name or code."""
    return sorted(tallies, key=lambda t: (-t.overdue, key(t)))
