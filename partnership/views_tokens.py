"""The account page where people create and revoke their API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .tokens import token_create, token_list, token_revoke


@login_required
def token_page(request: HttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        new = token_create(user=request.user, name=request.POST.get("name", "")[:100])
        new_key = new.key  # shown on this response only; never stored in clear
    return render(
        request,
        "partnership/tokens.html",
        {"tokens": token_list(user=request.user), "new_key": new_key},
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    if not token_revoke(user=request.user, token_id=token_id):
        raise Http404("No such active token.")
    messages.success(request, "Token revoked: it no longer works.")
    return redirect("account_tokens")
