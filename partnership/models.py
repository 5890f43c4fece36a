"""Partnerships, the organizations that take part in them, and people's memberships.

A partnership is the top-level scope: every other object belongs to exactly one
partnership, and nobody sees a partnership they are not a member of.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class Partnership(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    min_cell_size = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text=(
            "Values whose denominator is below this size are suppressed (n<10) "
            "for everyone but backbone staff."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_cell_size__gte=1),
                name="partnership_min_cell_size_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Sector(models.TextChoices):
    EDUCATION = "education", "School district / K-12 education"
    EARLY_CHILDHOOD = "early_childhood", "Early childhood"
    HIGHER_EDUCATION = "higher_education", "College / university"
    NONPROFIT = "nonprofit", "Nonprofit"
    GOVERNMENT = "government", "Government / city agency"
    BUSINESS = "business", "Business"
    HEALTH = "health", "Health provider"
    PHILANTHROPY = "philanthropy", "Philanthropy"
    FAITH = "faith", "Faith community"
    COMMUNITY = "community", "Community / resident group"
    WORKFORCE = "workforce", "Workforce development"


class OrganizationRole(models.TextChoices):
    BACKBONE = "backbone", "Backbone organization"
    PARTNER = "partner", "Partner"
    FUNDER = "funder", "Funder"


class Organization(models.Model):
    """An organization's participation in one partnership (its role and sector).

    The same real-world organization taking part in two partnerships is two rows,
    so neither partnership can see or edit the other's record of it.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="organizations"
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    role = models.CharField(
        max_length=16, choices=OrganizationRole.choices, default=OrganizationRole.PARTNER
    )
    website = models.URLField(blank=True)
    joined_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Serves organization look-ups by slug in URLs, imports and the API.
            models.UniqueConstraint(
                fields=["partnership", "slug"], name="organization_slug_unique"
            ),
            models.UniqueConstraint(
                fields=["partnership", "name"], name="organization_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    BACKBONE = "backbone", "Backbone staff"
    DATA_STEWARD = "data_steward", "Data steward"
    VIEWER = "viewer", "Viewer"
    FUNDER = "funder", "Funder"


class Membership(models.Model):
    """A user's role in a partnership. One membership per user and partnership."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="Required for data stewards: they enter data for this organization's indicators.",
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership__name", "user__username"]
        constraints = [
            # Serves the permission module's "what is this user's role here" look-up.
            models.UniqueConstraint(
                fields=["user", "partnership"], name="membership_one_per_partnership"
            ),
            models.CheckConstraint(
                condition=~Q(role="data_steward") | Q(organization__isnull=False),
                name="membership_steward_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} in {self.partnership}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.role == Role.DATA_STEWARD and self.organization_id is None:
            errors["organization"] = (
                "A data steward must belong to an organization: choose the "
                "organization whose indicators they will enter."
            )
        if (
            self.organization_id is not None
            and self.partnership_id is not None
            and self.organization.partnership_id != self.partnership_id
        ):
            errors["organization"] = (
                "This organization belongs to another partnership; choose one of "
                "this partnership's organizations."
            )
        if errors:
            raise ValidationError(errors)


class ApiToken(models.Model):
    """A personal key for the REST API (``Authorization: Token <key>``).

    Only the SHA-256 of the key is stored, so a copy of the database does not
    hand out working keys; ``prefix`` (its first characters) lets people tell
    their tokens apart. A revoked token stays for the record and never works again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'District SIS export'.")
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Serves the authentication look-up of every API request by key hash.
            models.UniqueConstraint(fields=["key_hash"], name="apitoken_key_hash_unique"),
        ]
        indexes = [
            # Serves a user's token list on /account/tokens/.
            models.Index(fields=["user", "created_at"], name="apitoken_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
