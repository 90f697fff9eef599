from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = _("Access control and audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .policy import forget_role_permissions

        def forget(**kwargs):
            forget_role_permissions()

        # a role's permissions changed in this process: no page may use the old ones
        m2m_changed.connect(
            forget, sender=Group.permissions.through, dispatch_uid="kotopolku_role_perms_m2m"
        )
        post_save.connect(forget, sender=Group, dispatch_uid="kotopolku_role_perms_saved")
        post_delete.connect(forget, sender=Group, dispatch_uid="kotopolku_role_perms_deleted")
