"""The demo help center, built once and served on 127.0.0.1, driven by headless Chromium.

The site is built with its feedback endpoint on the real collector (`kbgen feedback serve`, a process on
another local port, so another origin: CORS is exercised too), which stores what it receives in a SQLite
file the tests read.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from collector import Collector, free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

playwright_sync = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


class SiteHandler(_QuietHandler):
    """Static files, with the site's own 404 page for anything missing (like a static host)."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _serve(handler: Any) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def feedback_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory, feedback_port: int) -> Path:
    """The repository's demo content, built once with feedback and contact options switched on."""
    from kbgen.commands.publish import build_site

    root = tmp_path_factory.mktemp("demo")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(REPO / config.get("docs_dir", "docs"))
    plugins = []
    for entry in config.get("plugins", []):
        if entry == "kbgen" or (isinstance(entry, dict) and "kbgen" in entry):
            options = dict((entry.get("kbgen") if isinstance(entry, dict) else None) or {})
            options["feedback_url"] = f"http://127.0.0.1:{feedback_port}/"
            options["contact_url"] = "https://shop.brightbrew.example/contact?article={id}"
            entry = {"kbgen": options}
        plugins.append(entry)
    config["plugins"] = plugins
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return build_site(config_file, site_dir=root / "site")


@pytest.fixture(scope="session")
def site_url(demo_site: Path) -> Iterator[str]:
    server, base = _serve(partial(SiteHandler, directory=str(demo_site)))
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def feedback(demo_site: Path, site_url: str, feedback_port: int) -> Iterator[Collector]:
    """The collector the demo site sends its events to, accepting them from the test server's origin."""
    root = demo_site.parent
    collector = Collector(
        root, str(root / "feedback.sqlite3"), "-f", str(root / "mkdocs.yml"), "--rate", "100000",
        "--allow-origin", site_url, port=feedback_port,
    ).start()  # fmt: skip
    yield collector
    collector.stop()


@pytest.fixture(scope="session")
def catalog(demo_site: Path) -> dict[str, Any]:
    return json.loads((demo_site / "catalog.json").read_text(encoding="utf-8"))


def site_path(catalog: dict[str, Any], url: str) -> str:
    """The path of a catalog URL on the test server."""
    return urlsplit(url).path.lstrip("/")


@pytest.fixture(scope="session")
def pages(catalog: dict[str, Any]) -> dict[str, str]:
    """Site paths of one page of each kind, found in the catalog so that new demo content never breaks the tests."""
    articles = [a for a in catalog["articles"] if a["lang"] == catalog["default_language"]]
    tutorial = next(a for a in articles if a["type"] == "tutorial")
    faq = max((a for a in articles if a["type"] == "faq"), key=lambda a: (a["id"] == "1042", a["id"]))
    product = next(p for a in articles for p in a["products"])
    return {
        "home": "",
        "article": site_path(catalog, tutorial["url"]),
        "article_id": tutorial["id"],
        "category": tutorial["category"].split("/")[0] + "/",
        "faq": site_path(catalog, faq["url"]),
        "faq_id": faq["id"],
        "start": f"start/{product}/",
    }


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    # Package scope: Playwright's sync API allows one instance at a time, and other tests start their own.
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RecordingPage:
    """A Playwright page that remembers every URL it requested and every script error."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """open_page(width=1280) → a fresh page at that viewport width (phone widths get a touch, mobile context)."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900, **options: Any) -> RecordingPage:
        if width < 600:
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
            options.setdefault("device_scale_factor", 2)
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        return RecordingPage(context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
