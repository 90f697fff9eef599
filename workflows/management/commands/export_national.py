"""``manage.py export_national --from 2025-01-01 --to 2025-12-31 --out national-2025.json``:
the national reporting dataset (``casework/national_export/``) of a period as JSON, made by
the system (no user), recorded and audited like an export from the API."""

from __future__ import annotations

import datetime as dt
import json
import sys

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from casework.models import Organisation
from casework.services.national_export import ExportNotConfigured, national_export_create


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Write the national reporting dataset (JSON, schema v1) of a period."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="file to write, or - for stdout")
        parser.add_argument(
            "--organisation",
            action="append",
            default=None,
            help="code of a responsible organisation (repeat for several; default: all)",
        )

    def handle(self, *args, start, end, out, organisation, **options):
        start, end = _date(start), _date(end)
        organisations = None
        if organisation:
            found = {o.code: o for o in Organisation.objects.filter(code__in=organisation)}
            missing = sorted(set(organisation) - set(found))
            if missing:
                raise CommandError(f"Unknown organisation: {', '.join(missing)}")
            organisations = [found[code] for code in organisation]
        try:
            record, dataset = national_export_create(
                by=None, start=start, end=end, organisations=organisations, via="command"
            )
        except ExportNotConfigured as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        text = json.dumps(dataset, ensure_ascii=False, indent=1)
        if out == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(out, "w", encoding="utf-8") as file:
                file.write(text + "\n")
        self.stderr.write(
            f"{record.records} records of {start}–{end} written to {out} "
            f"(schema {record.schema_version}, key id {record.key_id}, sha256 {record.sha256[:16]}…)."
        )
