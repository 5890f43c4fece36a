"""Routes of the REST API, version 1 (mounted at /api/v1/)."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from indicators import api as indicators_api
from outcomes import api as outcomes_api
from partnership import api as partnership_api

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
]:
    router.register(f"{IN_PARTNERSHIP}/{prefix}", viewset, basename=basename)

urlpatterns = router.urls
