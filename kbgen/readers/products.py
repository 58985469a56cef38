"""products.yml: the product catalog, its SKUs and the post-purchase bundles.

This module reads the file and checks its own shape; whether the bundle
articles exist and may be sent is checked in `validate`, once articles are
loaded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..model import DEFAULT_STAGES, Product
from ..paths import ID_PATTERN, normalize_id
from ..problems import Problems
from ..text.yamlsource import YamlDoc, YamlError, load_yaml

PRODUCT_FIELDS = ("id", "name", "description", "skus", "bundles", "image")
TOP_FIELDS = ("stages", "products")
_STAGE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")


def load_products(path: Path, problems: Problems) -> tuple[tuple[str, ...], tuple[Product, ...], YamlDoc | None]:
    """(stages, products, the parsed file for line look-ups); a missing file means no products."""
    if not path.is_file():
        return DEFAULT_STAGES, (), None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        problems.error(path, 1, "file is not UTF-8 text")
        return DEFAULT_STAGES, (), None
    try:
        doc, duplicates = load_yaml(text)
    except YamlError as exc:
        problems.error(path, exc.line, exc.message)
        return DEFAULT_STAGES, (), None
    for line, key in duplicates:
        problems.error(path, line, f"key '{key}' is given twice")
    data = doc.data
    if data is None:
        return DEFAULT_STAGES, (), doc
    if not isinstance(data, dict):
        problems.error(path, 1, "products.yml must be a mapping with 'stages' and 'products'")
        return DEFAULT_STAGES, (), doc
    for key in data:
        if key not in TOP_FIELDS:
            problems.warning(path, doc.line_of(key), f"unknown key '{key}' (expected 'stages' and 'products')")

    stages = _stages(data.get("stages"), doc, path, problems)
    raw_products = data.get("products") or []
    if not isinstance(raw_products, list):
        problems.error(path, doc.line_of("products"), "'products' must be a list of products")
        return stages, (), doc

    products: list[Product] = []
    ids: dict[str, int] = {}
    skus: dict[str, tuple[str, int]] = {}
    for i, raw in enumerate(raw_products):
        line = doc.line_of("products", i)
        if not isinstance(raw, dict):
            problems.error(path, line, f"product {i + 1} must be a mapping with id, name, skus and bundles")
            continue
        product = _product(raw, i, doc, path, stages, problems)
        if product is None:
            continue
        if product.id in ids:
            problems.error(path, line, f"duplicate product id '{product.id}': also at line {ids[product.id]}")
            continue
        ids[product.id] = line
        for j, sku in enumerate(product.skus):
            sku_line = doc.line_of("products", i, "skus", j)
            if sku in skus and skus[sku][0] != product.id:
                other, other_line = skus[sku]
                problems.error(path, sku_line, f"SKU '{sku}' is used by '{other}' (line {other_line}) too")
            elif sku in skus:
                problems.error(path, sku_line, f"SKU '{sku}' is listed twice for '{product.id}'")
            else:
                skus[sku] = (product.id, sku_line)
        products.append(product)
    return stages, tuple(products), doc


def _stages(raw: Any, doc: YamlDoc, path: Path, problems: Problems) -> tuple[str, ...]:
    if raw is None:
        return DEFAULT_STAGES
    if not isinstance(raw, list) or not raw:
        problems.error(path, doc.line_of("stages"), "'stages' must be a list, like [shipped, delivered, day-7]")
        return DEFAULT_STAGES
    stages: list[str] = []
    for i, stage in enumerate(raw):
        if not isinstance(stage, str) or not _STAGE.fullmatch(stage):
            problems.error(
                path, doc.line_of("stages", i), f"stage '{stage}' must be lowercase letters, digits and hyphens"
            )
        elif stage in stages:
            problems.error(path, doc.line_of("stages", i), f"stage '{stage}' is listed twice")
        else:
            stages.append(stage)
    return tuple(stages) or DEFAULT_STAGES


def _localized(value: Any) -> dict[str, str] | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return {"": str(value)}
    if isinstance(value, dict) and value and all(isinstance(v, (str, int, float)) for v in value.values()):
        return {str(k): str(v) for k, v in value.items()}
    return None


def _product(
    raw: dict[str, Any], i: int, doc: YamlDoc, path: Path, stages: tuple[str, ...], problems: Problems
) -> Product | None:
    def line(*more: str | int) -> int:
        return doc.line_of("products", i, *more)

    for key in raw:
        if key not in PRODUCT_FIELDS:
            problems.warning(path, line(key), f"unknown product field '{key}'")
    product_id = raw.get("id")
    if product_id is None:
        problems.error(path, line(), f"product {i + 1} has no 'id'")
        return None
    if not isinstance(product_id, str) or not ID_PATTERN.fullmatch(product_id):
        problems.error(
            path, line("id"), f"invalid product id '{product_id}': use lowercase letters, digits and hyphens"
        )
        return None
    names = _localized(raw.get("name"))
    if names is None:
        problems.error(path, line("name") if "name" in raw else line(), f"product '{product_id}' needs a name")
        names = {"": product_id}
    descriptions = _localized(raw.get("description")) or {}
    if "description" in raw and not descriptions:
        problems.error(path, line("description"), "'description' must be text, or a mapping of language → text")

    skus: list[str] = []
    raw_skus = raw.get("skus") or []
    if not isinstance(raw_skus, list):
        problems.error(path, line("skus"), "'skus' must be a list")
        raw_skus = []
    for j, sku in enumerate(raw_skus):
        if isinstance(sku, (str, int)) and not isinstance(sku, bool) and str(sku).strip():
            skus.append(str(sku).strip())
        else:
            problems.error(path, line("skus", j), f"SKU {j + 1} of '{product_id}' must be text")

    bundles: dict[str, tuple[str, ...]] = {}
    bundle_lines: dict[str, tuple[int, ...]] = {}
    raw_bundles = raw.get("bundles") or {}
    if not isinstance(raw_bundles, dict):
        problems.error(path, line("bundles"), "'bundles' must map each stage to a list of article ids")
        raw_bundles = {}
    for stage, ids in raw_bundles.items():
        if stage not in stages:
            problems.error(
                path, line("bundles", stage), f"unknown stage '{stage}': expected one of {', '.join(stages)}"
            )
            continue
        if ids is None:
            ids = []
        if not isinstance(ids, list):
            ids = [ids]
        good: list[str] = []
        lines: list[int] = []
        for j, value in enumerate(ids):
            article_id = normalize_id(value)
            item_line = line("bundles", stage, j) if isinstance(raw_bundles[stage], list) else line("bundles", stage)
            if article_id is None:
                problems.error(path, item_line, f"'{value}' is not an article id")
            elif article_id in good:
                problems.warning(path, item_line, f"article {article_id} is listed twice in the '{stage}' bundle")
            else:
                good.append(article_id)
                lines.append(item_line)
        bundles[stage] = tuple(good)
        bundle_lines[stage] = tuple(lines)
    return Product(
        id=product_id,
        names=names,
        descriptions=descriptions,
        skus=tuple(skus),
        bundles=bundles,
        bundle_lines=bundle_lines,
        line=line(),
    )
