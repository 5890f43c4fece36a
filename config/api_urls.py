"""Routes of the REST API, version 1 (mounted at /api/v1/)."""

from __future__ import annotations

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from dashboards import api_reports
from indicators import api as indicators_api
from indicators import api_imports
from outcomes import api as outcomes_api
from partnership import api as partnership_api
from partnership.api_http import api_not_found

IN_PARTNERSHIP = r"partnerships/(?P<partnership_slug>[-\w]+)"

router = SimpleRouter()
router.register("auth/token", partnership_api.TokenViewSet, basename="api-token")
router.register("partnerships", partnership_api.PartnershipViewSet, basename="api-partnership")
for prefix, viewset, basename in [
    ("organizations", partnership_api.OrganizationViewSet, "api-organization"),
    ("memberships", partnership_api.MembershipViewSet, "api-membership"),
    ("outcome-areas", outcomes_api.OutcomeAreaViewSet, "api-outcome-area"),
    ("indicators", indicators_api.IndicatorViewSet, "api-indicator"),
    ("geographies", indicators_api.GeographyViewSet, "api-geography"),
    ("dimensions", indicators_api.DimensionViewSet, "api-dimension"),
    ("datapoints", indicators_api.DataPointViewSet, "api-datapoint"),
    ("trends", indicators_api.TrendViewSet, "api-trend"),
    ("scorecard", indicators_api.ScorecardViewSet, "api-scorecard"),
    ("reports", api_reports.ReportViewSet, "api-report"),
    ("imports", api_imports.ImportViewSet, "api-import"),
]:
    router.register(f"{IN_PARTNERSHIP}/{prefix}", viewset, basename=basename)

# Anything else under /api/v1/ is a JSON 404, as the schema promises.
urlpatterns = [*router.urls, re_path(r"^.*/$", api_not_found)]
