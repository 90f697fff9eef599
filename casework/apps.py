from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Case work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import RuleSet, StepTarget
        from .rules import forget_rules

        def rules_changed(sender, **kwargs):
            forget_rules()

        for model in (RuleSet, StepTarget):
            post_save.connect(rules_changed, sender=model, dispatch_uid=f"rules-{model.__name__}")
            post_delete.connect(
                rules_changed, sender=model, dispatch_uid=f"rules-del-{model.__name__}"
            )
