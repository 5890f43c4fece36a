"""Progress reports in the browser (under /p/<slug>/reports/): the list, where
funders find and download them; the builder for backbone staff; each report's
page with a progress bar while it is built; the JSON status the bar polls; the
download."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from indicators.models import Period
from outcomes.models import OutcomeArea
from partnership.models import Partnership
from partnership.permissions import Action, can, get_partnership_or_404, require
from partnership.view_helpers import partnership_for

from .models import ReportFormat, ReportStatus
from .reports.data import period_choices
from .reports.selectors import report_get, reports_visible_to
from .reports.services import CONTENT_TYPES, report_request

RECENT = 50


class ReportForm(forms.Form):
    formats = forms.MultipleChoiceField(
        label="Formats",
        choices=ReportFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ReportFormat.PDF],
        help_text="One report is built for each format you tick.",
        error_messages={"required": "Tick at least one format: PDF, Excel or CSV."},
    )
    outcome_areas = forms.ModelMultipleChoiceField(
        label="Outcome areas",
        queryset=OutcomeArea.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for the whole partnership.",
    )
    period_from = forms.ModelChoiceField(
        label="From",
        queryset=Period.objects.none(),
        required=False,
        empty_label="The first period with data",
    )
    period_to = forms.ModelChoiceField(
        label="To",
        queryset=Period.objects.none(),
        required=False,
        empty_label="The latest period with data",
    )
    disaggregate = forms.BooleanField(
        label="Disaggregate by race/ethnicity, income and the other dimensions",
        required=False,
        help_text="Adds a line per category to the charts and a row per category to the data.",
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome_areas"].queryset = OutcomeArea.objects.filter(
            partnership=partnership
        ).order_by("order")
        periods = period_choices(partnership=partnership)
        self.fields["period_from"].queryset = periods
        self.fields["period_to"].queryset = periods


def _ask(request: HttpRequest, partnership: Partnership, form: ReportForm) -> HttpResponse | None:
    """Record the reports a valid form asks for and go to them; None when the form
    (or the service) found something to fix, which the form now says."""
    require(request.user, Action.CREATE_REPORT, partnership)
    if not form.is_valid():
        return None
    try:
        created = report_request(
            partnership=partnership,
            user=request.user,
            formats=form.cleaned_data["formats"],
            outcome_areas=[a.slug for a in form.cleaned_data["outcome_areas"]],
            period_from=form.cleaned_data["period_from"],
            period_to=form.cleaned_data["period_to"],
            disaggregate=form.cleaned_data["disaggregate"],
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            form.add_error("formats" if field == "format" else field, messages)
        return None
    if len(created) == 1:
        return redirect("report_detail", partnership.slug, created[0].code)
    return redirect("report_list", partnership.slug)


@login_required
def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    reports = reports_visible_to(user=request.user, partnership=partnership)
    may_create = can(request.user, Action.CREATE_REPORT, partnership)
    form = ReportForm(request.POST if request.method == "POST" else None, partnership=partnership)
    if request.method == "POST" and (done := _ask(request, partnership, form)):
        return done
    recent = list(reports[:RECENT])
    context = {
        "partnership": partnership,
        "reports": recent,
        "may_create": may_create,
        "form": form if may_create else None,
        # The bar follows the oldest report still being built; the page reloads when
        # it is done, and follows the next.
        "running_report": next((r for r in reversed(recent) if r.running), None),
    }
    return render(
        request, "dashboards/reports/list.html", context, status=400 if form.errors else 200
    )


@login_required
def report_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    report = report_get(user=request.user, partnership=partnership, code=code)
    context = {"partnership": partnership, "report": report}
    return render(request, "dashboards/reports/detail.html", context)


@login_required
def report_status(request: HttpRequest, slug: str, code: str) -> JsonResponse:
    partnership = get_partnership_or_404(request.user, slug)
    report = report_get(user=request.user, partnership=partnership, code=code)
    return JsonResponse(
        {
            "status": report.status,
            "label": report.get_status_display(),
            "progress": report.progress,
            "message": report.progress_message,
            "running": report.running,
        }
    )


@login_required
def report_download(request: HttpRequest, slug: str, code: str) -> FileResponse:
    partnership = get_partnership_or_404(request.user, slug)
    report = report_get(user=request.user, partnership=partnership, code=code)
    if report.status != ReportStatus.READY or not report.file:
        raise Http404("This report has no file yet.")
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.download_name,
        content_type=CONTENT_TYPES[report.format],
    )
