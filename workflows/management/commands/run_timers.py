from django.core.management import BaseCommand

from workflows.timers import due_timers, overdue_tasks, sweep


class Command(BaseCommand):
    help = (
        "Fire due review timers (the review task appears before the review falls due, with a "
        "reminder) and escalate overdue tasks to the unit's managers. Celery beat runs this "
        "every few minutes; run it by hand to catch up. --dry-run lists what would fire and "
        "why, and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the timers that would fire and the tasks that would be escalated, "
            "with the reason for each, without changing anything.",
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            self._dry_run()
            return
        result = sweep()
        self.stdout.write(
            f"timers fired: {result.timers_fired}, tasks escalated: {result.escalated}"
        )

    def _dry_run(self):
        timers = due_timers()
        self.stdout.write(f"Would fire {len(timers)} timers:")
        for t in timers:
            if t.review_due is None:
                self.stdout.write(
                    f"  timer {t.task_id}: {t.because}, due since {t.scheduled:%Y-%m-%d %H:%M}"
                )
                continue
            self.stdout.write(
                f"  case {t.case_number}: review task for {t.assignee}; the review falls due "
                f"{t.review_due:%Y-%m-%d} ({t.because}), the task appears "
                f"{t.reminder_days} days before, due since {t.scheduled:%Y-%m-%d %H:%M}"
            )
        overdue = overdue_tasks()
        self.stdout.write(f"Would escalate {len(overdue)} overdue tasks:")
        for case_task in overdue:
            self.stdout.write(
                f"  case {case_task.case.number}: {case_task.title} in the queue of "
                f"{case_task.unit}, due {case_task.due_on:%Y-%m-%d}, not yet escalated; "
                f"the unit's managers would be told"
            )
        self.stdout.write("Dry run: nothing was changed.")
