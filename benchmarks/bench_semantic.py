#!/usr/bin/env python3
"""Ranking by meaning on a 10,000-article knowledge base: `kbgen link --semantic` and `kbgen gaps --semantic`.

    HF_HUB_OFFLINE=1 python3 benchmarks/bench_semantic.py [-n 10000] [--runs 5] [--queries 50]
                                                          [--tickets 10000] [--cold] [--gaps-runs 1]

Needs the extra (`pip install "kbgen[semantic]"`). Uses the corpus of bench_build.py
(../shared/bench/gen_corpus.py, English plus French, kept in /tmp) and times, as separate processes:

- `kbgen link --semantic QUERY` the first time (every article's embedding is computed: minutes; only
  when no embedding is cached yet, or with --cold, which deletes them first), then warm (median of --runs);
- one query through the Python API once loaded (`open_link_index(..., ranking="semantic")` then
  `link()`), median and p95 over --queries different customer-worded queries, in a child process;
- `kbgen gaps --semantic` on --tickets tickets (a seeded CSV written to /tmp from the corpus' own titles,
  FAQ questions and vocabulary plus customer phrasing, 15 % in French, some about things no article
  covers), with the articles' embeddings cached; and `kbgen gaps --words` for comparison.

It prints the median of the runs, the peak memory of each process and the target of issue 10 beside each.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_build import GEN, corpus, run  # the same corpora, in the same place, as the build benchmark

HERE = Path(__file__).resolve().parent

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# What customers write, with {a} {b} {c} the things they are about (words of an article's title and
# summary) and {v} something they try to do. English, then French; each a sentence of a ticket.
QUERY_TEMPLATES = [
    "my {a} keeps blinking and the {b} won't turn on",
    "how do i get the {a} to work with my {b} again",
    "the {a} stopped working after i changed the {b}",
    "where can i find the {a} settings for the {b}",
    "{a} making a weird noise when i use the {b}",
    "can't {v} the {a}, it just shows an error",
    "i want to send back the {a} because the {b} is broken",
    "is it normal that the {a} gets hot near the {b}",
    "nothing happens when i press the {a} on the {b}",
    "the {a} and the {b} don't talk to each other anymore",
    "what do i do when the {a} says {b} {c}",
    "how often should i {v} the {a}",
]
VERBS = ["reset", "calibrate", "install", "descale", "update", "charge", "clean", "pair", "mount", "replace"]
EN_SUBJECTS = [
    "{A} not working",
    "Problem with the {a} {b}",
    "Question about {title}",
    "{Title}?",
    "help with {a}",
    "{A} {b} issue",
    "urgent: {a} won't {v}",
    "{title} - still broken",
    "How to {v} the {a}?",
]
EN_CORE = [
    "I followed the guide about {title} but the {a} still shows an error.",
    "My {a} has had a problem with the {b} since {day}. I tried to {v} it but nothing changed.",
    "{question}",
    "How do I {v} the {a} on my {product}?",
    "The {a} light keeps blinking and the {b} won't start.",
    "I can't find where to change the {a} {b} in the app.",
    "After the firmware update the {a} and the {b} stopped working together.",
    "The {a} came loose and now the {b} doesn't {v} at all.",
    "Every time I use the {a} the {b} turns off after a few seconds.",
    "Is there a way to {v} the {a} without the {b}?",
]
EN_CONTEXT = [
    "I bought it {months} months ago.",
    "I've already tried turning it off and on again.",
    "This is really frustrating, I use it every day.",
    "My order number is #{order}.",
    "It worked fine until last {day}.",
    "I checked the manual but it doesn't say anything about this.",
    "My partner has the same problem with theirs.",
]
FR_SUBJECTS = ["Problème de {a}", "{A} ne marche pas", "Question sur {title}", "Aide {a} {b}", "{A} en panne"]
FR_CORE = [
    "Mon {a} ne fonctionne plus depuis la mise à jour du {b}.",
    "Comment faire le {v} du {a} ? Le voyant {b} clignote.",
    "J'ai un problème avec {title} et je ne trouve pas la solution.",
    "Le {a} s'arrête tout seul quand j'utilise le {b}.",
    "Où trouver le réglage {a} {b} dans l'application ?",
    "Le {a} fait un bruit bizarre et le {b} ne marche pas.",
]
FR_CONTEXT = ["Je l'ai acheté il y a {months} mois.", "Ma commande est la #{order}.", "J'ai déjà tout essayé."]
# Questions no article of the corpus answers: they should come out as gaps.
GAPS_EN = [
    ("Student discount?", "Do you offer a student discount on your products? I'm at university."),
    ("Gift wrapping", "Can you gift wrap my order and add a birthday message for my sister?"),
    ("Paint chipping", "The paint is chipping off the side of my unit after a month, it looks awful."),
    ("Burnt smell", "There's a smell of burnt plastic coming from the back when it runs for a while."),
    ("Pet hair", "Dog hair gets tangled everywhere and clogs it, is there a pet version?"),
    ("Price match", "I saw it cheaper at another shop, do you price match?"),
    ("Bulk order for the office", "We'd like to order twenty for our office, do you do business pricing?"),
    ("Dark mode", "Please add a dark mode to the app, it's too bright at night."),
    ("Left-handed version", "Is there a left-handed version? The handle is awkward for me."),
    ("Recycling old unit", "How do I recycle my old unit, do you take it back?"),
    ("Made where?", "Where are your products manufactured and are they made ethically?"),
    ("Rust spots", "Little rust spots appeared on the metal parts, is that normal?"),
]
GAPS_FR = [
    ("Réduction étudiant ?", "Bonjour, proposez-vous une réduction pour les étudiants ?"),
    ("Emballage cadeau", "Est-il possible d'avoir un emballage cadeau avec un petit mot ?"),
    ("Odeur de brûlé", "Il y a une odeur de plastique brûlé quand il tourne longtemps."),
]
GREETINGS = ["Hi,", "Hello,", "Hi there,", "Good morning,", "Dear support team,"]
CLOSINGS = ["Thanks", "Thank you!", "Thanks in advance,", "Regards,", "Kind regards,", "Cheers"]
FR_GREETINGS = ["Bonjour,", "Bonsoir,"]
FR_CLOSINGS = ["Merci", "Merci d'avance", "Cordialement"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIELDS = ["Id", "Subject", "Description", "Status", "Priority", "Requester", "Created at", "Tags", "Product", "SKU"]


def vocabulary() -> list[str]:
    spec = importlib.util.spec_from_file_location("gen_corpus", GEN)
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return list(gen.WORDS)


def articles(root: Path, lang: str) -> list[dict]:
    """Title, summary words, FAQ questions and products of every article of `lang`, sorted by path."""
    found = []
    for path in sorted((root / "content" / lang).rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        title = re.search(r'^title: "(.*)"$', text, re.M)
        if not title:
            continue
        summary = re.search(r'^summary: "(.*)"$', text, re.M)
        products = re.search(r"^products: \[(.*)\]$", text, re.M)
        found.append(
            {
                "title": title.group(1),
                "words": (title.group(1) + " " + (summary.group(1) if summary else "")).lower().split(),
                "questions": re.findall(r"^## (.+\?)$", text, re.M),
                "products": [p.strip() for p in products.group(1).split(",")] if products else [],
            }
        )
    return found


def queries(root: Path, n: int, seed: int = 3) -> list[str]:
    """n different customer-worded questions, each about one article (its words, other phrasing)."""
    r = random.Random(seed)
    pool = articles(root, "en")
    found: list[str] = []
    while len(found) < n:
        a = r.choice(pool)
        a_, b, c = r.sample(sorted(set(a["words"])), 3) if len(set(a["words"])) >= 3 else (a["words"] * 3)[:3]
        q = r.choice(QUERY_TEMPLATES).format(a=a_, b=b, c=c, v=r.choice(VERBS))
        if q not in found:
            found.append(q)
    return found


def tickets(root: Path, n: int, seed: int = 11) -> Path:
    """A ticket export of `n` tickets about the corpus' articles (seeded: the same file on every run)."""
    out = Path(tempfile.gettempdir()) / f"{root.name}-tickets-{n}.csv"
    if out.is_file():
        return out
    r = random.Random(seed)
    en, fr = articles(root, "en"), articles(root, "fr")
    # Support questions cluster: a few hundred popular articles get most tickets (Zipf), the rest a few.
    popular = r.sample(range(len(en)), min(400, len(en)))
    weights = [1 / (k + 1) for k in range(len(popular))]
    rows = []
    for i in range(n):
        lang = "fr" if r.random() < 0.15 else "en"
        roll = r.random()
        if roll < 0.08:  # nothing answers it
            subject, body = r.choice(GAPS_FR if lang == "fr" else GAPS_EN)
            if r.random() < 0.5:
                body = ""
            product = f"product-{r.randrange(50):03d}" if r.random() < 0.4 else ""
        else:
            popular_en = roll < 0.75 and lang == "en"
            a = en[r.choices(popular, weights)[0]] if popular_en else r.choice(fr if lang == "fr" else en)
            words = sorted(set(a["words"]))
            a_, b, c = (r.sample(words, 3) if len(words) >= 3 else (words * 3)[:3]) if words else ("device",) * 3
            product = r.choice(a["products"]) if a["products"] else ""
            thing = f"Product {int(product[-3:])}" if product else "device"
            values = {
                "a": a_, "b": b, "c": c, "A": a_.capitalize(), "v": r.choice(VERBS), "title": a["title"].lower(),
                "Title": a["title"], "day": r.choice(DAYS), "months": r.randrange(2, 20),
                "order": r.randrange(100200, 199999), "product": thing,
                "question": r.choice(a["questions"]) if a["questions"] else f"How do I {r.choice(VERBS)} the {a_}?",
            }  # fmt: skip
            subject = r.choice(FR_SUBJECTS if lang == "fr" else EN_SUBJECTS).format(**values)
            shape = r.random()
            if shape < 0.1:
                body = ""  # subject only
            else:
                core = FR_CORE if lang == "fr" else EN_CORE
                context = FR_CONTEXT if lang == "fr" else EN_CONTEXT
                sentences = [r.choice(core).format(**values)]
                if shape >= 0.5:  # two to three sentences, a greeting, a closing
                    sentences.append(r.choice(context).format(**values))
                if shape >= 0.85:  # a short paragraph: the customer explains twice
                    sentences += [r.choice(core).format(**values), r.choice(context).format(**values)]
                if shape >= 0.5:
                    hello, bye = (FR_GREETINGS, FR_CLOSINGS) if lang == "fr" else (GREETINGS, CLOSINGS)
                    sentences = [r.choice(hello), " ".join(sentences), r.choice(bye)]
                body = "\n\n".join(sentences)
        if r.random() < 0.2:
            subject = subject.lower()
        show = r.random()
        rows.append(
            {
                "Id": str(50000 + i),
                "Subject": subject,
                "Description": body,
                "Status": r.choice(["solved", "solved", "closed", "open", "pending"]),
                "Priority": r.choice(["normal", "normal", "low", "high"]),
                "Requester": f"customer{r.randrange(100000)}@example.com",
                "Created at": f"2026-{1 + i * 12 // n:02d}-{1 + r.randrange(28):02d} {r.randrange(7, 22):02d}:00",
                "Tags": " ".join(sorted({r.choice(["web", "email", "chat"]), *(["french"] if lang == "fr" else [])})),
                "Product": f"Product {int(product[-3:])}" if product and show < 0.5 else "",
                "SKU": f"SKU-{int(product[-3:]):04d}-{r.choice('AB')}" if product and 0.5 <= show < 0.75 else "",
            }
        )
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(out)
    return out


