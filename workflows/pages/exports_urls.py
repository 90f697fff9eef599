from django.urls import path

from . import exports

app_name = "exports"

urlpatterns = [
    path("<slug:kind>/start/", exports.start, name="start"),
    path("<uuid:uuid>/", exports.job, name="job"),
    path("<uuid:uuid>/download/", exports.download, name="download"),
]
