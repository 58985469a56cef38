"""Build and serve through MkDocs, publishing a site only once it is complete.

`kbgen build` renders into a fresh folder beside the site folder and swaps it
in at the end, so a failed or interrupted build never damages the last good
site (plain `mkdocs build` empties the site folder first).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.exceptions import Abort, BuildError, ConfigurationError, PluginError

from .problems import KbgenError
from .project import open_config


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


def _swap_in(staging: Path, target: Path) -> None:
    """Replace `target` by `staging` with two renames; the old site is removed only afterwards."""
    os.chmod(staging, 0o755)
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.kbgen-old-", dir=target.parent))
        os.rename(target, old / target.name)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, target)


def serve_site(
    config_file: str | Path = "mkdocs.yml",
    *,
    dev_addr: str | None = None,
    audience: str | None = None,
    open_browser: bool = False,
) -> None:
    from mkdocs.commands.serve import serve

    open_config(config_file)  # a clear error before the server starts
    if audience:
        os.environ["KBGEN_AUDIENCE"] = audience
    kwargs = {"dev_addr": dev_addr} if dev_addr else {}
    try:
        serve(str(config_file), livereload=True, open_in_browser=open_browser, **kwargs)
    except (Abort, BuildError, PluginError, ConfigurationError) as exc:
        raise KbgenError(str(exc).strip()) from None
