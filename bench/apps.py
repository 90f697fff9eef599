from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """The benchmark's own code: the load generator and the bare flow it compares with."""

    name = "bench"
    verbose_name = _("Benchmark")
