"""Top-level URLs: pages per app, the API under /api/, its schema and docs, admin, health."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import TokenView
from core import views as core_views

api_patterns = [
    path("", include("taxonomy.api.urls")),
    path("", include("annotation.api.urls")),
    path("", include("classifier.api.urls")),
    path("dashboards/", include("dashboards.api_urls")),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("taxonomy/", include("taxonomy.urls")),
    path("", include("annotation.urls")),  # clips/ and programs/
    path("labeling/", include("annotation.urls_labeling")),
    path("models/", include("classifier.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]
# Media is never served from MEDIA_URL as static files: the clip media views check who may see a clip.

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
