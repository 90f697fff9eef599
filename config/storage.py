"""Static files in production: which apps' files are collected."""

from __future__ import annotations

from django.apps import apps
from django.contrib.staticfiles.finders import AppDirectoriesFinder

# viewflow ships its Material frontend (about 100 MB of scripts, styles and fonts); Kotopolku
# uses viewflow's engine only and serves none of it.
NOT_SERVED = {"viewflow", "viewflow.workflow"}


class ServedAppDirectoriesFinder(AppDirectoriesFinder):
    """Django's finder of the apps' ``static/`` folders, without the apps in ``NOT_SERVED``:
    ``collectstatic`` copies and compresses only what the pages use."""

    def __init__(self, app_names=None, *args, **kwargs):
        if app_names is None:
            app_names = [
                config.name for config in apps.get_app_configs() if config.name not in NOT_SERVED
            ]
        super().__init__(app_names, *args, **kwargs)
