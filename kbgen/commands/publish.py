"""Build and serve through MkDocs, publishing a site only once it is complete.

`kbgen build` renders into a fresh folder beside the site folder and swaps it
in at the end, so a failed or interrupted build never damages the last good
site (plain `mkdocs build` empties the site folder first).
"""

from __future__ import annotations

import errno
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError, ConfigurationError, PluginError
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..plugin.live import LivePages
from ..problems import KbgenError
from ..swap import Claim, abandoned, exchange, lock_path
from .project import open_config

log = logging.getLogger("mkdocs.plugins.kbgen")


@dataclass(frozen=True)
class Published:
    """What a build published: the site's folder, how many pages it rendered and how long it took."""

    site: Path
    pages: int
    seconds: float


def build_site(
    config_file: str | Path = "mkdocs.yml",
    *,
    strict: bool = False,
    site_dir: str | Path | None = None,
    audience: str | None = None,
) -> Path:
    """Build the site into `site_dir` (mkdocs.yml's by default) and return that folder (see `publish`)."""
    return publish(config_file, strict=strict, site_dir=site_dir, audience=audience).site


def publish(
    config_file: str | Path = "mkdocs.yml",
    *,
    strict: bool = False,
    site_dir: str | Path | None = None,
    audience: str | None = None,
) -> Published:
    """Build the site into `site_dir` (mkdocs.yml's by default).

    The new site is rendered into a staging folder beside it and swapped in only when complete; the URL
    ledger records the new URLs only once the swap is done. Any failure of the build or of the file
    system is one KbgenError, with the last good site, the ledger and the folder beside it as they were.
    """
    started = time.perf_counter()
    config = open_config(config_file, strict=strict)
    target = Path(site_dir).resolve() if site_dir else Path(config.site_dir)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.kbgen-", dir=target.parent))
        claim = Claim(staging)
    except OSError as exc:
        raise KbgenError(_os_failure(exc, target)) from None
    try:
        config = open_config(config_file, strict=strict, site_dir=str(staging))
        plugin = config.plugins["kbgen"]
        plugin.publishes_later = True  # type: ignore[attr-defined]  # the ledger waits for the swap
        plugin.publishes_to = target  # type: ignore[attr-defined]  # unchanged files are taken from it
        if audience:
            plugin.config["audience"] = audience
        try:
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except (Abort, BuildError, PluginError, ConfigurationError) as exc:
            raise KbgenError(str(exc).strip() or "the build failed") from None
        except OSError as exc:  # a full disk, a file too large, a folder that cannot be written
            raise KbgenError(_os_failure(exc, target)) from None
        try:
            _swap_in(staging, target)
        except OSError as exc:
            raise KbgenError(_os_failure(exc, target)) from None
        plugin.record_published()  # type: ignore[attr-defined]
        plugin.record_site()  # type: ignore[attr-defined]
        progress = plugin.progress  # type: ignore[attr-defined]
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already when the swap succeeded
        claim.release()
    return Published(target, progress.total if progress is not None else 0, time.perf_counter() - started)


def _os_failure(exc: OSError, target: Path) -> str:
    """One line for a file system failure, with what to do about the common ones."""
    where = exc.filename or target
    reason = exc.strerror or str(exc)
    hint = {
        errno.ENOSPC: "free some space; the last good site was left as it was",
        errno.EDQUOT: "free some space; the last good site was left as it was",
        errno.EFBIG: "a file exceeds the size this system allows; the last good site was left as it was",
        errno.EBUSY: f"'{target}' is in use, perhaps a mount point; build into a folder inside it instead",
        errno.EPERM: f"'{target}' or its folder cannot be changed (permissions, or an immutable attribute)",
        errno.EACCES: f"'{target}' or its folder cannot be changed (permissions)",
        errno.EROFS: f"'{target}' is on a read-only file system",
        errno.EXDEV: f"'{target}' is a mount point; build into a folder inside it instead",
    }.get(exc.errno or 0, "the last good site was left as it was")
    return f"{where}: {reason}: {hint}"


LEFTOVER_AGE = 3600  # seconds; without a lock to ask, younger staging folders may belong to a running build


