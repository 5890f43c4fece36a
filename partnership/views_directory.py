"""The partner directory (under /p/<slug>/partners/): every member reads it; backbone
staff keep contacts (``MANAGE_CATALOGUE``) and invite people (``MANAGE_MEMBERS``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import directory, invitations, members
from .models import Contact, Invitation, Membership, Organization, Partnership, Role
from .permissions import Action, can
from .view_helpers import add_errors, partnership_for


class ContactForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=200)
    title = forms.CharField(max_length=200, required=False, help_text="e.g. Director of Research")
    email = forms.EmailField(required=False, help_text="e.g. name@organization.org")
    phone = forms.CharField(max_length=40, required=False, help_text="e.g. (555) 010-2368")

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        digits = sum(c.isdigit() for c in phone)
        if phone and (digits < 7 or any(c not in "0123456789+-(). x" for c in phone)):
            raise ValidationError(
                "Write a phone number with its area code, e.g. (555) 010-2368 or +1 555 010 2368."
            )
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise ValidationError("Give an email address or a phone number, or both.")
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(help_text="The address the sign-up link goes to.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="None (backbone staff, viewers)",
        help_text="Required for data stewards and funders: the organization they act for.",
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = partnership.organizations.order_by("name")


class MemberForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="No organization",
    )
    expected_role = forms.ChoiceField(choices=Role.choices, widget=forms.HiddenInput)
    expected_organization = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = partnership.organizations.order_by("name")


def _organization(partnership: Partnership, org_slug: str) -> Organization:
    return get_object_or_404(Organization, partnership=partnership, slug=org_slug)


def _link_for(request: HttpRequest) -> Any:
    return request.build_absolute_uri


@login_required
def partner_directory(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    context = {
        "partnership": partnership,
        "entries": directory.partner_directory(partnership=partnership),
        "show_activities": directory.activities_available(),
        "can_manage": can(request.user, Action.MANAGE_CATALOGUE, partnership),
        "can_invite": can(request.user, Action.MANAGE_MEMBERS, partnership),
    }
    return render(request, "partnership/directory.html", context)


@login_required
def organization_detail(request: HttpRequest, slug: str, org_slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    organization = _organization(partnership, org_slug)
    (entry,) = directory.partner_directory(partnership=partnership, organization=organization)
    can_manage = can(request.user, Action.MANAGE_CATALOGUE, partnership)
    context = {
        "partnership": partnership,
        "entry": entry,
        "organization": organization,
        "members": directory.organization_members(organization=organization),
        "show_activities": directory.activities_available(),
        "can_manage": can_manage,
        "history": directory.contact_history(organization=organization) if can_manage else [],
    }
    return render(request, "partnership/organization.html", context)


def _contact_form_page(
    request: HttpRequest, partnership: Partnership, organization: Organization, contact: Any
) -> HttpResponse:
    conflict = ""
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                if contact is None:
                    saved = directory.contact_create(
                        user=request.user, organization=organization, **values
                    )
                else:
                    saved = directory.contact_update(
                        user=request.user,
                        contact=contact,
                        expected_version=form.cleaned_data["version"] or 0,
                        **values,
                    )
            except directory.ContactConflictError as exc:
                conflict = exc.messages[0]
                latest = exc.contact
                form = ContactForm(
                    initial={"version": latest.version, **directory.contact_values(latest)}
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"Saved {saved.name}.")
                return redirect(
                    "organization_detail", slug=partnership.slug, org_slug=organization.slug
                )
    elif contact is None:
        form = ContactForm()
    else:
        form = ContactForm(
            initial={"version": contact.version, **directory.contact_values(contact)}
        )
    context = {
        "partnership": partnership,
        "organization": organization,
        "contact": contact,
        "form": form,
        "conflict": conflict,
    }
    return render(request, "partnership/contact_form.html", context)


@login_required
def contact_create(request: HttpRequest, slug: str, org_slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_CATALOGUE)
    organization = _organization(partnership, org_slug)
    return _contact_form_page(request, partnership, organization, None)


@login_required
def contact_edit(request: HttpRequest, slug: str, org_slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_CATALOGUE)
    organization = _organization(partnership, org_slug)
    contact = get_object_or_404(Contact, organization=organization, pk=pk)
    return _contact_form_page(request, partnership, organization, contact)


@require_POST
@login_required
def contact_delete(request: HttpRequest, slug: str, org_slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_CATALOGUE)
    organization = _organization(partnership, org_slug)
    contact = get_object_or_404(Contact, organization=organization, pk=pk)
    directory.contact_delete(user=request.user, contact=contact)
    messages.success(request, f"Removed {contact.name} from {organization.name}'s contacts.")
    return redirect("organization_detail", slug=partnership.slug, org_slug=organization.slug)


# --- invitations ---------------------------------------------------------------


@login_required
def invitation_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Pending invitations and the form that sends a new one."""
    partnership = partnership_for(request, slug, Action.MANAGE_MEMBERS)
    form = InviteForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_create(
                user=request.user,
                partnership=partnership,
                link_for=_link_for(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Sent an invitation to {invitation.email}; the link works for "
                f"{settings.INVITATION_EXPIRY_DAYS} days.",
            )
            return redirect("invitation_list", slug=partnership.slug)
    context = {
        "partnership": partnership,
        "form": form,
        "pending": invitations.pending_invitations(partnership=partnership),
        "now": timezone.now(),
        "members": members.member_list(partnership=partnership),
        "changes": members.membership_changes(partnership=partnership),
        "roles": Role.choices,
        "organizations": list(partnership.organizations.order_by("name")),
    }
    return render(request, "partnership/invitations.html", context)


@require_POST
@login_required
def membership_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a member's role and organization (from the people page)."""
    partnership = partnership_for(request, slug, Action.MANAGE_MEMBERS)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), partnership=partnership, pk=pk
    )
    form = MemberForm(request.POST, partnership=partnership)
    name = membership.user.get_full_name() or membership.user.get_username()
    if not form.is_valid():
        messages.error(request, f"Could not change {name}'s role: choose a role from the list.")
        return redirect("invitation_list", slug=partnership.slug)
    data = form.cleaned_data
    try:
        changed = members.membership_change(
            user=request.user,
            membership=membership,
            role=data["role"],
            organization=data["organization"],
            expected_role=data["expected_role"],
            expected_organization_id=data["expected_organization"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{name} is now {changed.get_role_display().lower()}.")
    return redirect("invitation_list", slug=partnership.slug)


def _pending(partnership: Partnership, pk: int) -> Invitation:
    return get_object_or_404(Invitation, partnership=partnership, pk=pk)


@require_POST
@login_required
def invitation_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_MEMBERS)
    invitation = _pending(partnership, pk)
    try:
        invitations.invitation_resend(
            user=request.user, invitation=invitation, link_for=_link_for(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Sent a new link to {invitation.email}; the old one no longer works."
        )
    return redirect("invitation_list", slug=partnership.slug)


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_MEMBERS)
    invitation = _pending(partnership, pk)
    try:
        invitations.invitation_revoke(user=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Revoked the invitation of {invitation.email}.")
    return redirect("invitation_list", slug=partnership.slug)
