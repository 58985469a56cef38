"""kbgen holds language knowledge only: nothing of the demo shop (its products, SKUs, name) is in the package."""

from __future__ import annotations

import re

import yaml
from conftest import REPO

GENERIC = {"help", "center", "centre", "support", "docs"}  # the generic words of a site name


def needles() -> list[str]:
    products = yaml.safe_load((REPO / "content/products.yml").read_text(encoding="utf-8"))["products"]
    found: set[str] = set()
    for p in products:
        found.add(p["id"])
        names = p["name"] if isinstance(p["name"], dict) else {"en": p["name"]}
        found.update(names.values())
        found.update(p.get("skus", []))
    site_name = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["site_name"]
    found.add(site_name)
    found.update(w for w in re.findall(r"\w+", site_name) if w.lower() not in GENERIC)
    return sorted(found)


def test_no_product_id_product_name_sku_or_shop_name_of_the_demo_appears_in_the_package():
    patterns = {
        n: re.compile(r"(?<![\w-])" + re.escape(n).replace(r"\ ", r"[\s_-]+") + r"(?![\w-])", re.I) for n in needles()
    }
    assert len(patterns) >= 10
    hits = []
    for path in sorted((REPO / "kbgen").rglob("*")):
        if not path.is_file() or path.suffix in (".pyc", ".npz") or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for name, pattern in patterns.items():
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                hits.append(f"{path.relative_to(REPO)}:{line}: {name}")
    assert hits == []