def _remove_leftovers(target: Path) -> None:
    """What builds that died (kill -9, power loss) left beside the site: a staging folder whose build is
    gone (its lock is free), a previous site that was still being deleted, a stray lock file."""
    now = time.time()
    for old in target.parent.glob(f".{target.name}.kbgen-*"):
        try:
            if old.name.endswith(".lock"):
                folder = old.with_name(old.name.removesuffix(".lock"))
                if not folder.exists() and abandoned(folder):
                    old.unlink(missing_ok=True)
                continue
            if not old.is_dir():
                continue
            gone = abandoned(old)
            if gone is None:
                gone = old.name.startswith(f".{target.name}.kbgen-old-") or now - old.stat().st_mtime > LEFTOVER_AGE
            if gone:
                shutil.rmtree(old, ignore_errors=True)
                lock_path(old).unlink(missing_ok=True)
        except OSError:
            pass


def _swap_in(staging: Path, target: Path) -> None:
    """Put `staging` in the place of `target`. Where the system can, both are exchanged in one step, so
    every path of the old or of the new site exists at every moment; elsewhere, two renames (the old site
    is moved aside, then the new one in). The old site is deleted afterwards, in the background."""
    os.chmod(staging, 0o755)
    if not target.exists():
        os.rename(staging, target)
        return
    if not target.is_dir() or target.is_symlink():
        raise OSError(errno.ENOTDIR, "not a folder kbgen can replace", str(target))
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.kbgen-old-", dir=target.parent))
    try:
        if exchange(staging, target):
            os.rename(staging, aside / target.name)  # the old site, now at the staging folder's name
        else:
            os.rename(target, aside / target.name)
            try:
                os.rename(staging, target)
            except OSError:
                os.rename(aside / target.name, target)  # put the last good site back
                raise
    except OSError:
        if not (aside / target.name).exists():
            shutil.rmtree(aside, ignore_errors=True)
        raise
    _remove_in_background(aside)


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


# What a watched file's change is: not its opening or reading (the build reads every file), nor a folder's
# "modified" (its files' own events tell).
_EVENTS = [
    *(FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileDeletedEvent, FileClosedEvent),
    *(DirCreatedEvent, DirMovedEvent, DirDeletedEvent),  # a folder of articles renamed or removed
]
_WRITES = frozenset(e.event_type for e in _EVENTS)


def _observer(probe: str, polling_interval: float) -> BaseObserver:
    """inotify where the system has it, else MkDocs' polling of every file's time.

    MkDocs polls: on a knowledge base of 10,000 articles, while the preview computes kbgen's other files on
    its thread, one poll (a stat of each of 13,000 files, each giving up the interpreter's lock) took 7 s,
    so an edit waited that long before its rebuild even began. inotify tells of the edit at once, without
    a walk. A system without it, or out of watches (`fs.inotify.max_user_watches`), gets the polling."""
    try:
        from watchdog.observers.inotify import InotifyObserver

        trial = InotifyObserver()
        trial.schedule(FileSystemEventHandler(), probe, recursive=True, event_filter=_EVENTS)
        trial.start()
        trial.stop()
        trial.join()
        return InotifyObserver()
    except (ImportError, OSError) as exc:
        log.debug(f"Watching by polling: no inotify ({exc})")
        return PollingObserver(timeout=polling_interval)


