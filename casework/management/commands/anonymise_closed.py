from django.conf import settings
from django.core.management import BaseCommand

from casework.services.privacy import anonymise_closed


class Command(BaseCommand):
    help = (
        "Anonymise clients whose integration cases all closed more than the retention period "
        "ago (RETENTION_DAYS, or --days). Keeps what the statistics need."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.RETENTION_DAYS,
            help="retention period in days (default: RETENTION_DAYS)",
        )
        parser.add_argument("--dry-run", action="store_true", help="report only, change nothing")

    def handle(self, *args, days, dry_run, **options):
        report = anonymise_closed(retention_days=days, dry_run=dry_run)
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(
            f"Cases closed on or before {report.cutoff:%Y-%m-%d}: {verb} {report.clients} "
            f"clients ({report.cases} cases); {report.skipped_open} clients still have an open "
            "case and were kept."
        )
