from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("queue/", views.queue, name="queue"),
    path("queue/next/", views.claim_next, name="claim_next"),
    path("clients/new/", views.client_register, name="client_register"),
    path("manager/", views.manager_dashboard, name="dashboard"),
    path("manager/tasks/", views.manager_tasks, name="manager_tasks"),
    path("tasks/<uuid:uuid>/", views.TaskView.as_view(), name="task"),
    path("tasks/<uuid:uuid>/claim/", views.claim, name="claim"),
    path("tasks/<uuid:uuid>/release/", views.release, name="release"),
    path("cases/<uuid:uuid>/", views.case_detail, name="case"),
    path("cases/<uuid:uuid>/chart.svg", views.case_chart, name="case_chart"),
    path("cases/<uuid:uuid>/client/", views.client_change, name="client_change"),
    path("cases/<uuid:uuid>/close/", views.case_close, name="case_close"),
    path("cases/<uuid:uuid>/plans/<int:version>/print/", views.plan_print, name="plan_print"),
    path("clients/", views.client_search, name="client_search"),
    path("invitations/", views.invitations, name="invitations"),
    path("flow/chart.svg", views.flow_chart, name="flow_chart"),
    path("flow/chart.bpmn", views.flow_chart, {"fmt": "bpmn"}, name="flow_bpmn"),
]
