from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = _("Access control and audit")
    default_auto_field = "django.db.models.BigAutoField"
