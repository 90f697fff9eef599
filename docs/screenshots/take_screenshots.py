"""Screenshots of the main pages in Finnish, at a laptop's and a phone's size, from a running
demo (`make demo`): `.venv/bin/python docs/screenshots/take_screenshots.py [base URL]`.

Needs Debian's Chromium (/usr/bin/chromium) and the playwright package (the dev extras)."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
PASSWORD = "kotopolku-demo"


def case_url(page, number):
    page.goto(f"{BASE}/clients/?q={number}")
    return page.locator("main table tbody a[href^='/cases/']").first.get_attribute("href")


def shots(page):
    """(user, [(name, url or callable)])"""
    return [
        (
            "anna",
            [
                ("tehtavat", "/"),
                ("jono", "/queue/"),
                ("asiakashaku", "/clients/?q=Hasan"),
                ("asia", lambda p: case_url(p, "2026-000011")),
                (
                    "tehtava",
                    lambda p: (
                        p.locator("main table tbody a[href^='/tasks/']").first.get_attribute("href")
                        if p.goto(f"{BASE}/")
                        else None
                    ),
                ),
                ("asiakkaan-kirjaus", "/clients/new/"),
            ],
        ),
        (
            "maria",
            [("kojelauta", "/manager/"), ("esihenkilon-tehtavat", "/manager/tasks/?due=overdue")],
        ),
        ("sanna", [("kutsut", "/invitations/?status=all"), ("ei-oikeutta", "/manager/")]),
    ]


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for size, (width, height) in SIZES.items():
            for user, pages in shots(None):
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale="fi-FI"
                )
                page = context.new_page()
                page.goto(f"{BASE}/accounts/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_load_state()
                for name, url in pages:
                    target = url(page) if callable(url) else url
                    page.goto(BASE + target)
                    page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=True)
                    print(f"{name}-{size}.png")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
