"""The integration programme's yearly report on a generated database (issue 16).

    DATABASE_URL=postgres://.../kotopolku_100k .venv/bin/python bench/programme.py \
        --requests 30 --out bench/results/programme-100000.json

against a database that ``manage.py generate_load --clients N`` filled. It adds (once) three
programmes covering more and more of the clients: one municipality's (as a municipality has
it), one region's (four municipalities sharing a programme) and one of every generated
municipality (the worst case: every client in the database). Each has six themes, ten
measures with a status, three manual indicators with values, and every computed indicator
of ``casework.indicators`` (19 in all), so a report computes 19 indicators for each of the
programme's years. Then it times, as the programme's coordinator, in process (Django's test
client, server time): the report page as it stands now (``?live=1``, everything computed),
its XLSX, and the published report (read from its frozen copy), with their query counts.
Figures are written whatever they are; the target is under 1 s p95 at 100 000 clients.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _programme(label, organisations, municipalities, coordinator, year):
    from casework import indicators
    from casework.models import Programme, Unit
    from casework.services import programme as s

    name = f"Bench programme: {label}"
    existing = Programme.objects.filter(name_fi=name).first()
    if existing is not None:
        return existing
    programme = s.programme_create(
        by=None,
        data={"name_fi": name, "first_year": year - 3, "last_year": year},
        organisations=organisations,
        municipalities=municipalities,
    )
    codes = list(indicators.REGISTRY)
    unit = Unit.objects.filter(organisation__in=organisations).first()
    n = 0
    for t in range(6):
        theme = s.theme_save(by=None, programme=programme, data={"name_fi": f"Teema {t + 1}"})
        goal = s.goal_save(by=None, theme=theme, data={"text_fi": f"Tavoite {t + 1}"})
        for m in range(2 if t < 4 else 1):
            measure = s.programme_measure_save(
                by=None,
                goal=goal,
                data={
                    "text_fi": f"Toimenpide {t}-{m}",
                    "schedule": "Jatkuva",
                    "responsible_unit": unit,
                },
            )
            for y in range(year - 3, year + 1):
                s.measure_status_record(by=None, measure=measure, year=y, status="ongoing")
        if t < 3:
            manual = s.indicator_save(
                by=None,
                goal=goal,
                data={"name_fi": f"Käsin {t}", "kind": "manual", "value_type": "number"},
            )
            for y in range(year - 3, year + 1):
                s.indicator_value_record(
                    by=None, indicator=manual, year=y, value=Decimal(10 + y % 7)
                )
        for code in codes[n : n + (4 if t < 1 else 3)]:
            spec = indicators.REGISTRY[code]
            s.indicator_save(
                by=None,
                goal=goal,
                data={
                    "name_fi": str(spec.label)[:300],
                    "kind": "computed",
                    "computation": code,
                    "computation_option": spec.option_values()[0] if spec.option_choices else "",
                },
            )
        n += 4 if t < 1 else 3
    s.year_summary_save(by=None, programme=programme, year=year, summary_fi="Yhteenveto.")
    s.report_publish(by=None, programme=programme, year=year)
    return programme


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--out", default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from bench.measure import time_page
    from casework.models import Client, Membership, Municipality, Organisation, Role, Unit
    from casework.programmes import build_report

    setup_test_environment()
    if connection.vendor != "postgresql":
        print("Run it on PostgreSQL (DATABASE_URL=postgres://...).", file=sys.stderr)
    clients = Client.objects.count()
    year = timezone.localdate().year
    municipal = list(Organisation.objects.filter(code__startswith="gen-m-").order_by("pk"))
    if not municipal:
        raise SystemExit("No generated organisations: run manage.py generate_load first.")
    User = get_user_model()
    coordinator, _created = User.objects.get_or_create(username="bench-coordinator")
    for org in municipal:
        Membership.objects.get_or_create(
            user=coordinator,
            unit=Unit.objects.filter(organisation=org).first(),
            role=Role.COORDINATOR,
        )
    from django.contrib.auth.models import Group

    coordinator.groups.add(Group.objects.get(name=Role.COORDINATOR))
    region = [o for o in municipal if o.code.startswith("gen-m-0-")]
    scopes = {
        "one municipality": [municipal[0]],
        "a region (4 municipalities)": region,
        "every municipality": municipal,
    }
    results = {"clients": clients, "year": year, "requests": args.requests, "programmes": {}}
    for label, organisations in scopes.items():
        municipalities = list(
            Municipality.objects.filter(organisations__in=organisations).distinct()
        )
        started = time.perf_counter()
        programme = _programme(label, organisations, municipalities, coordinator, year)
        covered = Client.objects.filter(municipality__in=municipalities).count()
        print(
            f"{label}: {covered} clients, programme ready in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        started = time.perf_counter()
        build_report(programme, year)
        build_seconds = time.perf_counter() - started
        report_url = reverse("programme:report", args=[programme.uuid, year])
        xlsx_url = reverse("programme:report_xlsx", args=[programme.uuid, year])
        load_before = os.getloadavg()
        figures = {
            "clients_covered": covered,
            "computed_indicators": 19,
            "years": 4,
            "build_report_s": round(build_seconds, 3),
            "report_live": time_page(
                coordinator, [report_url + "?live=1"], args.requests, name="report"
            ),
            "xlsx_live": time_page(
                coordinator, [xlsx_url + "?live=1"], max(5, args.requests // 3), name="xlsx"
            ),
            "report_published": time_page(
                coordinator, [report_url], args.requests, name="published"
            ),
        }
        # the machine is shared: the load average (1, 5, 15 min) says how far to trust them
        figures["load_average"] = {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        }
        print(f"  load average {figures['load_average']}", flush=True)
        for key in ("report_live", "xlsx_live", "report_published"):
            row = figures[key]
            print(
                f"  {key:17} p50 {row['p50_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms  "
                f"max {row['max_ms']:8.1f} ms  queries {row['queries_min']}–{row['queries_max']}  "
                f"statuses {row['statuses']}",
                flush=True,
            )
        results["programmes"][label] = figures
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=1, default=str))
    return results


if __name__ == "__main__":
    main()
