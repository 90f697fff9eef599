"""/api/: version 1 of the API, its OpenAPI schema and its documentation page."""

from django.urls import include, path, re_path

from . import programme, views
from .docs import DocsView, SchemaView
from .exceptions import not_found

app_name = "api"

v1 = [
    path("me/", views.MeView.as_view(), name="me"),
    path("municipalities/", views.MunicipalityList.as_view(), name="municipalities"),
    path("services/", views.ServiceList.as_view(), name="services"),
    path("clients/", views.ClientListCreate.as_view(), name="clients"),
    path("clients/<str:uuid>/", views.ClientDetail.as_view(), name="client"),
    path("intake/", views.IntakeView.as_view(), name="intake"),
    path("cases/", views.CaseList.as_view(), name="cases"),
    path("cases/<str:uuid>/", views.CaseDetail.as_view(), name="case"),
    path("cases/<str:uuid>/timeline/", views.CaseTimeline.as_view(), name="case_timeline"),
    path("cases/<str:uuid>/tasks/", views.CaseTasks.as_view(), name="case_tasks"),
    path("cases/<str:uuid>/plans/", views.CasePlans.as_view(), name="case_plans"),
    path("tasks/inbox/", views.InboxList.as_view(), name="inbox"),
    path("tasks/queue/", views.QueueList.as_view(), name="queue"),
    path("tasks/queue/next/", views.TaskClaimNext.as_view(), name="task_claim_next"),
    path("tasks/<str:uuid>/", views.TaskDetail.as_view(), name="task"),
    path("tasks/<str:uuid>/claim/", views.TaskClaim.as_view(), name="task_claim"),
    path("tasks/<str:uuid>/release/", views.TaskRelease.as_view(), name="task_release"),
    path("tasks/<str:uuid>/complete/", views.TaskComplete.as_view(), name="task_complete"),
    path("tasks/<str:uuid>/draft/", views.TaskDraft.as_view(), name="task_draft"),
    path("reports/queues/", views.QueueReport.as_view(), name="queue_report"),
    path("guidance/", include("workflows.api.guidance")),
    path("reports/national/", programme.NationalExportView.as_view(), name="national_export"),
    path("programmes/", programme.ProgrammeList.as_view(), name="programmes"),
    path(
        "programmes/<str:uuid>/reports/<int:year>/",
        programme.ProgrammeReportView.as_view(),
        name="programme_report",
    ),
]

urlpatterns = [
    path("v1/", include(v1)),
    # the schema and its documentation page: for signed-in users only (workflows/api/docs.py)
    path("schema/", SchemaView.as_view(), name="schema"),
    # Swagger UI with its assets from drf-spectacular-sidecar: nothing loaded from outside.
    # (Redoc's page would fetch Google Fonts, so it is not offered.)
    # Signed-in users only (DocsView); the split view serves its start-up script as a file,
    # as the Content-Security-Policy allows no inline script.
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ is a JSON 404 (never an HTML page, never a slash redirect).
    re_path(r"^.*$", not_found),
]
