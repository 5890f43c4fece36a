"""Pages for data requests and completeness (under /p/<slug>/requests/).

Every member may open the list: backbone staff see all of the partnership's
requests, everyone else the requests addressed to their own organization (see
``indicators.data_requests``). Asking, cancelling and the completeness table are
for backbone staff (403 for other members). Outsiders get 404 everywhere.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from partnership.models import Partnership
from partnership.permissions import Action, can
from partnership.view_helpers import add_errors, partnership_for

from . import data_requests
from .models import DataRequest, DataRequestStatus, Frequency
from .services import period_get

PAGE_SIZE = 50
PERIOD_HELP = (
    "A period of the indicator's frequency: 2023-24 (school year), 2023 (calendar year), "
    "2023-Q3 (quarter) or 2023-07 (month)."
)


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *DataRequestStatus.choices], required=False
    )
    organization = forms.ModelChoiceField(
        queryset=None, to_field_name="slug", required=False, empty_label="Every organization"
    )
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = partnership.organizations.order_by("name")


class _AskForm(forms.Form):
    """A form that asks for data: ``ask`` calls the service, ``announce`` says what
    happened. The two pages differ only in these."""

    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Optional: what you need and why, e.g. the definition to follow.",
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.partnership = partnership


class DataRequestForm(_AskForm):
    indicator = forms.ModelChoiceField(queryset=None, to_field_name="code")
    organization = forms.ModelChoiceField(
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label="The indicator's steward",
        help_text="Who is asked; by default the organization that stewards the indicator.",
    )
    period = forms.CharField(max_length=16, help_text=PERIOD_HELP)
    field_order = ["indicator", "organization", "period", "due_date", "message"]

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["indicator"].queryset = partnership.indicators.order_by("code")
        self.fields["organization"].queryset = partnership.organizations.order_by("name")

    def ask(self, *, user: Any) -> DataRequest:
        data = self.cleaned_data
        return data_requests.data_request_create(
            user=user,
            indicator=data["indicator"],
            period=period_get(label=data["period"], kind=data["indicator"].period_kind),
            due_date=data["due_date"],
            organization=data["organization"],
            message=data["message"],
        )

    def announce(self, request: HttpRequest, result: DataRequest) -> None:
        messages.success(
            request,
            f"Asked {result.organization.name} for {result.indicator.code} "
            f"{result.period.label} by {date_format(result.due_date)}.",
        )


class StewardsRequestForm(_AskForm):
    frequency = forms.ChoiceField(
        choices=Frequency.choices, label="Indicators reported by", initial=Frequency.SCHOOL_YEAR
    )
    period = forms.CharField(max_length=16, help_text=PERIOD_HELP)
    field_order = ["frequency", "period", "due_date", "message"]

    def ask(self, *, user: Any) -> data_requests.BulkResult:
        data = self.cleaned_data
        return data_requests.data_request_create_for_stewards(
            user=user,
            partnership=self.partnership,
            frequency=data["frequency"],
            period_label=data["period"],
            due_date=data["due_date"],
            message=data["message"],
        )

    def announce(self, request: HttpRequest, result: data_requests.BulkResult) -> None:
        messages.success(request, f"Created {len(result.created)} requests.")
        for indicator, reason in result.skipped:
            messages.warning(request, f"Skipped {indicator.code}: {reason}")


@login_required
def data_request_list(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    form = RequestFilterForm(request.GET or None, partnership=partnership)
    filters = form.cleaned_data if form.is_valid() else {}
    requests = data_requests.data_request_list(
        user=request.user,
        partnership=partnership,
        status=filters.get("status", ""),
        organization=filters.get("organization"),
        overdue=filters.get("overdue", False),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "partnership": partnership,
        "form": form,
        "page": Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "can_request": can(request.user, Action.REQUEST_DATA, partnership),
        "today": timezone.localdate(),
    }
    return render(request, "indicators/requests/list.html", context)


def _ask(request: HttpRequest, slug: str, form_class: type[_AskForm]) -> HttpResponse:
    """The two "request data" pages: one form on the page is bound to the POST."""
    partnership = partnership_for(request, slug, Action.REQUEST_DATA)
    form = form_class(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            result = form.ask(user=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            form.announce(request, result)
            return redirect("data_request_list", slug=partnership.slug)
    forms_ = {
        cls: form if cls is form_class else cls(partnership=partnership)
        for cls in (DataRequestForm, StewardsRequestForm)
    }
    context = {
        "partnership": partnership,
        "form": forms_[DataRequestForm],
        "stewards_form": forms_[StewardsRequestForm],
    }
    return render(request, "indicators/requests/new.html", context)


@login_required
def data_request_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _ask(request, slug, DataRequestForm)


@login_required
def data_request_create_for_stewards(request: HttpRequest, slug: str) -> HttpResponse:
    return _ask(request, slug, StewardsRequestForm)


@require_POST
@login_required
def data_request_cancel(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.REQUEST_DATA)
    data_request = get_object_or_404(DataRequest, partnership=partnership, code=code)
    try:
        data_requests.data_request_cancel(user=request.user, data_request=data_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Cancelled the request to {data_request.organization.name} for "
            f"{data_request.indicator.code} {data_request.period.label}.",
        )
    return redirect("data_request_list", slug=partnership.slug)


@login_required
def completeness(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.REQUEST_DATA)
    context = {
        "partnership": partnership,
        "completeness": data_requests.completeness(partnership=partnership),
    }
    return render(request, "indicators/requests/completeness.html", context)
