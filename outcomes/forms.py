"""Forms for networks, activities, meetings, action items and funding.

Every choice is limited to the partnership's own objects, so another partnership's
organizations, indicators or networks cannot even be posted. Forms only validate;
the services in this app save (with the version check and history).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.text import slugify

from partnership.models import Organization, OrganizationRole, Partnership

from .models import (
    ActionItem,
    ActionNetwork,
    Activity,
    ActivityStatus,
    Decision,
    FundingCommitment,
    FundingPurpose,
    Meeting,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def members_of(partnership: Partnership) -> QuerySet:
    """The users who are members of the partnership, by name."""
    return (
        get_user_model()
        .objects.filter(memberships__partnership=partnership, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class VersionedForm(forms.ModelForm):
    """A model form that carries the version it was loaded at, for the edit check."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def values(self) -> dict[str, Any]:
        """The cleaned values of the model's fields, for a service."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")


class NetworkForm(VersionedForm):
    lead_person = UserChoiceField(
        queryset=None, required=False, help_text="Optional: who convenes the network."
    )

    class Meta:
        model = ActionNetwork
        fields = [
            "name",
            "slug",
            "outcome_area",
            "purpose",
            "lead_organization",
            "lead_person",
            "members",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "members": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "slug": "Used in the page's address; leave empty to make one from the name.",
            "members": "The lead organization is always a member.",
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["slug"].required = False
        self.fields["outcome_area"].queryset = partnership.outcome_areas.order_by("order")
        organizations = partnership.organizations.order_by("name")
        self.fields["lead_organization"].queryset = organizations
        self.fields["members"].queryset = organizations
        self.fields["lead_person"].queryset = members_of(partnership)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("slug") and data.get("name"):
            data["slug"] = slugify(data["name"])[:80]
        slug, name = data.get("slug"), data.get("name")
        others = ActionNetwork.objects.filter(partnership=self.partnership).exclude(
            pk=self.instance.pk
        )
        if slug and others.filter(slug=slug).exists():
            self.add_error("slug", f"Another network already uses “{slug}”; choose another.")
        if name and others.filter(name__iexact=name).exists():
            self.add_error("name", f"There is already a network called “{name}”.")
        return data


class ActivityForm(VersionedForm):
    class Meta:
        model = Activity
        fields = [
            "title",
            "organization",
            "network",
            "status",
            "start_date",
            "end_date",
            "indicators",
            "description",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "indicators": forms.SelectMultiple(attrs={"size": 10}),
        }
        help_texts = {
            "indicators": (
                "The shared indicators it aims to move (hold Ctrl or ⌘ to choose several)."
            ),
            "network": "Optional: the action network it belongs to.",
        }

    def __init__(
        self,
        *args: Any,
        partnership: Partnership,
        organizations: QuerySet[Organization],
        **kwargs: Any,
    ):
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["organization"].queryset = organizations
        if len(organizations) == 1:
            # A data steward adds activities for their own organization only.
            self.fields["organization"].empty_label = None
            if not self.instance.pk:
                self.initial["organization"] = organizations[0].pk
        self.fields["network"].queryset = partnership.action_networks.order_by("name")
        self.fields["indicators"].queryset = partnership.indicators.select_related(
            "outcome_area"
        ).order_by("outcome_area__order", "code")
        self.fields["indicators"].label_from_instance = lambda i: f"{i.code} · {i.name}"


class ActivityFilterForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=None, to_field_name="slug", required=False, empty_label="Every organization"
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *ActivityStatus.choices], required=False
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = partnership.organizations.order_by("name")


class MeetingForm(VersionedForm):
    class Meta:
        model = Meeting
        fields = [
            "title",
            "network",
            "starts_at",
            "ends_at",
            "location",
            "attending_organizations",
            "agenda",
            "notes",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "notes": forms.Textarea(attrs={"rows": 5}),
            "attending_organizations": forms.CheckboxSelectMultiple,
        }
        labels = {"starts_at": "Starts", "ends_at": "Ends"}
        help_texts = {
            "network": "Optional: the action network that meets; empty for the partnership.",
            "notes": "What was discussed. Add decisions and action items on the meeting's page.",
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["network"].queryset = partnership.action_networks.order_by("name")
        self.fields["attending_organizations"].queryset = partnership.organizations.order_by("name")
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        labels = {"text": "Decision"}


class ActionItemForm(forms.ModelForm):
    owner_user = UserChoiceField(queryset=None, required=False, label="Owner (a person)")

    class Meta:
        model = ActionItem
        fields = ["description", "owner_user", "owner_organization", "due_date"]
        widgets = {"due_date": DATE}
        labels = {"description": "Action item", "owner_organization": "Owner (an organization)"}
        help_texts = {"owner_organization": "Choose a person or an organization, not both."}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = members_of(partnership)
        self.fields["owner_organization"].queryset = partnership.organizations.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        person, organization = data.get("owner_user"), data.get("owner_organization")
        if person is None and organization is None and not self.has_error("owner_user"):
            self.add_error("owner_user", "Choose who owns it: a person or an organization.")
        elif person is not None and organization is not None:
            self.add_error("owner_organization", "Choose a person or an organization, not both.")
        return data

    def _post_clean(self) -> None:
        # The owner check above says it field by field; the model's own check would
        # repeat it, and the meeting is set by the service.
        pass


class DecisionEditForm(DecisionForm):
    """A decision's text after the meeting, with the version it was loaded at (the
    number of its history rows: decisions have no version column)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, version: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version

    def _post_clean(self) -> None:
        # The service validates and saves (with the version check); the form must not
        # change the instance it was given.
        pass


class ActionItemEditForm(ActionItemForm):
    """An action item's text, owner and due date after the meeting."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["version"].initial = self.instance.version

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class FundingForm(VersionedForm):
    class Meta:
        model = FundingCommitment
        fields = [
            "funder",
            "amount",
            "currency",
            "start_year",
            "end_year",
            "purpose",
            "network",
            "outcome_area",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "start_year": "The funder's (calendar or fiscal) year the commitment starts.",
            "end_year": "The same as the first year for a one-year commitment.",
            "network": "Only when the purpose is an action network.",
            "outcome_area": "Only when the purpose is an outcome area.",
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["funder"].queryset = partnership.organizations.filter(
            role=OrganizationRole.FUNDER
        ).order_by("name")
        self.fields["network"].queryset = partnership.action_networks.order_by("name")
        self.fields["outcome_area"].queryset = partnership.outcome_areas.order_by("order")
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Only the target the purpose calls for is kept.
        purpose = data.get("purpose")
        if purpose != FundingPurpose.NETWORK:
            data["network"] = None
        elif data.get("network") is None:
            self.add_error("network", "Choose the action network this commitment funds.")
        if purpose != FundingPurpose.OUTCOME_AREA:
            data["outcome_area"] = None
        elif data.get("outcome_area") is None:
            self.add_error("outcome_area", "Choose the outcome area this commitment funds.")
        return data

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()
