"""The internal site's report/ in Chromium: every chart label inside its chart, a way back to the help center,
nothing wider than a phone. Screenshots: test-artifacts/screenshots/report-1280.png and report-375.png."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from .axe import violations
from .conftest import REPO, SiteHandler, _serve


@pytest.fixture(scope="module")
def internal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built for the support team (`--audience internal`, which adds report/), with reader feedback
    on its articles of the longest titles, so that every chart of the report is drawn."""
    from kbgen.commands.project import load
    from kbgen.commands.publish import build_site

    root = tmp_path_factory.mktemp("internal")
    kb = load(REPO / "mkdocs.yml")
    longest = sorted((a for a in kb.published() if a.lang == kb.default_language), key=lambda a: -len(a.title))[:8]
    events = [
        {"article": a.id, "lang": a.lang, "helpful": n % 3 == 0} for a in longest for n in range(len(a.title) // 8)
    ]
    events += [{"type": "search", "query": a.title + " in another words", "results": 0, "lang": "en"} for a in longest]
    feedback = root / "feedback.jsonl"
    feedback.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(REPO / config.get("docs_dir", "docs"))
    config["plugins"] = [
        {"kbgen": {**(e.get("kbgen") or {}), "feedback_db": feedback.name}}
        if isinstance(e, dict) and "kbgen" in e
        else e
        for e in config.get("plugins", [])
    ]
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return build_site(config_file, site_dir=root / "site", audience="internal")


@pytest.fixture(scope="module")
def internal_url(internal_site: Path) -> Iterator[str]:
    server, base = _serve(partial(SiteHandler, directory=str(internal_site)))
    yield base
    server.shutdown()
    server.server_close()


# Every <text> of every chart shown (wide, or narrow on a phone): its box (getBBox, in the chart's own units)
# against the viewBox, and its box on the screen against the chart's: inside both, nothing clipped.
SHOWN = "[...document.querySelectorAll('figure svg')].filter(s => getComputedStyle(s).display !== 'none')"
OUTSIDE = """() => {
  const found = [];
  for (const svg of SHOWN) {
    const view = svg.viewBox.baseVal, shown = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll('text')) {
      const b = text.getBBox(), r = text.getBoundingClientRect();
      const inView = b.x >= view.x - 0.5 && b.y >= view.y - 0.5 && b.x + b.width <= view.x + view.width + 0.5
        && b.y + b.height <= view.y + view.height + 0.5;
      const onScreen = r.left >= shown.left - 0.5 && r.right <= shown.right + 0.5;
      if (!inView || !onScreen || b.width === 0) found.push(text.textContent + ' ' + JSON.stringify(b));
    }
  }
  return found;
}""".replace("SHOWN", SHOWN)


@pytest.mark.parametrize("width", [1280, 375])
def test_report_charts_labels_and_way_home(open_page, internal_url, screenshots, width):
    page = open_page(width)
    page.goto(internal_url + "report/")
    shown = page.evaluate(
        f"() => {SHOWN}.map(s => [s.getAttribute('class'), s.getAttribute('role'), s.getAttribute('aria-label')])"
    )
    assert len(shown) >= 4, "links, translations and the feedback's charts"
    layout = "narrow" if width < 600 else "wide"
    assert {tuple(s[:2]) for s in shown} == {(layout, "img")} and all(s[2] for s in shown), "one labelled chart each"
    assert page.evaluate(OUTSIDE) == []
    labels = page.evaluate(
        f"() => {SHOWN}.flatMap(s => [...s.querySelectorAll('text title')]).map(t => [t.textContent, t.parentNode.lastChild.textContent])"
    )
    assert len(labels) > 20
    for label, text in labels:
        assert text.split(" ")[0] == label.split(" ")[0], "ids and first words whole"
        assert text == label or text.endswith("…")
    assert page.locator("h1").count() == 1 and page.locator("main").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing wider than the window"
    # no chart is shrunk below three quarters of its size (its text stays legible), nor scrolled
    sizes = page.evaluate(f"() => {SHOWN}.map(s => s.getBoundingClientRect().width / s.viewBox.baseVal.width)")
    assert min(sizes) >= 0.75
    assert page.evaluate("() => [...document.querySelectorAll('div.chart')].every(c => c.scrollWidth <= c.clientWidth)")
    page.screenshot(path=str(screenshots / f"report-{width}.png"), full_page=True)
    home = page.get_by_role("link", name="← Help center")
    assert home.get_attribute("href") == "../"
    home.click()
    page.wait_for_load_state()
    assert page.url == internal_url
    assert page.locator("h1").count() == 1


def test_report_has_no_request_outside_the_page(open_page, internal_url: str) -> None:
    page: Any = open_page(1280)
    page.goto(internal_url + "report/")
    assert [u for u in page.requests if u != internal_url + "report/"] == []
    assert page.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["report/", "", "widget/preview/"])
def test_the_internal_pages_have_no_wcag_aa_violation(open_page, internal_url, path, scheme):
    """The report, the internal site's home (with its support-team banner) and the widget preview."""
    page = open_page(1280, color_scheme=scheme, bypass_csp=True)
    page.goto(internal_url + path)
    assert violations(page) == []
