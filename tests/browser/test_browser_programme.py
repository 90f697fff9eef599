"""The integration coordinator in a real browser: enters a manual value (a wrong one first),
marks a measure done, opens the year's report, prints it to PDF with Chromium and checks it is
one document holding every theme, and exports XLSX. Each page is checked with axe-core."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from casework.models import Indicator, MeasureYearStatus

from .conftest import PASSWORD, axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_programme(browser_staff):
    from workflows.demo_programme import load_demo_programme

    programme = load_demo_programme(password="kotopolku-demo")
    kirsi = programme.reports.first().published_by
    kirsi.set_password(PASSWORD)
    kirsi.save()
    return programme


def test_coordinator_follows_up_the_year_and_prints_the_report(page, demo_programme, tmp_path):
    programme = demo_programme
    year = timezone.localdate().year
    login(page, "kirsi")
    page.click("nav a[href='/programmes/']")  # the page is in Finnish
    page.wait_for_url("**/programmes/")
    assert axe_violations(page) == []
    page.click(f"a[href='/programmes/{programme.uuid}/']")
    assert axe_violations(page) == []
    page.click(f"a[href='/programmes/{programme.uuid}/{year}/']")
    page.wait_for_url(f"**/programmes/{programme.uuid}/{year}/")
    assert axe_violations(page) == []

    # a manual value on a scale of 1 to 5: 7 first, explained, nothing lost; then 4
    scale = Indicator.objects.get(
        goal__theme__programme=programme, name_fi__startswith="Osallisuuden"
    )
    page.click(f"a[href='/programmes/{programme.uuid}/{year}/indicators/{scale.uuid}/']")
    page.fill("#id_value", "7")
    page.fill("#id_comment", "Asiakaskysely syksyllä, 84 vastaajaa")
    page.click("main button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#id_comment") == "Asiakaskysely syksyllä, 84 vastaajaa"
    assert axe_violations(page) == []
    summary.locator("a[href='#id_value']").click()
    assert page.evaluate("document.activeElement.id") == "id_value"
    page.fill("#id_value", "4")
    page.click("main button[type=submit]")
    # back on the year's page (the browser keeps the #id_value fragment over the redirect)
    page.wait_for_url(lambda url: url.split("#")[0].endswith(f"/{programme.uuid}/{year}/"))
    assert page.locator(".messages").is_visible()
    assert scale.values.get(year=year).value == 4

    # a measure done
    measure = programme.themes.first().goals.first().measures.first()
    page.click(f"a[href='/programmes/{programme.uuid}/{year}/measures/{measure.uuid}/']")
    assert axe_violations(page) == []
    page.check("input[name=status][value=done]")
    page.fill("#id_comment", "Neuvontaa annettiin kolmella kielellä.")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/programmes/{programme.uuid}/{year}/")
    assert MeasureYearStatus.objects.get(measure=measure, year=year).status == "done"

    # the forms of the programme itself, grouped and labelled
    goal = measure.goal
    page.goto(page.base_url + f"/programmes/{programme.uuid}/goals/{goal.uuid}/indicators/new/")
    assert page.locator("fieldset.group").count() == 3
    assert axe_violations(page) == []
    page.goto(page.base_url + f"/programmes/{programme.uuid}/{year}/")

    # the year's report
    page.click(f"a[href='/programmes/{programme.uuid}/{year}/report/?live=1']")
    page.wait_for_url("**/report/**")
    assert page.locator("article.report svg[role=img]").count() >= 10
    assert "Neuvontaa annettiin kolmella kielellä." in page.inner_text("article.report")
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)

    # printed: one A4 document with every theme, without the page's tools
    pdf = page.pdf(format="A4", print_background=True)
    (tmp_path / "report.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= len(programme.themes.all())  # each theme starts a page
    for theme in programme.themes.all():
        assert theme.name_fi in text, theme.name_fi
    assert programme.name_fi in text
    assert "Lataa XLSX" not in text and "Download XLSX" not in text
    assert "Kirjaudu ulos" not in text and "Log out" not in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert abs(float(width) - 595.3) < 2 and abs(float(height) - 841.9) < 2  # A4 in points

    # the XLSX: one sheet per theme after the cover, holding the value just entered
    with page.expect_download() as download:
        page.click(f"a[href^='{reverse('programme:report_xlsx', args=[programme.uuid, year])}']")
    name = download.value.suggested_filename
    assert name.endswith(f"-{year}-fi.xlsx"), name
    download.value.save_as(tmp_path / name)
    workbook = load_workbook(tmp_path / name)
    assert workbook.sheetnames[1:] == [t.name_fi[:31] for t in programme.themes.all()]
    sheet = workbook[workbook.sheetnames[5]]  # participation
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == scale.name_fi]
    header = next(r for r in sheet.iter_rows(values_only=True) if r and year in r)
    assert rows and rows[0][header.index(year)] == 4
