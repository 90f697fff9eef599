"""The OpenAPI schema and its documentation page: for signed-in users only (a token or a
session), like every endpoint of the API. The schema describes every endpoint and field, so
it is not handed to anonymous callers."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, IsAuthenticated


class SchemaView(SpectacularAPIView):
    """The schema (YAML, or JSON with ``?format=json``); 401 without a token or session."""

    permission_classes = [IsAuthenticated]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI. A person who is not signed in is sent to sign in first (the page is for
    browsers), then back here; the schema it loads is refused without a session."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
