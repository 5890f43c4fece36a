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


# --- running the partnership: common agenda, contacts, invitations, Theory of
# Action, activity events -----------------------------------------------------


class AgendaVersion(models.Model):
    """One saved version of a partnership's common agenda. Versions are never
    edited: a change is a new version, numbered 1, 2, 3... per partnership. A
    version starts as a draft; adopting it records the date (``adopted_on``),
    and the adopted version with the highest number is the agenda in force."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agenda_versions"
    )
    number = models.PositiveIntegerField()
    vision = models.TextField()
    problem_statement = models.TextField()
    goals = models.TextField(help_text="One goal per line.")
    equity_commitment = models.TextField()
    summary = models.CharField(
        max_length=300, blank=True, help_text="What changed in this version, in a sentence."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_on = models.DateField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["partnership", "-number"]
        constraints = [
            # Serves "the latest version" and "the version in force" (by number).
            models.UniqueConstraint(
                fields=["partnership", "number"], name="agendaversion_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="agendaversion_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} agenda v{self.number}"

    @property
    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]


class AgendaEndorsement(models.Model):
    """An organization's endorsement of one adopted agenda version."""

    version = models.ForeignKey(
        AgendaVersion, on_delete=models.CASCADE, related_name="endorsements"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="agenda_endorsements"
    )
    endorsed_on = models.DateField()
    statement = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "organization__name"]
        constraints = [
            # Serves a version's endorsement list; an organization endorses a version once.
            models.UniqueConstraint(
                fields=["version", "organization"], name="agendaendorsement_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} endorses {self.version}"


class Contact(models.Model):
    """A person to talk to at an organization (not necessarily a user)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "name"]
        indexes = [
            # Serves the partner directory: an organization's contacts.
            models.Index(fields=["organization", "name"], name="contact_org_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactChange(models.Model):
    """The history of a contact: who created, changed or removed it, with the values."""

    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contact_changes"
    )
    action = models.CharField(max_length=16)  # created, updated, deleted
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            # Serves an organization's contact history.
            models.Index(fields=["organization", "changed_at"], name="contactchange_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_name}"

    @property
    def subject_name(self) -> str:
        return self.new.get("name") or self.old.get("name", "")


class Invitation(models.Model):
    """An emailed invitation to join a partnership with a role. The link carries a
    signed token naming the invitation and its current ``nonce``; resending makes a
    new nonce (the old link stops working) and a new expiry. Used once."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
    )
    nonce = models.CharField(max_length=32, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    send_count = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per address and partnership; serves the pending list.
            models.UniqueConstraint(
                fields=["partnership", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=~Q(role="data_steward") | Q(organization__isnull=False),
                name="invitation_steward_has_organization",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.partnership}"


class GatewayStage(models.TextChoices):
    """StriveTogether's Theory of Action gateways, in order."""

    EXPLORING = "exploring", "Exploring"
    EMERGING = "emerging", "Emerging"
    SUSTAINING = "sustaining", "Sustaining"
    SYSTEMS_CHANGE = "systems_change", "Systems change"
    PROOF_POINT = "proof_point", "Proof point"


class Gateway(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="gateways")
    stage = models.CharField(max_length=20, choices=GatewayStage.choices)
    order = models.PositiveIntegerField()
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["partnership", "order"]
        constraints = [
            # Serves the Theory of Action page (a partnership's gateways in order).
            models.UniqueConstraint(fields=["partnership", "stage"], name="gateway_stage_unique"),
            models.UniqueConstraint(fields=["partnership", "order"], name="gateway_order_unique"),
        ]

    def __str__(self) -> str:
        return self.get_stage_display()


class Benchmark(models.Model):
    """One benchmark of a gateway. Retired benchmarks keep their assessments but no
    longer count towards reaching the gateway."""

    gateway = models.ForeignKey(Gateway, on_delete=models.CASCADE, related_name="benchmarks")
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["gateway", "order", "id"]
        indexes = [
            # Serves a gateway's benchmarks in order.
            models.Index(fields=["gateway", "order"], name="benchmark_order_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Met"


class BenchmarkAssessment(models.Model):
    """The partnership's assessment of a benchmark at one moment. Never edited: a new
    assessment is a new row, so the history shows how the partnership progressed."""

    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="assessments")
    status = models.CharField(max_length=16, choices=AssessmentStatus.choices)
    evidence = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField()

    class Meta:
        ordering = ["benchmark", "-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values), name="assessment_status_valid"
            ),
        ]
        indexes = [
            # Serves "the latest assessment of each benchmark" and a benchmark's history.
            models.Index(fields=["benchmark", "assessed_at"], name="assessment_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.assessed_at:%Y-%m-%d})"


class EventKind(models.TextChoices):
    AGENDA_ADOPTED = "agenda_adopted", "Agenda adopted"
    AGENDA_ENDORSED = "agenda_endorsed", "Agenda endorsed"
    TREND_CHANGED = "trend_changed", "Trend changed"
    MEMBER_JOINED = "member_joined", "Member joined"
    GATEWAY_REACHED = "gateway_reached", "Gateway reached"


class ActivityEvent(models.Model):
    """Something that happened in the partnership, for the activity feed. Only
    events every member may see are recorded here (unapproved data never is)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="activity_events"
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves the activity feed: a partnership's latest events.
            models.Index(fields=["partnership", "created_at"], name="activityevent_feed_idx"),
        ]

    def __str__(self) -> str:
        return self.text


class MembershipChange(models.Model):
    """The history of people's roles: who changed whose role (and organization), when."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="membership_changes"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    old_role = models.CharField(max_length=16, choices=Role.choices)
    new_role = models.CharField(max_length=16, choices=Role.choices)
    old_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            # Serves the partnership's list of recent role changes.
            models.Index(fields=["partnership", "changed_at"], name="membershipchange_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.old_role} -> {self.new_role}"
