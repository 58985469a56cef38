"""The loop closed: readers tell the site, the real collector stores it, `kbgen report` says it back.

Chromium answers "No" with a reason and a comment, searches for something the help center lacks, opens a
result and clicks "Contact support"; the collector (`kbgen feedback serve`, a process on a local port,
SQLite) stores each event, and `kbgen report --feedback` shows every one of them."""

from __future__ import annotations

import json
import time
from typing import Any

from conftest import run

from .conftest import SCREENSHOTS


def wait_for(condition: Any, timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_what_readers_tell_the_site_reaches_the_report(open_page, site_url, pages, feedback, demo_site, screenshots):
    feedback.clear()
    page = open_page(1280)
    page.goto(site_url + pages["article"])
    widget = page.locator("#kb-feedback")
    widget.get_by_role("button", name="No").click()
    widget.get_by_label("It's out of date").check()
    widget.locator("textarea").fill("The <b>menu</b> changed in the last update.")
    widget.get_by_role("button", name="Send feedback").click()
    page.wait_for_selector(".kb-feedback-thanks:has-text('Thank you')")
    widget.screenshot(path=str(SCREENSHOTS / "feedback-sent.png"))

    page.goto(site_url + "search/?q=xylophone+quantum+zither")
    page.locator("#kb-search-results .kb-search-none").wait_for(timeout=5000)
    page.goto(site_url + "search/?q=descale")
    first = page.locator("#kb-search-results .kb-hit").first
    first.wait_for(timeout=5000)
    opened = first.get_attribute("data-id")
    first.click()
    page.wait_for_load_state()
    page.goto(site_url + pages["article"])
    page.locator(".kb-contact a[data-article]").click()
    article = pages["article_id"]
    wait_for(lambda: {"vote", "details", "search", "open", "contact"} <= {e["type"] for e in feedback.events()})
    assert not page.errors

    config = demo_site.parent / "mkdocs.yml"
    result = run("report", "-f", str(config), "--feedback", str(feedback.db), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)["feedback"]
    entry = next(a for a in data["articles"] if a["id"] == article)
    assert entry["not_helpful"] == 1 and entry["reasons"] == {"outdated": 1}
    assert entry["comments"] == ["The <b>menu</b> changed in the last update."]
    assert entry["views"] == 2 and entry["contacts"] == 1, "the page was opened twice, the box seen each time"
    assert [s["query"] for s in data["zero_result_searches"]] == ["xylophone quantum zither"]
    assert data["search_topics"][0]["searches"] == 1
    assert next(a for a in data["articles"] if a["id"] == opened)["opened_by"] == {"descale": 1}
    assert data["contacts"][0]["id"] == article

    html = run("report", "-f", str(config), "--feedback", str(feedback.db), "-o", str(screenshots / "report.html"))
    assert html.exit_code == 0
    page.goto((screenshots / "report.html").as_uri() + "#")
    box = page.get_by_role("heading", name="Reader feedback").bounding_box()
    clip = {"x": 0, "y": box["y"] - 10, "width": 1280, "height": 1500}
    page.screenshot(path=str(SCREENSHOTS / "report-feedback.png"), full_page=True, clip=clip)
    text = (screenshots / "report.html").read_text()
    assert "The &lt;b&gt;menu&lt;/b&gt; changed" in text and "xylophone quantum zither" in text
