"""API: progress reports of one partnership, under
/api/v1/partnerships/{partnership_slug}/reports/.

POST asks for a report (backbone staff) and answers 202 with the report, whose
``url`` tells its status and progress while a worker builds it; once ``status``
is ``ready``, ``download_url`` serves the file. Funders list and download the
ready reports; backbone staff see every report. The rules are those of the
reports page: ``dashboards.reports.services`` and ``.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from partnership.api_base import PartnershipApiViewSet

from .models import Report, ReportFormat, ReportStatus
from .reports.selectors import reports_visible_to
from .reports.services import CONTENT_TYPES, report_request


class ReportIn(serializers.Serializer):
    format = serializers.ChoiceField(choices=ReportFormat.choices)
    outcome_areas = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        default=list,
        help_text="Slugs of the outcome areas to cover; empty or absent: the whole partnership.",
    )
    period_from = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="First period label, e.g. 2018-19; absent: from the first value.",
    )
    period_to = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Last period label, e.g. 2023-24; absent: to the latest value.",
    )
    disaggregate = serializers.BooleanField(
        required=False, default=False, help_text="Add a series per category (race/ethnicity, ...)."
    )


class ReportOut(serializers.ModelSerializer):
    code = serializers.UUIDField(read_only=True)
    period_from = serializers.SlugRelatedField(slug_field="label", read_only=True, allow_null=True)
    period_to = serializers.SlugRelatedField(slug_field="label", read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "code", "format", "outcome_areas", "scope_label", "period_from", "period_to",
            "disaggregate", "status", "progress", "progress_message", "error",
            "indicator_count", "size", "created_by", "created_at", "finished_at", "url",
            "download_url",
        ]  # fmt: skip

    def _url(self, report: Report, name: str) -> str:
        path = reverse(name, args=[report.partnership.slug, report.code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, report: Report) -> str:
        return self._url(report, "api-report-detail")

    def get_download_url(self, report: Report) -> str | None:
        if report.status != ReportStatus.READY:
            return None
        return self._url(report, "api-report-download")


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipApiViewSet):
    """Progress reports: ask for one (backbone staff), follow its progress, download it."""

    model = Report
    lookup_field = "code"
    lookup_value_regex = "[0-9a-f-]{36}"
    http_method_names = ["get", "post", "head", "options"]
    serializer_classes = {"default": ReportOut, "create": ReportIn}

    def scoped_queryset(self) -> Any:
        return reports_visible_to(user=self.request.user, partnership=self.partnership)

    @extend_schema(
        request=ReportIn,
        responses={202: OpenApiResponse(ReportOut, "Recorded; a worker builds it.")},
    )
    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        data = self.validated()
        (report,) = report_request(
            partnership=self.partnership,
            user=request.user,
            formats=[data["format"]],
            outcome_areas=data["outcome_areas"],
            period_from=data["period_from"] or None,
            period_to=data["period_to"] or None,
            disaggregate=data["disaggregate"],
        )
        report.refresh_from_db()
        return self.output(report, status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            **{
                (200, CONTENT_TYPES[fmt].split(";")[0]): OpenApiResponse(
                    OpenApiTypes.BINARY, f"The report's file ({fmt.label})."
                )
                for fmt in ReportFormat
            },
            404: OpenApiResponse(description="No such report, or it is not ready."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Any, *args: Any, **kwargs: Any) -> FileResponse:
        """The report's file, once its status is ``ready``."""
        report = self.get_object()
        if report.status != ReportStatus.READY or not report.file:
            raise Http404("This report has no file yet.")
        return FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=report.download_name,
            content_type=CONTENT_TYPES[report.format],
        )
