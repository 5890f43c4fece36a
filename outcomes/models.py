"""Outcome areas (the ordered stages of a partnership's continuum), and what the
partnership does about them: action networks, activities, meetings and funding."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

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


# --- Running the partnership: action networks, activities, meetings, funding ---------
#
# Every row below belongs to one partnership (directly, or through its meeting), and
# every edit goes through the services in outcomes/{networks,activities,meetings,
# funding}.py, which check the row's ``version`` (no silent overwrite of someone
# else's edit) and write an ``OutcomeChange`` history row.


class ActionNetwork(models.Model):
    """A working group of organizations on one outcome area, with a lead organization."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="action_networks"
    )
    outcome_area = models.ForeignKey(
        OutcomeArea, on_delete=models.PROTECT, related_name="action_networks"
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True, help_text="What the network works on, and how.")
    lead_organization = models.ForeignKey(
        "partnership.Organization", on_delete=models.PROTECT, related_name="led_networks"
    )
    lead_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_networks",
    )
    members = models.ManyToManyField(
        "partnership.Organization", related_name="action_networks", blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["outcome_area__order", "name"]
        constraints = [
            # Serves the network page's look-up by slug in its URL.
            models.UniqueConstraint(fields=["partnership", "slug"], name="network_slug_unique"),
            models.UniqueConstraint(fields=["partnership", "name"], name="network_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class Activity(models.Model):
    """An organization's activity or commitment, linked to the indicators it aims to move."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="activities"
    )
    organization = models.ForeignKey(
        "partnership.Organization", on_delete=models.PROTECT, related_name="activities"
    )
    network = models.ForeignKey(
        ActionNetwork,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name="action network",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty if ongoing.")
    status = models.CharField(
        max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", related_name="activities", blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__name", "title", "id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activity_end_after_start",
            ),
        ]
        indexes = [
            # Serves the contribution map and the activity list (a partnership's
            # activities by status).
            models.Index(fields=["partnership", "status"], name="activity_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": "The end date is before the start date; choose a later end date."}
            )


class Meeting(models.Model):
    """A meeting of the partnership or of one action network."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="meetings")
    network = models.ForeignKey(
        ActionNetwork,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="action network",
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(
        max_length=300, blank=True, help_text="A room, an address or a link."
    )
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    attending_organizations = models.ManyToManyField(
        "partnership.Organization", related_name="meetings_attended", blank=True
    )
    # The calendar event's UID in .ics downloads: stable across edits.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
        ]
        indexes = [
            # Serves the upcoming/past meeting lists of a partnership.
            models.Index(fields=["partnership", "starts_at"], name="meeting_starts_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})


class Decision(models.Model):
    """Something a meeting decided."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "id"]
        indexes = [
            # Serves the activity feed's "decisions since" across a partnership's meetings.
            models.Index(fields=["created_at"], name="decision_created_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def partnership(self) -> Partnership:
        return self.meeting.partnership


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionItem(models.Model):
    """A task agreed at a meeting, owned by one person or one organization."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    description = models.CharField(max_length=500)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name="owner (person)",
    )
    owner_organization = models.ForeignKey(
        "partnership.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name="owner (organization)",
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=8, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False) & Q(owner_organization__isnull=True))
                | (Q(owner_user__isnull=True) & Q(owner_organization__isnull=False)),
                name="action_item_exactly_one_owner",
            ),
        ]
        indexes = [
            # Serves the upcoming and overdue lists (open items by due date).
            models.Index(fields=["status", "due_date"], name="action_item_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def partnership(self) -> Partnership:
        return self.meeting.partnership

    @property
    def owner(self) -> Any:
        return self.owner_user or self.owner_organization

    def clean(self) -> None:
        if (self.owner_user_id is None) == (self.owner_organization_id is None):
            raise ValidationError(
                {"owner_user": "Choose one owner: a person or an organization, not both."}
            )


class FundingPurpose(models.TextChoices):
    BACKBONE = "backbone", "Backbone operations"
    NETWORK = "network", "An action network"
    OUTCOME_AREA = "outcome_area", "An outcome area"


class FundingCommitment(models.Model):
    """A funder's commitment of an amount over one or more years, to one purpose.

    Years are the funder's (calendar or fiscal) years, first and last inclusive; the
    investment summary spreads the amount evenly over them (outcomes/funding.py).
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="funding_commitments"
    )
    funder = models.ForeignKey(
        "partnership.Organization", on_delete=models.PROTECT, related_name="funding_commitments"
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[
            RegexValidator(r"^[A-Z]{3}$", "Use a three-letter currency code such as USD or EUR.")
        ],
        help_text="Three-letter ISO 4217 code, e.g. USD.",
    )
    start_year = models.PositiveSmallIntegerField(
        "first year", validators=[MinValueValidator(1900), MaxValueValidator(2200)]
    )
    end_year = models.PositiveSmallIntegerField(
        "last year", validators=[MinValueValidator(1900), MaxValueValidator(2200)]
    )
    purpose = models.CharField(max_length=16, choices=FundingPurpose.choices)
    network = models.ForeignKey(
        ActionNetwork,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_commitments",
        verbose_name="action network",
    )
    outcome_area = models.ForeignKey(
        OutcomeArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_commitments",
    )
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_year", "funder__name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive"),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="funding_years_in_order"
            ),
            # Exactly the one target its purpose calls for.
            models.CheckConstraint(
                condition=(
                    Q(purpose="backbone", network__isnull=True, outcome_area__isnull=True)
                    | Q(purpose="network", network__isnull=False, outcome_area__isnull=True)
                    | Q(purpose="outcome_area", network__isnull=True, outcome_area__isnull=False)
                ),
                name="funding_one_target_for_purpose",
            ),
        ]
        indexes = [
            # Serves the funding page: a partnership's commitments in year order.
            models.Index(fields=["partnership", "start_year"], name="funding_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.funder} {self.currency} {self.amount} ({self.start_year}-{self.end_year})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = "The last year is before the first year; choose a later one."
        targets = {
            FundingPurpose.BACKBONE: (),
            FundingPurpose.NETWORK: ("network",),
            FundingPurpose.OUTCOME_AREA: ("outcome_area",),
        }.get(self.purpose, ())
        for name, label in (("network", "an action network"), ("outcome_area", "an outcome area")):
            chosen = getattr(self, f"{name}_id") is not None
            if name in targets and not chosen:
                errors[name] = f"This purpose funds {label}: choose one."
            elif name not in targets and chosen:
                errors[name] = (
                    f"Only commitments whose purpose is {label} name one; leave it empty."
                )
        if errors:
            raise ValidationError(errors)


class ChangeSubject(models.TextChoices):
    NETWORK = "network", "Action network"
    ACTIVITY = "activity", "Activity"
    MEETING = "meeting", "Meeting"
    DECISION = "decision", "Decision"
    ACTION_ITEM = "action_item", "Action item"
    FUNDING = "funding", "Funding commitment"


class OutcomeChange(models.Model):
    """One change to a network, activity, meeting, decision, action item or funding
    commitment: who, when, and the old and new values of the fields that changed.
    Kept when the object itself is deleted (no foreign key to it)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=16, choices=ChangeSubject.choices)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=200, help_text="What the object was called then.")
    action = models.CharField(max_length=16)  # created, updated, deleted, done, dropped, ...
    version = models.PositiveIntegerField(help_text="The object's version after the change.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            # Serves an object's history on its page.
            models.Index(
                fields=["subject", "object_id", "changed_at"], name="outcome_change_obj_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.object_id} {self.action}"
