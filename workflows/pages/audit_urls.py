from django.urls import path

from . import audit as views

# The audit trail and the data subject's rights keep their "permissions:" URL names.
app_name = "permissions"

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("clients/<uuid:uuid>/access-log/", views.client_access_log, name="client_access_log"),
    path("clients/<uuid:uuid>/export/", views.client_export, name="client_export"),
]
