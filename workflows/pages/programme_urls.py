"""URLs of the integration programme's pages (namespace ``programme``), included from
``config/urls.py`` under ``programmes/``."""

from django.urls import path

from . import programme as views

app_name = "programme"

ITEM = "<str:kind>/<uuid:item>"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<uuid:uuid>/", views.programme_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.programme_edit, name="edit"),
    path("<uuid:uuid>/themes/new/", views.item_edit, {"kind": "themes"}, name="theme_add"),
    path(
        "<uuid:uuid>/themes/<uuid:parent>/goals/new/",
        views.item_edit,
        {"kind": "goals"},
        name="goal_add",
    ),
    path(
        "<uuid:uuid>/goals/<uuid:parent>/measures/new/",
        views.item_edit,
        {"kind": "measures"},
        name="measure_add",
    ),
    path(
        "<uuid:uuid>/goals/<uuid:parent>/indicators/new/",
        views.item_edit,
        {"kind": "indicators"},
        name="indicator_add",
    ),
    path(f"<uuid:uuid>/{ITEM}/", views.item_edit, name="item_edit"),
    path(f"<uuid:uuid>/{ITEM}/remove/", views.item_remove, name="item_remove"),
    path("<uuid:uuid>/<int:year>/", views.year_follow_up, name="year"),
    path("<uuid:uuid>/<int:year>/indicators/<uuid:item>/", views.value_edit, name="value"),
    path("<uuid:uuid>/<int:year>/measures/<uuid:item>/", views.status_edit, name="status"),
    path("<uuid:uuid>/<int:year>/summary/", views.summary_edit, name="summary"),
    path("<uuid:uuid>/<int:year>/report/", views.report, name="report"),
    path("<uuid:uuid>/<int:year>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("<uuid:uuid>/<int:year>/report.csv", views.report_csv_file, name="report_csv"),
    path("<uuid:uuid>/<int:year>/publish/", views.publish, name="publish"),
]
