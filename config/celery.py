"""The Celery application: background work (notifications, the timer sweep, exports).

Started in production as separate processes (README, "Running in production")::

    celery -A config worker --loglevel INFO
    celery -A config beat --loglevel INFO

Without ``CELERY_BROKER_URL`` every task runs at once in the process that sends it (settings:
``CELERY_TASK_ALWAYS_EAGER``), so the demo and the tests need neither Redis nor a worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kotopolku")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
