"""Build and serve through MkDocs, publishing a site only once it is complete.

`kbgen build` renders into a fresh folder beside the site folder and swaps it
in at the end, so a failed or interrupted build never damages the last good
site (plain `mkdocs build` empties the site folder first).
"""

from __future__ import annotations

import html
import logging
import os
import posixpath
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError, ConfigurationError, PluginError

from .live import LivePages
from .problems import KbgenError
from .project import open_config

log = logging.getLogger("mkdocs.plugins.kbgen")


def build_site(
    config_file: str | Path = "mkdocs.yml",
    *,
    strict: bool = False,
    site_dir: str | Path | None = None,
    audience: str | None = None,
) -> Path:
    """Build the site into `site_dir` (mkdocs.yml's by default) and return that folder."""
    config = open_config(config_file, strict=strict)
    target = Path(site_dir).resolve() if site_dir else Path(config.site_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.kbgen-", dir=target.parent))
    config = open_config(config_file, strict=strict, site_dir=str(staging))
    if audience:
        config.plugins["kbgen"].config["audience"] = audience
    try:
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (Abort, BuildError, PluginError, ConfigurationError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise KbgenError(str(exc).strip() or "the build failed") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(staging, target)
    return target


LEFTOVER_AGE = 3600  # seconds; younger staging folders may belong to a build still running


def _remove_leftovers(target: Path) -> None:
    """Staging folders of builds that were killed (kill -9, power loss) are removed an hour later."""
    now = time.time()
    for old in target.parent.glob(f".{target.name}.kbgen-*"):
        try:
            if old.is_dir() and now - old.stat().st_mtime > LEFTOVER_AGE:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass


def _swap_in(staging: Path, target: Path) -> None:
    """Replace `target` by `staging` with two renames; the old site is removed only afterwards."""
    os.chmod(staging, 0o755)
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.kbgen-old-", dir=target.parent))
        os.rename(target, old / target.name)
        os.rename(staging, target)
        _remove_in_background(old)
    else:
        os.rename(staging, target)


def _remove_in_background(folder: Path) -> None:
    """Delete the previous site without making the build wait (thousands of files take seconds)."""
    rm = shutil.which("rm")
    if rm and os.name == "posix":
        subprocess.Popen(  # noqa: S603 - a fixed program on a folder we created
            [rm, "-rf", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    else:
        shutil.rmtree(folder, ignore_errors=True)


def serve_site(
    config_file: str | Path = "mkdocs.yml",
    *,
    dev_addr: str | None = None,
    audience: str | None = None,
    open_browser: bool = False,
) -> None:
    """Live preview. Each rebuild renders into a fresh folder and replaces the served one only when it
    succeeded: a broken edit shows its error in the terminal and on every page, over the last good build."""
    from mkdocs.commands.serve import _serve_url
    from mkdocs.livereload import LiveReloadServer

    open_config(config_file)  # a clear error before the server starts
    if audience:
        os.environ["KBGEN_AUDIENCE"] = audience
    served = Path(tempfile.mkdtemp(prefix="kbgen-serve-"))
    errors = _ErrorCollector()
    overrides = {"dev_addr": dev_addr} if dev_addr else {}
    config = open_config(config_file, site_dir=str(served), **overrides)
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = _serve_url(host, port, mount_path)

    lock = threading.Lock()  # a swap of the served folder and a page built on request never overlap
    live: list[LivePages | None] = [None]

    def builder(first: MkDocsConfig | None = None) -> None:
        staging = Path(tempfile.mkdtemp(prefix="kbgen-serve-build-"))
        errors.start()
        try:
            cfg = first or open_config(config_file, site_dir=str(staging), **overrides)
            cfg.site_dir = str(staging)
            cfg.site_url = serve_url
            build(cfg, serve_url=serve_url)
        except Exception as exc:  # every failure of an edit: keep serving the last good build
            shutil.rmtree(staging, ignore_errors=True)
            errors.fail(str(exc))
            log.error("The edit does not build; still serving the last good build. Fix it and save again.")
            if live[0] is not None:
                live[0].resume()  # the last good build's own files go on being prepared
            return
        finally:
            errors.stop()
        with lock:
            errors.clear()
            _replace_contents(served, staging)
            live[0] = cfg.plugins["kbgen"].live  # type: ignore[attr-defined]

    class Server(LiveReloadServer):
        def _serve_request(self, environ: dict[str, Any], start_response: Any) -> Any:
            path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
            if (path + "/").startswith(self.mount_path) and not path.startswith("/livereload/"):
                with self._epoch_cond:  # not a page of the build that is being replaced
                    self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch)
                rel = path[len(self.mount_path) :]
                rel = posixpath.normpath("/" + rel).lstrip("/") + ("/index.html" if path.endswith("/") else "")
                with lock:
                    pages = live[0]
                    if pages is not None:
                        pages.materialize(served, rel.lstrip("/").removeprefix("./"))
            return super()._serve_request(environ, start_response)

        def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
            content = super()._inject_js_into_html(content, epoch)
            return errors.inject(content)

    # Polled four times a second (MkDocs: twice): an edit shows sooner; a poll of 10,000 files takes ~20 ms.
    server = Server(
        builder=builder, host=host, port=port, root=str(served), mount_path=mount_path, polling_interval=0.25
    )
    signal.signal(signal.SIGTERM, _interrupt)  # a terminated preview cleans up like Ctrl-C
    try:
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        for theme_dir in config.theme.dirs:
            server.watch(theme_dir)
        try:
            server.serve(open_in_browser=open_browser)
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(served, ignore_errors=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _replace_contents(served: Path, staging: Path) -> None:
    """Make `served` hold what `staging` holds; the server keeps its root folder."""
    for child in served.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in staging.iterdir():
        os.rename(child, served / child.name)
    shutil.rmtree(staging, ignore_errors=True)


class _ErrorCollector(logging.Handler):
    """Keeps the errors of the latest build, to show them on every served page until it is fixed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []
        self.failed = False
        self._pending: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self._pending.append(record.getMessage())

    def start(self) -> None:
        self._pending = []
        logging.getLogger("mkdocs").addHandler(self)

    def stop(self) -> None:
        logging.getLogger("mkdocs").removeHandler(self)

    def fail(self, message: str) -> None:
        lines = [m for m in self._pending if not m.startswith("kbgen: ") or "content error" not in m]
        self.lines = [m.removeprefix("kbgen: ") for m in lines] or [message]
        self.failed = True

    def clear(self) -> None:
        self.lines, self.failed = [], False

    def inject(self, content: bytes) -> bytes:
        if not self.failed:
            return content
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.lines[:30])
        banner = (
            '<div id="kbgen-build-error" role="alert" style="position:sticky;top:0;z-index:9999;margin:0;'
            "padding:12px 16px;background:#8a1c1c;color:#fff;font:14px/1.45 system-ui,sans-serif;"
            'box-shadow:0 2px 6px rgba(0,0,0,.3)"><strong>This edit does not build.</strong> '
            "You are looking at the last good build. Fix the problem and save again:"
            f'<ul style="margin:6px 0 0 18px;padding:0;font-family:ui-monospace,monospace">{items}</ul></div>'
        ).encode()
        at = content.find(b"<body")
        end = content.find(b">", at) + 1 if at >= 0 else 0
        return content[:end] + banner + content[end:]
