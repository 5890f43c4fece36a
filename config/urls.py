from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from partnership import views_invitations, views_tokens
from partnership.permissions import Action, can

# The Django admin is for superusers only (it sees every partnership); backbone
# staff run their partnership from the product's own pages.
admin.site.has_permission = lambda request: can(request.user, Action.USE_DJANGO_ADMIN)
admin.site.site_header = "Collective Impact administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/tokens/", views_tokens.token_page, name="account_tokens"),
    path(
        "account/tokens/<int:token_id>/revoke/", views_tokens.token_revoke_view, name="token_revoke"
    ),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("p/<slug:slug>/data/", include("indicators.urls_entry")),
    path("p/<slug:slug>/requests/", include("indicators.urls_requests")),
    path("p/<slug:slug>/reports/", include("dashboards.urls_reports")),
    path("p/<slug:slug>/", include("dashboards.urls_backbone")),
    path("public/", include("dashboards.urls_public")),
    path("p/<slug:slug>/", include("outcomes.urls")),
    path("p/<slug:slug>/", include("partnership.urls")),
    path(
        "invitations/<str:token>/",
        views_invitations.invitation_accept,
        name="invitation_accept",
    ),
    path("", include("dashboards.urls")),
]
