"""API: importing a file of data points, with the browser's rules and messages.

``POST imports/`` takes a multipart ``file``; ``dry_run`` true (the default)
previews it, false imports it (after the same preview, all or nothing). A small
file is handled while the request waits (201, or 400 when nothing was imported);
a large one by a Celery task (202 with the job's ``url`` to poll). A previewed job
is imported later with ``POST imports/{id}/commit/``. Everyone with the right to
import sees their own imports; backbone staff see every import of the partnership.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from partnership.api_base import PartnershipApiViewSet
from partnership.permissions import Action, can_commit_import

from . import views_import
from .api_import_tasks import preview_then_commit, run_import_preview_and_commit
from .import_tasks import commit_job, preview_job, run_import_commit, run_import_preview
from .models import ImportJob, ImportStatus
from .serializers import ImportIn, ImportJobOut

REJECTED = OpenApiResponse(
    OpenApiTypes.OBJECT,
    "Nothing imported: an invalid upload (each field with its messages), or the import "
    "(as ImportJobOut) with the file's problems in issues.",
)
QUEUED = OpenApiResponse(ImportJobOut, "Queued for a background task: poll its url.")


@extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH,
                                            description="The import's id.")])  # fmt: skip
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipApiViewSet):
    model = ImportJob
    lookup_field = "code"
    lookup_value_regex = "[0-9a-f-]{36}"
    parser_classes = [MultiPartParser, FormParser]
    ordering_fields = ("created_at",)
    serializer_classes = {"default": ImportJobOut, "create": ImportIn}

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if "partnership_slug" in kwargs:
            self.require(Action.IMPORT_DATA)

    def scoped_queryset(self) -> Any:
        jobs = views_import.imports_visible_to(user=self.request.user, partnership=self.partnership)
        return jobs.select_related("user").order_by("-created_at", "-id")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if "partnership_slug" in self.kwargs:
            slug = self.kwargs["partnership_slug"]
            context["job_path"] = lambda job: reverse("api-import-detail", args=[slug, job.code])
        return context

    @extend_schema(
        request={"multipart/form-data": ImportIn},
        responses={201: ImportJobOut, 202: QUEUED, 400: REJECTED},
    )
    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """Upload a file: preview it (``dry_run`` true) or import it (false)."""
        data = self.validated()
        form = views_import.UploadForm(
            {"encoding": data["encoding"]}, {"file": data["file"]}
        )  # the browser's rules and messages
        if not form.is_valid():
            errors = form.errors.get_json_data(escape_html=False)
            raise ValidationError(
                {name: [e["message"] for e in found] for name, found in errors.items()}
            )
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            partnership=self.partnership,
            user=request.user,
            filename=upload.name[:255],
            file=upload,
            encoding=form.cleaned_data["encoding"],
        )
        if data["dry_run"]:
            return self._start(job, ImportStatus.PREVIEWING, preview_job, run_import_preview)
        return self._start(
            job, ImportStatus.PREVIEWING, preview_then_commit, run_import_preview_and_commit
        )

    @extend_schema(
        request=None,
        responses={
            200: ImportJobOut,
            202: QUEUED,
            400: REJECTED,
            409: OpenApiResponse(
                ImportJobOut,
                "Not importable: still running, already imported, has errors, or data it "
                "touches changed since the preview (preview it again).",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def commit(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """Import a previewed file (only the person who uploaded it)."""
        job = self.get_object()
        if not can_commit_import(request.user, job):
            raise NotFound("No such import.")
        claimed = ImportJob.objects.filter(
            pk=job.pk, status=ImportStatus.PREVIEWED, preview__ok=True
        ).update(status=ImportStatus.COMMITTING)
        if not claimed:
            return self.output(job, status.HTTP_409_CONFLICT)
        return self._start(job, ImportStatus.COMMITTING, commit_job, run_import_commit)

    def _start(
        self, job: ImportJob, state: str, inline: Callable[[ImportJob], None], task: Any
    ) -> Response:
        """As the browser does: a small file now, a large one by ``task`` once the
        job is saved."""
        job.status = state
        job.progress, job.progress_message = 0, "Waiting for its turn"
        job.save(update_fields=["status", "progress", "progress_message"])
        if job.file.size > views_import.SYNC_MAX_BYTES:
            transaction.on_commit(lambda: task.delay(job.pk))
            response = self.output(job, status.HTTP_202_ACCEPTED)
            response["Location"] = response.data["url"]
            return response
        inline(job)
        return self.output(job, _answer(job, created=self.action == "create"))


def _answer(job: ImportJob, *, created: bool) -> int:
    """The status of a job handled inline: nothing imported is a 400 (or a 409 when
    the data changed since the preview), a failure a 500 (its error says to try
    again); otherwise 201 for a new job, 200 for a commit."""
    if job.status == ImportStatus.FAILED:
        return status.HTTP_500_INTERNAL_SERVER_ERROR
    if job.status == ImportStatus.REJECTED:
        stale = job.preview.get("ok") and not job.result
        return status.HTTP_409_CONFLICT if stale and not created else status.HTTP_400_BAD_REQUEST
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK
