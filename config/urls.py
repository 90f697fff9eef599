from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from workflows.pages import health

urlpatterns = [
    # probes for load balancers and supervisors: no login, no language prefix, no client data
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("workflows.api.urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("guidance/", include("workflows.pages.guidance_urls")),
    path("programmes/", include("workflows.pages.programme_urls", namespace="programme")),
    path("", include("workflows.pages.audit_urls")),
    path("", include("workflows.pages.urls")),
    path("exports/", include("workflows.pages.exports_urls")),
    prefix_default_language=False,
)

# Error pages in the app's layout and the user's language (templates/403.html, 404.html,
# 500.html; a refused form: settings.CSRF_FAILURE_VIEW).
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