def api(root: Path, n: int) -> None:
    """In a child process: load once, then time `n` queries; prints JSON."""
    from kbgen.linker import link, open_link_index

    asked = queries(root, n + 1)
    start = time.perf_counter()
    index = open_link_index(root / "mkdocs.yml", None, "semantic")
    link(index, asked[0])  # the first query also loads the query encoder
    load = time.perf_counter() - start
    assert index.ranking() == "semantic+words", index.ranking()
    times = []
    for q in asked[1:]:
        t = time.perf_counter()
        link(index, q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(json.dumps({"load": load, "median": statistics.median(times), "p95": times[int(len(times) * 0.95)],
                      "worst": times[-1], "n": len(times)}))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000, help="articles in the default language")
    ap.add_argument("--langs", default="en,fr")
    ap.add_argument("--runs", type=int, default=5, help="warm `kbgen link` runs")
    ap.add_argument("--queries", type=int, default=50, help="queries through the Python API")
    ap.add_argument("--tickets", type=int, default=10_000)
    ap.add_argument("--gaps-runs", type=int, default=1)
    ap.add_argument("--cold", action="store_true", help="delete the cached embeddings first, to time the first use")
    ap.add_argument("--no-gaps", action="store_true")
    ap.add_argument("--api", metavar="ROOT", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.api:
        api(Path(a.api), a.queries)
        return
    py = sys.executable
    root = corpus(a.n, a.langs)
    cache = root / ".kbgen-cache"
    kbgen = [py, "-m", "kbgen.cli"]
    asked = queries(root, max(a.runs, 1) + 1, seed=5)
    print(f"{a.n} articles per default language (languages {a.langs}), {root}")

    if a.cold:
        for f in cache.glob("semantic-*.pickle"):
            f.unlink()
    if not any(cache.glob("semantic-*.pickle")):
        t, m = run([*kbgen, "link", "--semantic", asked[0]], root)
        print(f"  kbgen link --semantic, first use (embeds every article)  {t:8.1f} s   peak {m:6.0f} MB")
    else:
        print("  kbgen link --semantic, first use: embeddings already cached (--cold to time it)")

    times, peaks = [], []
    for q in asked[1 : a.runs + 1]:
        t, m = run([*kbgen, "link", "--semantic", q], root)
        times.append(t)
        peaks.append(m)
    print(
        f"  kbgen link --semantic, warm, median of {len(times)}         {statistics.median(times):8.2f} s   "
        f"peak {max(peaks):6.0f} MB   (target ≤ 2 s; runs {', '.join(f'{x:.2f}' for x in times)})"
    )

    child = subprocess.Popen(
        [py, __file__, "--api", str(root), "--queries", str(a.queries)], stdout=subprocess.PIPE, cwd=HERE
    )
    out = child.stdout.read() if child.stdout else b""
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("the API benchmark failed")
    r = json.loads(out)
    print(
        f"  Python API: load + first query {r['load']:.2f} s; per query over {r['n']} queries: median "
        f"{r['median']:.1f} ms, p95 {r['p95']:.1f} ms, worst {r['worst']:.1f} ms   "
        f"peak {usage.ru_maxrss / 1024:6.0f} MB   (target ≤ 50 ms)"
    )

    if a.no_gaps:
        return
    csv_file = tickets(root, a.tickets)
    report = Path(tempfile.gettempdir()) / f"{root.name}-gaps.json"
    for how, target in (("--semantic", "   (target ≤ 60 s)"), ("--words", "")):
        times, peaks = [], []
        for _ in range(a.gaps_runs):
            t, m = run([*kbgen, "gaps", how, str(csv_file), "--format", "json", "-o", str(report)], root)
            times.append(t)
            peaks.append(m)
        data = json.loads(report.read_text(encoding="utf-8"))
        print(
            f"  kbgen gaps {how:<10} {data['tickets']} tickets, median of {len(times)}   "
            f"{statistics.median(times):8.1f} s   peak {max(peaks):6.0f} MB{target}   "
            f"(answered {data['answered']['share']:.0%}, {len(data['gaps'])} gaps)"
        )


if __name__ == "__main__":
    main()
