"""The Theory of Action page (/p/<slug>/theory-of-action/): every member reads the
gateways, the benchmarks' latest status and evidence, the gateway reached and what
is left; backbone staff (``ASSESS_THEORY_OF_ACTION``) record assessments and edit
the benchmarks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import toa
from .models import AssessmentStatus, Benchmark, Gateway, Partnership
from .permissions import Action, can
from .view_helpers import add_errors, partnership_for


class AssessmentForm(forms.Form):
    status = forms.ChoiceField(choices=AssessmentStatus.choices)
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What shows it: a report, a decision, a link. Required for “Met”.",
    )


class BenchmarkForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Wording")


class NewBenchmarkForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="New benchmark",
        help_text="What the partnership will be able to show, e.g. “Publicly releases a "
        "baseline report card with disaggregated data.”",
    )


def _benchmark(partnership: Partnership, pk: int) -> Benchmark:
    return get_object_or_404(
        Benchmark.objects.select_related("gateway"), gateway__partnership=partnership, pk=pk
    )


def _back(partnership: Partnership, benchmark: Benchmark | None = None) -> HttpResponse:
    url = redirect("theory_of_action", slug=partnership.slug).url
    return redirect(f"{url}#benchmark-{benchmark.pk}" if benchmark else url)


@login_required
def theory_of_action(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    context = {
        "partnership": partnership,
        "toa": toa.theory_of_action(partnership=partnership),
        "can_assess": can(request.user, Action.ASSESS_THEORY_OF_ACTION, partnership),
        "statuses": AssessmentStatus.choices,
    }
    return render(request, "partnership/theory_of_action.html", context)


@login_required
def benchmark_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A benchmark's assessment history; for backbone staff, the forms that assess,
    reword, reorder and retire it."""
    partnership = partnership_for(request, slug)
    benchmark = _benchmark(partnership, pk)
    can_assess = can(request.user, Action.ASSESS_THEORY_OF_ACTION, partnership)
    history = toa.benchmark_history(benchmark=benchmark)
    assess_form = AssessmentForm(initial={"status": history[0].status} if history else None)
    reword_form = BenchmarkForm(initial={"version": benchmark.version, "text": benchmark.text})
    if request.method == "POST":
        partnership_for(request, slug, Action.ASSESS_THEORY_OF_ACTION)
        if "assess" in request.POST:
            assess_form = AssessmentForm(request.POST)
            if assess_form.is_valid():
                try:
                    toa.assessment_record(
                        user=request.user, benchmark=benchmark, **assess_form.cleaned_data
                    )
                except ValidationError as exc:
                    add_errors(assess_form, exc)
                else:
                    messages.success(request, "Recorded the assessment.")
                    return _back(partnership, benchmark)
        else:
            reword_form = BenchmarkForm(request.POST)
            if reword_form.is_valid():
                try:
                    toa.benchmark_reword(
                        user=request.user,
                        benchmark=benchmark,
                        expected_version=reword_form.cleaned_data["version"],
                        text=reword_form.cleaned_data["text"],
                    )
                except ValidationError as exc:
                    add_errors(reword_form, exc)
                else:
                    messages.success(request, "Saved the new wording.")
                    return _back(partnership, benchmark)
    context: dict[str, Any] = {
        "partnership": partnership,
        "benchmark": benchmark,
        "history": history,
        "can_assess": can_assess,
        "assess_form": assess_form,
        "reword_form": reword_form,
    }
    return render(request, "partnership/benchmark.html", context)


@require_POST
@login_required
def benchmark_assess(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The quick assessment form on the Theory of Action page."""
    partnership = partnership_for(request, slug, Action.ASSESS_THEORY_OF_ACTION)
    benchmark = _benchmark(partnership, pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            toa.assessment_record(user=request.user, benchmark=benchmark, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Recorded the assessment.")
            return _back(partnership, benchmark)
    # Show what is wrong on the benchmark's own page, with the input kept.
    context = {
        "partnership": partnership,
        "benchmark": benchmark,
        "history": toa.benchmark_history(benchmark=benchmark),
        "can_assess": True,
        "assess_form": form,
        "reword_form": BenchmarkForm(
            initial={"version": benchmark.version, "text": benchmark.text}
        ),
    }
    return render(request, "partnership/benchmark.html", context, status=400)


@require_POST
@login_required
def benchmark_add(request: HttpRequest, slug: str, stage: str) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.ASSESS_THEORY_OF_ACTION)
    gateway = get_object_or_404(Gateway, partnership=partnership, stage=stage)
    form = NewBenchmarkForm(request.POST)
    if form.is_valid():
        try:
            benchmark = toa.benchmark_add(
                user=request.user, gateway=gateway, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Added a benchmark to {gateway.get_stage_display()}.")
            return _back(partnership, benchmark)
    else:
        messages.error(request, "Write the new benchmark before adding it.")
    return _back(partnership)


@require_POST
@login_required
def benchmark_change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Move up, move down, retire or restore a benchmark (the button pressed)."""
    partnership = partnership_for(request, slug, Action.ASSESS_THEORY_OF_ACTION)
    benchmark = _benchmark(partnership, pk)
    what = request.POST.get("do", "")
    if what in ("up", "down"):
        toa.benchmark_move(user=request.user, benchmark=benchmark, up=what == "up")
    elif what in ("retire", "restore"):
        toa.benchmark_retire(user=request.user, benchmark=benchmark, retire=what == "retire")
        verb = "Retired" if what == "retire" else "Brought back"
        messages.success(request, f"{verb} the benchmark.")
    else:
        messages.error(request, "Choose move up, move down, retire or bring back.")
    return _back(partnership, benchmark)