def serve_site(
    config_file: str | Path = "mkdocs.yml",
    *,
    dev_addr: str | None = None,
    audience: str | None = None,
    open_browser: bool = False,
) -> None:
    """Live preview. Each rebuild renders into a fresh folder and replaces the served one only when it
    succeeded: a broken edit shows its error in the terminal and on every page, over the last good build."""
    from ..plugin.mkdocs_private import LiveReloadServer
    from ..plugin.mkdocs_private import serve_url as address

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
    serve_url = address(host, port, mount_path)

    lock = threading.Lock()  # a swap of the served folder and a page built on request never overlap
    swaps = [0]  # how many times the served folder was replaced
    live: list[LivePages | None] = [None]

    built: list[MkDocsConfig | None] = [None]  # the configuration of the last good build (its plugin's state)
    touched: list[set[str] | None] = [set()]  # files changed since the last build; None: more than files
    noted = threading.Lock()

    def text_only() -> bool:
        """The files changed since the last build are articles whose text alone changed: their pages and
        kbgen's files are built again on request, without a rebuild (`KbgenPlugin.text_edited`)."""
        with noted:
            paths, touched[0] = touched[0], set()
        last = built[0]
        if paths is None or last is None or errors.failed or not paths:
            return False
        plugin = last.plugins["kbgen"]
        with lock:
            try:
                taken = bool(plugin.text_edited(paths, served))  # type: ignore[attr-defined]
                swaps[0] += taken  # files of the served folder were removed: a request that missed one retries
                return taken
            except Exception:  # a rebuild then says what is wrong, as for any edit
                log.debug("kbgen could not take the edit without a rebuild", exc_info=True)
                return False

    def builder(first: MkDocsConfig | None = None) -> None:
        if first is None and text_only():
            return
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
            built[0] = None
            log.error("The edit does not build; still serving the last good build. Fix it and save again.")
            if live[0] is not None:
                live[0].resume()  # the last good build's own files go on being prepared
            return
        finally:
            errors.stop()
        with lock:
            errors.clear()
            _replace_contents(served, staging)
            swaps[0] += 1
            live[0] = cfg.plugins["kbgen"].live  # type: ignore[attr-defined]
            built[0] = cfg

    class Server(LiveReloadServer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.observer = _observer(config.docs_dir, kwargs.get("polling_interval", 0.5))

        def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
            """As MkDocs' `watch` (paths counted, a rebuild for any change of a file), but only writes count:
            the build itself opens and reads every watched file."""
            path = os.path.abspath(path)
            if func is not None and func is not self.builder:
                raise TypeError("Plugins can no longer pass a 'func' parameter to watch().")
            self._watched_paths[path] = self._watched_paths.get(path, 0) + 1
            if self._watched_paths[path] > 1:
                return

            def changed(event: Any) -> None:
                if event.event_type not in _WRITES or (event.is_directory and event.event_type == "modified"):
                    return
                log.debug(str(event))
                with noted:
                    if event.is_directory or touched[0] is None:
                        touched[0] = None
                    else:
                        touched[0].update(p for p in (event.src_path, getattr(event, "dest_path", "")) if p)
                with self._rebuild_cond:
                    self._want_rebuild = True
                    self._rebuild_cond.notify_all()

            handler = FileSystemEventHandler()
            handler.on_any_event = changed  # type: ignore[method-assign]
            self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive, event_filter=_EVENTS)

        def _serve_request(self, environ: dict[str, Any], start_response: Any) -> Any:
            path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
            if (path + "/").startswith(self.mount_path) and not path.startswith("/livereload/"):
                with self._epoch_cond:  # not a page of the build that is being replaced
                    self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch)
                rel = path[len(self.mount_path) :]
                rel = posixpath.normpath("/" + rel).lstrip("/") + ("/index.html" if path.endswith("/") else "")
                # A page is built on request: if the served folder was replaced between building it and
                # opening it (a 404), it is built again in the new folder, so it never seems to vanish.
                for _ in range(3):
                    with lock:
                        seen = swaps[0]
                        pages = live[0]
                        if pages is not None:
                            pages.materialize(served, rel.lstrip("/").removeprefix("./"))
                    answer = super()._serve_request(environ, start_response)
                    if answer is not None or swaps[0] == seen:
                        return answer
                return answer
            return super()._serve_request(environ, start_response)

        def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
            content = super()._inject_js_into_html(content, epoch)
            return errors.inject(content)

    # Where there is no inotify: polled four times a second (MkDocs: twice), so an edit shows sooner.
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
        # As `mkdocs serve`: every plugin's (and hook's) serve event, then the configuration's `watch:` paths.
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
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
    """Make `served` hold what `staging` holds, the server keeping its root folder, so that a page that
    existed before is there (old or new) at every moment: each top-level entry is exchanged with its new
    version in one step where the system can, else every file is replaced by its new version in place."""
    _merge(staging, served)


def _merge(new: Path, old: Path) -> None:
    """Move every entry of the folder `new` into the folder `old`, drop what `old` has besides; `new` goes."""
    names = {child.name for child in new.iterdir()}
    for name in sorted(names):
        _put(new / name, old / name)
    for child in list(old.iterdir()):
        if child.name not in names:
            _remove(child)
    shutil.rmtree(new, ignore_errors=True)


def _put(new: Path, old: Path) -> None:
    """Move `new` to `old`'s place; the old version is dropped."""
    if not (old.exists() or old.is_symlink()):
        os.rename(new, old)
    elif new.is_dir() and old.is_dir() and not old.is_symlink():
        if exchange(new, old):
            _remove(new)  # the old version, now at the new one's name
        else:
            _merge(new, old)
    elif not new.is_dir() and not old.is_dir():
        os.replace(new, old)  # one step for a file
    else:
        _remove(old)
        os.rename(new, old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


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
