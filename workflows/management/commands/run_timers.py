from django.core.management import BaseCommand

from workflows.timers import sweep


class Command(BaseCommand):
    help = (
        "Fire due review timers (the review task appears before the review falls due, with a "
        "reminder) and escalate overdue tasks to the unit's managers. Run every few minutes."
    )

    def handle(self, *args, **options):
        result = sweep()
        self.stdout.write(
            f"timers fired: {result.timers_fired}, tasks escalated: {result.escalated}"
        )
