"""/guidance/: the guidance point's pages (namespace ``guidance``)."""

from django.urls import path

from . import guidance as views

app_name = "guidance"

urlpatterns = [
    path("", views.home, name="home"),
    path("statistics/", views.statistics, name="statistics"),
    path("configuration/", views.configuration, name="configuration"),
    path(
        "configuration/<slug:organisation>/<slug:kind>/new/",
        views.option_edit,
        name="option_new",
    ),
    path(
        "configuration/<slug:organisation>/<slug:kind>/<slug:code>/",
        views.option_edit,
        name="option_edit",
    ),
    path("points/<slug:code>/", views.point_day, name="point"),
    path("points/<slug:code>/settings/", views.point_settings, name="point_settings"),
    path("points/<slug:code>/visits/new/", views.visit_new, name="visit_new"),
    path("points/<slug:code>/visits/<uuid:uuid>/", views.visit_detail, name="visit"),
    path("points/<slug:code>/appointments/new/", views.appointment_new, name="appointment_new"),
    path(
        "points/<slug:code>/appointments/<uuid:uuid>/no-show/",
        views.appointment_no_show,
        name="appointment_no_show",
    ),
    path(
        "points/<slug:code>/appointments/<uuid:uuid>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
]
