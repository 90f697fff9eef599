"""The application's pages. URL names keep the ``workflows:`` namespace."""

from django.urls import path

from . import cases, clients, manager, tasks

app_name = "workflows"

urlpatterns = [
    path("", tasks.inbox, name="inbox"),
    path("start/", tasks.start, name="start"),
    path("queue/", tasks.queue, name="queue"),
    path("queue/next/", tasks.claim_next, name="claim_next"),
    path("clients/new/", clients.client_register, name="client_register"),
    path("clients/registered/<uuid:uuid>/", clients.client_registered, name="client_registered"),
    path("manager/", manager.manager_dashboard, name="dashboard"),
    path("manager/tasks/", manager.manager_tasks, name="manager_tasks"),
    path("tasks/<uuid:uuid>/", tasks.TaskView.as_view(), name="task"),
    path("tasks/<uuid:uuid>/claim/", tasks.claim, name="claim"),
    path("tasks/<uuid:uuid>/release/", tasks.release, name="release"),
    path("cases/<uuid:uuid>/", cases.case_detail, name="case"),
    path("cases/<uuid:uuid>/chart.svg", cases.case_chart, name="case_chart"),
    path("cases/<uuid:uuid>/client/", cases.client_change, name="client_change"),
    path("cases/<uuid:uuid>/close/", cases.case_close, name="case_close"),
    path("cases/<uuid:uuid>/plans/<int:version>/print/", cases.plan_print, name="plan_print"),
    path("clients/", clients.client_search, name="client_search"),
    path("invitations/", tasks.invitations, name="invitations"),
    path("flow/chart.svg", cases.flow_chart, name="flow_chart"),
    path("flow/chart.bpmn", cases.flow_chart, {"fmt": "bpmn"}, name="flow_bpmn"),
]
