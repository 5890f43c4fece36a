"""The page an invitation link opens (/invitations/<token>/), signed in or not.

- A link that is invalid, expired, used or revoked gets a page saying so (status 410
  for expired, used and revoked links, 404 for links that were never valid).
- Signed in with the invited address: a button to join.
- Signed in with another address: what is wrong and how to fix it (sign out).
- Signed out, and an account with the address exists: sign in to accept.
- Signed out, no such account: choose a username and password; the account is made
  with the invited address and joins the partnership.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import invitations


class SignUpForm(UserCreationForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("first_name", "last_name", "username")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = "What you sign in with: letters, digits and @.+-_"
        self.fields["password1"].help_text = (
            "At least 8 characters; not all digits, not a common password and not close "
            "to your name."
        )


def _status(problem: str | None) -> int:
    if problem == invitations.INVALID:
        return 404
    return 410 if problem else 200


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    check = invitations.invitation_check(token)
    invitation = check.invitation
    context: dict[str, Any] = {"check": check, "invitation": invitation, "token": token}
    if check.problem is not None:
        return render(
            request, "partnership/invitation.html", context, status=_status(check.problem)
        )
    user = request.user
    if user.is_authenticated:
        context["matches"] = invitations.email_matches(user, invitation)
        if request.method == "POST" and context["matches"]:
            try:
                invitations.invitation_accept(token=token, user=user)
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
            else:
                return _welcome(request, invitation)
        return render(request, "partnership/invitation.html", context)
    if invitations.account_exists(invitation):
        context["sign_in_url"] = f"{reverse('login')}?next={request.path}"
        return render(request, "partnership/invitation.html", context)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = invitations.invitation_sign_up(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            return _welcome(request, invitation)
    context["form"] = form
    return render(request, "partnership/invitation.html", context)


def _welcome(request: HttpRequest, invitation: Any) -> HttpResponse:
    messages.success(request, f"Welcome to {invitation.partnership.name}.")
    return redirect("partnership_overview", slug=invitation.partnership.slug)
