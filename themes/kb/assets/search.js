/* kbgen site search: the same ranking as `kbgen link`, over a static index split into small files.
 *
 * search/<lang>/index.json   manifest: shard prefixes, stop words, synonyms
 * search/<lang>/w/<p>.json   words starting with <p> → stem, and stems starting with <p> → postings
 * search/<lang>/d/<n>.json   documents chunk·n … chunk·n+chunk−1: [id, title, type, summary, url, anchor, faq title]
 *
 * search/<lang>/m/...         the meaning index (kbgen/meaning.py): token vectors, centroids, clusters
 *
 * A query downloads the manifest, the shards of its words, the vectors of its tokens, the clusters of
 * documents nearest to it and the chunks of its best documents: nothing else, however large the help
 * center. The scoring mirrors kbgen/search.py and kbgen/meaning.py, number for number.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !("normalize" in String.prototype)) return;
  var root = new URL(script.getAttribute("data-root") || ".", location.href);
  var WORD = /[\p{L}\p{N}]+/gu;
  var COMPOUND = /(?<![\p{L}\p{N}])([\p{L}\p{N}]{2,4})-([\p{L}\p{N}]{2,4})(?![\p{L}\p{N}])/gu;
  var MARKS = /\p{M}/gu;
  var cache = {};

  /* Each file of the index is fetched once: as JSON, or as bytes (the meaning index's .bin files). */
  function get(path, bytes) {
    if (!cache[path]) {
      cache[path] = fetch(new URL(path, root)).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return bytes ? r.arrayBuffer() : r.json();
      });
    }
    return cache[path];
  }
  function getJSON(path) { return get(path, false); }
  function getBytes(path) { return get(path, true); }

  function fold(s) { return s.normalize("NFKD").replace(MARKS, ""); }
  function code(w) {
    return /^\p{L}/u.test(w) && /\d$/.test(w) ? w.replace(/(?<=[a-z])0+(?=\d)/g, "") : w;
  }
  function shardName(p) {
    return /^[a-z0-9]+$/.test(p) ? p : "x" + Array.from(p).map(function (c) { return c.codePointAt(0).toString(16); }).join("-");
  }

  function Index(lang, manifest) {
    this.lang = lang;
    this.m = manifest;
    this.prefixes = new Set(manifest.shards);
    this.stop = new Set(manifest.stopwords);
    this.meaning = manifest.meaning ? new Meaning(lang, manifest.meaning) : null;
  }
  var APOSTROPHE = /(?<=[^\P{L}])['’](?=[^\P{L}])/gu;
  Index.prototype.words = function (text) {
    var lower = text.toLowerCase(), stop = this.stop, out = [];
    /* English contractions are one word ("won't" → "wont"); elsewhere an apostrophe elides ("l'eau"). */
    lower = lower.replace(APOSTROPHE, this.m.apostrophe === "join" ? "" : " ");
    function add(token) { var w = code(fold(token)); if (w && !stop.has(w)) out.push(w); }
    (lower.match(WORD) || []).forEach(add);
    if (lower.indexOf("-") >= 0) {
      var m; COMPOUND.lastIndex = 0;
      while ((m = COMPOUND.exec(lower))) add(m[1] + m[2]);
    }
    return out;
  };
  Index.prototype.shardOf = function (word) {
    for (var n = Math.min(word.length, 6); n > 1; n--) if (this.prefixes.has(word.slice(0, n))) return word.slice(0, n);
    return word.slice(0, 2);
  };
  Index.prototype.shard = function (prefix) {
    if (!this.prefixes.has(prefix)) return Promise.resolve({ w: {}, p: {} });
    return getJSON("search/" + this.lang + "/w/" + shardName(prefix) + ".json");
  };
  /* Shards that may hold words starting with `word`: its own, and longer ones under it. */
  Index.prototype.shardsUnder = function (word) {
    var own = this.shardOf(word), found = [own];
    this.prefixes.forEach(function (p) { if (p !== own && p.length > own.length && p.indexOf(word) === 0) found.push(p); });
    return found;
  };
  Index.prototype.postings = function (stem) {
    return this.shard(this.shardOf(stem)).then(function (s) { return s.p[stem] || null; });
  };

  function closest(word, candidates) {
    var limit = word.length < 8 ? 1 : 2, found = [];
    candidates.forEach(function (other) {
      if (Math.abs(other.length - word.length) > limit) return;
      var d = distance(word, other, limit);
      if (d <= limit) found.push([d, other]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    return found.map(function (x) { return x[1]; });
  }
  /* Optimal string alignment distance: a swap of two neighbouring letters counts as one edit. */
  function distance(a, b, limit) {
    var before = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], before[j - 2] + 1);
        if (cur[j] < best) best = cur[j];
      }
      if (best > limit) return limit + 1;
      before = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  /* -- meaning: static token embeddings, as kbgen/meaning.py -------------------------------------- */

  var CONTROL = /\p{C}/u, SPACE = /\s/u, PUNCT = /\p{P}/u, MN = /\p{Mn}/u;
  function isCjk(cp) {
    return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
      (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
  }
  /* BERT's normalizer and pre-tokenizer, as the `tokenizers` library applies them (tested against it). */
  function bertWords(text, lowercase, stripAccents) {
    var out = "";
    Array.from(text).forEach(function (ch) {
      var cp = ch.codePointAt(0);
      if (cp === 0 || cp === 0xfffd || (CONTROL.test(ch) && ch !== "\t" && ch !== "\n" && ch !== "\r")) return;
      if (SPACE.test(ch)) out += " ";
      else if (isCjk(cp)) out += " " + ch + " ";
      else out += ch;
    });
    if (stripAccents) out = Array.from(out.normalize("NFD")).filter(function (c) { return !MN.test(c); }).join("");
    if (lowercase) out = Array.from(out).map(function (c) { return c.toLowerCase(); }).join("");
    var words = [], current = "";
    Array.from(out).forEach(function (ch) {
      var cp = ch.codePointAt(0);
      if (SPACE.test(ch)) { if (current) words.push(current); current = ""; }
      else if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || PUNCT.test(ch)) {
        if (current) words.push(current);
        current = "";
        words.push(ch);
      } else current += ch;
    });
    if (current) words.push(current);
    return words;
  }

  function Meaning(lang, m) {
    this.lang = lang;
    this.m = m;
    this.base = "search/" + lang + "/m/";
  }
  /* The token file that holds `token`: the last whose first token is not after it. */
  Meaning.prototype.fileOf = function (token) {
    var firsts = this.m.tokens, lo = 0, hi = firsts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (firsts[mid] <= token) lo = mid; else hi = mid - 1;
    }
    return lo;
  };
  Meaning.prototype.tokenFile = function (n) {
    var dims = this.m.dims, key = "t" + n;
    if (!this[key]) {
      this[key] = getBytes(this.base + "t/" + n + ".bin").then(function (buffer) {
        var view = new DataView(buffer), bytes = new Uint8Array(buffer), decoder = new TextDecoder();
        var count = view.getUint16(0, true), at = 2, found = new Map();
        for (var i = 0; i < count; i++) {
          var length = bytes[at];
          var token = decoder.decode(bytes.subarray(at + 1, at + 1 + length));
          at += 1 + length;
          var magnitude = view.getUint16(at, true);
          found.set(token, { token: token, magnitude: magnitude, direction: new Int8Array(buffer, at + 2, dims) });
          at += 2 + dims;
        }
        return found;
      });
    }
    return this[key];
  };
  /* WordPiece: the longest known piece first; a word with an unknown part counts for nothing. The file of
   * the longest piece is fetched first: most words are a token of their own, and need no other file. */
  Meaning.prototype.pieces = async function (word) {
    var chars = Array.from(word), found = [], start = 0, self = this;
    if (chars.length > 100) return [];
    while (start < chars.length) {
      var candidates = [];
      for (var end = chars.length; end > start; end--) {
        var piece = chars.slice(start, end).join("");
        candidates.push([end, start ? "##" + piece : piece]);
      }
      var match = null;
      var first = await this.tokenFile(this.fileOf(candidates[0][1]));
      if (first.has(candidates[0][1])) match = [candidates[0][0], first.get(candidates[0][1])];
      if (!match) {
        var files = {};
        candidates.forEach(function (c) { files[self.fileOf(c[1])] = true; });
        var loaded = {};
        await Promise.all(Object.keys(files).map(function (n) {
          return self.tokenFile(n).then(function (f) { loaded[n] = f; });
        }));
        for (var k = 1; k < candidates.length && !match; k++) {
          var hit = loaded[self.fileOf(candidates[k][1])].get(candidates[k][1]);
          if (hit) match = [candidates[k][0], hit];
        }
      }
      if (!match) return [];
      found.push(match[1]);
      start = match[0];
    }
    return found;
  };
  /* The query's vector: the exact integer sum of its tokens' vectors. */
  Meaning.prototype.vector = async function (query) {
    var self = this, m = this.m, q = new Float64Array(m.dims), any = false;
    var words = bertWords(query, m.lowercase, m.strip_accents);
    var pieces = await Promise.all(words.map(function (w) { return self.pieces(w); }));
    pieces.forEach(function (list) {
      list.forEach(function (t) {
        any = true;
        for (var j = 0; j < m.dims; j++) q[j] += t.magnitude * t.direction[j];
      });
    });
    return any ? q : null;
  };
  function dot(q, vectors, row, dims) {
    var s = 0, dd = 0, at = row * dims;
    for (var j = 0; j < dims; j++) { var x = vectors[at + j]; s += x * q[j]; dd += x * x; }
    return s / Math.sqrt(dd > 0 ? dd : 1);
  }
  /* Each scored document's q·d/|d| (the nearest clusters only); null when no token is known. */
  Meaning.prototype.scores = async function (query) {
    var m = this.m, dims = m.dims, q = await this.vector(query);
    if (!q) return null;
    var clusters = [0];
    if (m.clusters > 1) {
      var centroids = new Int8Array(await getBytes(this.base + "c.bin")), order = [];
      for (var c = 0; c < m.clusters; c++) order.push([c, dot(q, centroids, c, dims)]);
      order.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
      clusters = order.slice(0, m.probe).map(function (x) { return x[0]; });
    }
    var self = this, scores = new Map();
    var files = await Promise.all(clusters.map(function (c) { return getBytes(self.base + c + ".bin"); }));
    files.forEach(function (buffer) {
      var view = new DataView(buffer), count = view.getUint32(0, true), vectors;
      if (m.bits === 4) {  /* two components a byte, the first in the low nibble, two's complement */
        var packed = new Uint8Array(buffer, 4 + 4 * count), width = (dims + 1) >> 1;
        vectors = new Int8Array(count * dims);
        for (var r = 0; r < count; r++) {
          for (var j = 0; j < dims; j++) {
            var byte = packed[r * width + (j >> 1)], nib = j & 1 ? byte >> 4 : byte & 15;
            vectors[r * dims + j] = nib >= 8 ? nib - 16 : nib;
          }
        }
      } else vectors = new Int8Array(buffer, 4 + 4 * count, count * dims);
      for (var i = 0; i < count; i++) scores.set(view.getUint32(4 + 4 * i, true), dot(q, vectors, i, dims));
    });
    return scores;
  };

  /* meaning.fuse(): weight × min-max(words) + (1 − weight) × min-max(meaning), over the best of each. */
  function fuse(words, meaning, weight, candidates) {
    function best(map) {
      return Array.from(map).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; }).slice(0, candidates)
        .map(function (e) { return e[0]; });
    }
    var byWords = best(words), byMeaning = best(meaning), all = new Set(byWords.concat(byMeaning));
    var out = new Map();
    if (!all.size) return out;
    var topW = byWords.length ? words.get(byWords[0]) : 0, lowW = Infinity, lowM = Infinity, scored = false;
    all.forEach(function (d) {
      lowW = Math.min(lowW, words.has(d) ? words.get(d) : 0);
      if (meaning.has(d)) { lowM = Math.min(lowM, meaning.get(d)); scored = true; }
    });
    if (!scored) lowM = 0;
    var topM = byMeaning.length ? meaning.get(byMeaning[0]) : 0;
    var spanW = (topW - lowW) || 1, spanM = (topM - lowM) || 1;
    all.forEach(function (d) {
      var w = words.has(d) ? words.get(d) : 0, s = meaning.has(d) ? meaning.get(d) : lowM;
      out.set(d, weight * (w - lowW) / spanW + (1 - weight) * (s - lowM) / spanM);
    });
    return out;
  }

  /* For each query word, {stem: weight}, as query_terms() in kbgen/search.py. */
  Index.prototype.terms = async function (query) {
    var self = this, weights = this.m.weights;
    var raw = this.words(query);
    var shards = await Promise.all(raw.map(function (w) { return self.shard(self.shardOf(w)); }));
    var corrected = new Set(), stemmed = {};
    /* A form the help center never uses stands for the longest known stem it starts with. */
    async function knownStemOf(word) {
      for (var n = word.length; n >= Math.max(4, word.length - 4); n--) {
        var stem = word.slice(0, n);
        if ((await self.postings(stem)) !== null) return stem;
      }
      return "";
    }
    var words = [];
    for (var r = 0; r < raw.length; r++) {
      var w = raw[r], lex = shards[r].w;
      if (lex[w] || w.length < 4) { words.push(w); continue; }
      var guess = closest(w, Object.keys(lex))[0];
      if (guess) { corrected.add(guess); words.push(guess); continue; }
      var ownStem = await knownStemOf(w);
      if (ownStem) stemmed[w] = ownStem;
      words.push(w);
    }
    /* The last word is still being typed unless the help center knows it (or a space follows). */
    var lastOpen = raw.length > 0 && !/\s$/.test(query) && !shards[raw.length - 1].w[raw[raw.length - 1]];
    var terms = [], i = 0;
    async function stemOf(w) {
      if (stemmed[w]) return stemmed[w];
      var s = await self.shard(self.shardOf(w));
      return s.w[w] || null;
    }
    async function known(stem) { return stem && (await self.postings(stem)) !== null; }
    while (i < words.length) {
      var options = {}, span = 1;
      for (var g = 0; g < this.m.synonyms.length; g++) {
        var group = this.m.synonyms[g];
        for (var p = 0; p < group.phrases.length; p++) {
          var phrase = group.phrases[p];
          if (phrase.length >= span && phrase.every(function (w, k) { return words[i + k] === w; })) {
            span = phrase.length;
            for (var s = 0; s < group.stems.length; s++) {
              if (await known(group.stems[s])) options[group.stems[s]] = Math.max(options[group.stems[s]] || 0, weights.synonym);
            }
          }
        }
      }
      for (var k = i; k < i + span; k++) {
        var stem = await stemOf(words[k]);
        /* A guessed spelling counts less than a word the customer actually typed. */
        if (await known(stem)) options[stem] = Math.max(options[stem] || 0, corrected.has(words[k]) ? weights.fuzzy : 1);
      }
      var word = words[i + span - 1];
      if (lastOpen && i + span === words.length && word.length >= 3) {
        var under = await Promise.all(this.shardsUnder(word).map(function (p) { return self.shard(p); }));
        under.forEach(function (sh) {
          Object.keys(sh.w).forEach(function (w) { if (w.indexOf(word) === 0 && !(sh.w[w] in options)) options[sh.w[w]] = weights.prefix; });
        });
      }
      if (!Object.keys(options).length && word.length >= 4) {
        var own = await this.shard(this.shardOf(word));
        closest(word, Object.keys(own.w)).forEach(function (w) { options[own.w[w]] = weights.fuzzy; });
      }
      terms.push(options);
      i += span;
    }
    return terms;
  };

  /* search.word_confidence(): the best word score over an ideal one, times (known words / words)². */
  Index.prototype.confidence = async function (terms, words) {
    if (!words.size || !terms.length) return 0;
    var top = -Infinity, ideal = 0, known = 0;
    words.forEach(function (s) { if (s > top) top = s; });
    for (var t = 0; t < terms.length; t++) {
      var best = 0, stems = Object.keys(terms[t]);
      if (stems.length) known++;
      for (var s = 0; s < stems.length; s++) {
        var flat = await this.postings(stems[s]);
        if (!flat) continue;
        var most = 0;
        for (var j = 1; j < flat.length; j += 2) if (flat[j] > most) most = flat[j];
        best = Math.max(best, most * terms[t][stems[s]]);
      }
      ideal += best;
    }
    return ideal ? Math.min(1, top / ideal) * Math.pow(known / terms.length, 2) : 0;
  };

  Index.prototype.search = async function (query, limit) {
    var self = this;
    var found = await Promise.all([this.terms(query), this.meaning ? this.meaning.scores(query) : null]);
    var terms = found[0], meaning = found[1];
    var scores = new Map(), matched = new Map();
    for (var t = 0; t < terms.length; t++) {
      var best = new Map(), stems = Object.keys(terms[t]);
      for (var s = 0; s < stems.length; s++) {
        var flat = await this.postings(stems[s]);
        if (!flat) continue;
        var weight = terms[t][stems[s]], doc = 0;
        for (var j = 0; j < flat.length; j += 2) {
          doc += flat[j];
          var value = flat[j + 1] * weight;
          if (value > (best.get(doc) || 0)) best.set(doc, value);
        }
      }
      best.forEach(function (value, d) {
        scores.set(d, (scores.get(d) || 0) + value);
        matched.set(d, (matched.get(d) || 0) + 1);
      });
    }
    var wanted = terms.filter(function (o) { return Object.keys(o).length; }).length || 1;
    var words = new Map();
    scores.forEach(function (s, d) { words.set(d, s * Math.pow(matched.get(d) / wanted, 2)); });
    var final = words;
    /* Meaning reorders what the words found; a query whose words match nothing finds nothing (search.rank). */
    if (meaning && meaning.size && words.size) {
      var mm = this.m.meaning, confidence = await this.confidence(terms, words);
      final = fuse(words, meaning, mm.weight[0] + (mm.weight[1] - mm.weight[0]) * confidence, mm.candidates);
    }
    var ranked = Array.from(final).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    var chunk = this.m.chunk, hits = [], seen = new Set();
    for (var r = 0; r < ranked.length && hits.length < limit; r++) {
      var n = ranked[r][0];
      var docs = await getJSON("search/" + this.lang + "/d/" + Math.floor(n / chunk) + ".json");
      var d = docs[n % chunk];
      if (seen.has(d[0])) continue;
      seen.add(d[0]);
      hits.push({ id: d[0], title: d[1], type: d[2], summary: d[3], url: d[4], anchor: d[5], faq: d[6], score: ranked[r][1] });
    }
    return hits;
  };

  var indexes = {};
  function indexFor(lang) {
    if (!indexes[lang]) {
      indexes[lang] = getJSON("search/" + lang + "/index.json").then(function (m) { return new Index(lang, m); });
    }
    return indexes[lang];
  }
  function search(query, options) {
    options = options || {};
    return indexFor(options.lang || document.documentElement.lang || "en").then(function (index) {
      return index.search(query, options.limit || 8);
    });
  }

  /* Loaded by the help widget on a shop's page (`data-embed`): the search function goes to the widget that
     asked for it, on its script element, and nothing else happens: no global, no interface. */
  if (script.hasAttribute("data-embed")) {
    script.kbgenSearch = search;
    return;
  }
  window.kbgenSearch = search;

  /* -- the user interface --------------------------------------------------------------------- */

  var strings = { results: "Results for “{query}”", all: "All results for “{query}”", none: "No results for “{query}”",
    contact: "Contact support",
    none_help: "Try other words, or ask our support team.", types: {} };
  var data = document.getElementById("kb-search-strings");
  if (data) { try { Object.assign(strings, JSON.parse(data.textContent)); } catch (e) { /* keep English */ } }
  var feedbackUrl = script.getAttribute("data-feedback") || "";
  var contactUrl = script.getAttribute("data-contact") || "";
  var lang = script.getAttribute("data-lang") || document.documentElement.lang || "en";

  /* Every "{query}" replaced by the query as it is ("$&" or "$'" in it are text, not replacement codes). */
  function fill(template, query) { return template.split("{query}").join(query); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function hitLink(hit) {
    var a = el("a", "kb-hit");
    a.href = new URL(hit.url, root).href;
    a.setAttribute("data-id", hit.id);
    var type = el("span", "kb-hit-type kb-type-" + hit.type, (strings.types && strings.types[hit.type]) || hit.type);
    a.appendChild(type);
    a.appendChild(el("span", "kb-hit-title", hit.title));
    if (hit.faq) a.appendChild(el("span", "kb-hit-parent", hit.faq));
    if (hit.summary && !hit.faq) a.appendChild(el("span", "kb-hit-summary", hit.summary));
    return a;
  }
  function contactHref(query) {
    if (!contactUrl) return "";
    return fill(contactUrl, encodeURIComponent(query));
  }
  /* Feedback events (schema v1, see kbgen/insights/feedback/events.py), sent as a beacon: a simple request
     (no preflight) that survives the page being left, which is when an opened result is reported. */
  function sendEvent(event) {
    if (!feedbackUrl) return;
    event.v = 1;
    var body = JSON.stringify(event);
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(feedbackUrl, new Blob([body], { type: "text/plain" }))) return;
      fetch(feedbackUrl, { method: "POST", mode: "cors", credentials: "omit", keepalive: true,
        headers: { "Content-Type": "text/plain" }, body: body }).catch(function () {});
    } catch (e) { /* never let feedback break search */ }
  }
  var reported = {};
  function reportNoResult(query) {
    if (reported[query]) return;
    reported[query] = true;
    sendEvent({ type: "search", query: query.slice(0, 200), lang: lang });
  }
  function reportOpened(a) {
    var query = a.getAttribute("data-query"), rank = +a.getAttribute("data-rank");
    if (query && rank) sendEvent({ type: "open", query: query.slice(0, 200), lang: lang, article: a.getAttribute("data-id"), rank: rank });
  }
  /* Results remember the query and their place, so a click (or Enter) reports which one was opened. */
  function rankHits(links, query) {
    links.forEach(function (a, i) {
      a.setAttribute("data-query", query);
      a.setAttribute("data-rank", String(i + 1));
      a.addEventListener("click", function () { reportOpened(a); });
    });
  }
  function renderNone(box, query) {
    var wrap = el("div", "kb-search-none");
    wrap.appendChild(el("p", "kb-search-none-title", fill(strings.none, query)));
    wrap.appendChild(el("p", "kb-search-none-help", strings.none_help));
    var href = contactHref(query);
    if (href) {
      var a = el("a", "kb-button kb-search-contact", strings.contact);
      a.href = href;
      a.addEventListener("click", function () { sendEvent({ type: "contact", lang: lang, query: query.slice(0, 200) }); });
      wrap.appendChild(a);
    }
    box.appendChild(wrap);
  }

  function enhance(form) {
    var input = form.querySelector("input[type=search]");
    if (!input) return;
    if (document.getElementById("kb-search-results")) { live(form, input); return; }
    /* the panel: a listbox of the answers (options only), then the line to every result */
    var pop = el("div", "kb-search-pop"), list = el("div", "kb-search-options");
    pop.id = (form.id || "kb-search") + "-pop";
    list.id = pop.id + "-list";
    list.setAttribute("role", "listbox");
    var label = form.querySelector("label[for='" + input.id + "']");
    list.setAttribute("aria-label", (label && label.textContent.trim()) || input.placeholder);
    pop.hidden = true;
    form.appendChild(pop);
    input.setAttribute("role", "combobox");  // ARIA 1.2: the input itself is the combobox of its listbox
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-autocomplete", "list");
    var timer = 0, idle = 0, seq = 0, active = -1;
    function close() {
      pop.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function run() {
      var query = input.value.trim(), mine = ++seq;
      clearTimeout(idle);
      if (query.length < 2) { close(); pop.textContent = ""; return; }
      window.kbgenSearch(input.value, { lang: lang, limit: 6 }).then(function (hits) {
        if (mine !== seq) return;
        pop.textContent = "";
        list.textContent = "";
        if (!hits.length) {
          renderNone(pop, query);
          idle = setTimeout(function () { reportNoResult(query); }, 1500);
        }
        hits.forEach(function (hit, i) {
          var a = hitLink(hit);
          a.setAttribute("role", "option");
          a.id = pop.id + "-" + i;
          list.appendChild(a);
        });
        rankHits(Array.prototype.slice.call(pop.querySelectorAll(".kb-hit")), query);
        if (hits.length) {  /* the panel may scroll: its last line always leads to every result */
          pop.appendChild(list);
          var all = el("a", "kb-search-all", fill(strings.all, query));
          all.href = form.action + "?q=" + encodeURIComponent(query);
          pop.appendChild(all);
        }
        pop.setAttribute("data-query", query);
        /* the panel ends above the screen's bottom (or a phone's keyboard), so its last line is in view */
        var screen = window.visualViewport ? window.visualViewport.height : window.innerHeight;
        var room = screen - input.getBoundingClientRect().bottom - 12;
        pop.style.maxHeight = Math.round(Math.max(180, Math.min(448, room))) + "px";
        pop.hidden = false;
        input.setAttribute("aria-expanded", "true");
        active = -1;
      }).catch(function () { close(); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 40); });
    input.addEventListener("keydown", function (e) {
      var items = pop.querySelectorAll(".kb-hit");
      if (e.key === "Escape") { close(); return; }
      if ((e.key === "ArrowDown" || e.key === "ArrowUp") && items.length) {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        items.forEach(function (a, i) { a.classList.toggle("kb-hit-active", i === active); a.setAttribute("aria-selected", i === active); });
        input.setAttribute("aria-activedescendant", items[active].id);
      } else if (e.key === "Enter" && active >= 0 && items[active]) {
        e.preventDefault();
        reportOpened(items[active]);
        location.href = items[active].href;
      }
    });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) close(); });
  }

  /* The search page's results, for the query of its address or, as one types, of its box (no panel over the
     page: the results themselves change, and the address with them, so Back and a shared link keep them). */
  var shown = 0, idleMiss = 0;
  function showResults(query, typed) {
    var box = document.getElementById("kb-search-results"), mine = ++shown;
    clearTimeout(idleMiss);
    query = query.trim();
    if (!query) { box.textContent = ""; return; }
    window.kbgenSearch(query, { lang: lang, limit: 20 }).then(function (hits) {
      if (mine !== shown) return;
      box.textContent = "";
      if (!hits.length) {
        renderNone(box, query);
        if (typed) idleMiss = setTimeout(function () { reportNoResult(query); }, 1500);
        else reportNoResult(query);
        return;
      }
      box.appendChild(el("h2", "kb-block-title", fill(strings.results, query)));
      var list = el("ul", "kb-search-list");
      hits.forEach(function (hit) { var li = el("li"); li.appendChild(hitLink(hit)); list.appendChild(li); });
      rankHits(Array.prototype.slice.call(list.querySelectorAll(".kb-hit")), query);
      box.appendChild(list);
    });
  }
  function addressFor(query) {
    var url = new URL(location.href);
    if (query.trim()) url.searchParams.set("q", query); else url.searchParams.delete("q");
    return url.href;
  }
  function live(form, input) {
    var timer = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        history.replaceState(null, "", addressFor(input.value));
        showResults(input.value, true);
      }, 120);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearTimeout(timer);
      history.replaceState(null, "", addressFor(input.value));
      showResults(input.value, false);
    });
  }
  function resultsPage() {
    var box = document.getElementById("kb-search-results");
    if (!box) return;
    var query = new URLSearchParams(location.search).get("q") || "";
    document.querySelectorAll("form.kb-search input[type=search]").forEach(function (i) { i.value = query; });
    showResults(query, false);
  }

  function start() {
    document.querySelectorAll("form.kb-search").forEach(enhance);
    resultsPage();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
