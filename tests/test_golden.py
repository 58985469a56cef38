"""A small help center built whole and compared, file by file and byte by byte, with the output committed in
tests/golden/expected/ (as Pelican's tests do): any change of what a build writes shows here.

After an intended change, refresh it and read the diff before committing:

    python tests/test_golden.py --refresh

Files the build copies as they are, the search index's token files (search/<lang>/m/t/, one per slice of
the model's vocabulary: thousands of files that change only with the model) and the theme's assets/, are kept
as one digest, tests/golden/expected/COPIED.sha256.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "golden" / "source"
EXPECTED = HERE / "golden" / "expected"
DIGEST = "COPIED.sha256"


def _is_copied(rel: Path) -> bool:
    tokens = len(rel.parts) >= 4 and rel.parts[0] == "search" and rel.parts[2:4] == ("m", "t")
    return tokens or rel.parts[0] == "assets"


def build(work: Path) -> dict[str, bytes]:
    """Every file the build writes, by path; the files it copies as they are, as one digest."""
    shutil.copytree(SOURCE, work)
    subprocess.run(
        [sys.executable, "-c", "from kbgen.cli.main import main; main()", "build", "--strict"],
        cwd=work,
        check=True,
        capture_output=True,
    )
    site = work / "site"
    out: dict[str, bytes] = {}
    copied = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site)
        if _is_copied(rel):
            copied.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        else:
            out[rel.as_posix()] = path.read_bytes()
    out[DIGEST] = copied.hexdigest().encode() + b"\n"
    return out


def expected() -> dict[str, bytes]:
    return {p.relative_to(EXPECTED).as_posix(): p.read_bytes() for p in sorted(EXPECTED.rglob("*")) if p.is_file()}


def test_a_small_help_center_builds_exactly_the_committed_output(tmp_path):
    built, wanted = build(tmp_path / "kb"), expected()
    assert sorted(built) == sorted(wanted), "files written differ (refresh: python tests/test_golden.py --refresh)"
    changed = [name for name in built if built[name] != wanted[name]]
    assert not changed, f"files whose bytes differ: {changed} (refresh: python tests/test_golden.py --refresh)"


if __name__ == "__main__":
    if sys.argv[1:] != ["--refresh"]:
        sys.exit(__doc__)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp) / "kb")
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for name, data in files.items():
        (EXPECTED / name).parent.mkdir(parents=True, exist_ok=True)
        (EXPECTED / name).write_bytes(data)
    print(f"{EXPECTED}: {len(files)} files")
