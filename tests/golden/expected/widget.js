/* kbgen help widget: help where the customer already is, from one script tag on a shop's page.
 *
 *   <script src="{the help center's address}/widget.js" data-product="kettle" data-stage="delivered"
 *           data-lang="fr" async></script>      (`kbgen widget` prints it)
 *
 * data-product / data-sku: one or several (a cart, an order), separated by spaces or commas (a SKU that
 * holds them is still found: the longest known SKU wins); none: the help center's promoted articles. data-stage: a post-purchase stage of products.yml. data-lang: the
 * page's language (default: <html lang>, else the help center's default language).
 *
 * It lives in a shadow root (the shop's CSS cannot reach it, its CSS cannot leak out), defines one global
 * (`kbgenWidget`), sets no cookie and stores nothing, and asks nothing of any host but the help center's,
 * and nothing at all until the panel is opened: then widget/<lang>.json (the bundles), and for a search
 * the site's own search script and index (the same ranking as the help center's search box). Every text
 * is written with textContent.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.kbgenWidget || !window.fetch || !Element.prototype.attachShadow) return;
  window.kbgenWidget = { version: 1 };
  var base = new URL(".", script.src);
  var LANGUAGES = {"en": {"dir": "ltr", "label": "Help"}, "fr": {"dir": "ltr", "label": "Aide"}}; /* lang → {label, dir}, written by the build */
  var DEFAULT = "en";

  function attr(name) { return (script.getAttribute("data-" + name) || "").trim(); }
  function list(name) { return attr(name).split(/[\s,]+/).filter(Boolean); }
  var warned = false;
  function warn(message) {
    if (!warned && window.console) console.warn("kbgen widget: " + message);
    warned = true;
  }
  function pickLanguage(tag) {
    tag = (tag || "").toLowerCase();
    if (LANGUAGES[tag]) return tag;
    var primary = tag.split("-")[0];
    return LANGUAGES[primary] ? primary : "";
  }
  var asked = attr("lang") || document.documentElement.lang || "";
  var lang = pickLanguage(asked);
  if (!lang) {
    if (attr("lang")) warn("the help center has no language '" + attr("lang") + "': showing " + DEFAULT);
    lang = DEFAULT;
  }
  var dir = LANGUAGES[lang].dir;

  /* -- the host element: a custom element, so no rule of the shop's for div or section matches it ---- */
  var host = document.createElement("kbgen-help");
  var style = { all: "initial", position: "fixed", "z-index": "2147483000", bottom: "16px", display: "block" };
  style[dir === "rtl" ? "left" : "right"] = "16px";
  Object.keys(style).forEach(function (k) { host.style.setProperty(k, style[k], "important"); });
  var root = host.attachShadow({ mode: "open" }); /* open: the shop's CSS still cannot reach in; assistive tools and tests can */
  root.innerHTML = "<style>" + ":host { all: initial; } .kb-widget { font: 15px/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; color: #1f2933; --bg: #fff; --muted: #52606d; --line: #e4e7eb; --accent: #0b5cad; --soft: #f5f7fa; display: flex; flex-direction: column; align-items: flex-end; gap: 10px; } /* flex-end is the inline end: the left in a right-to-left language */ .kb-launcher { all: unset; box-sizing: border-box; display: inline-flex; align-items: center; gap: 8px; cursor: pointer; background: var(--accent); color: #fff; border-radius: 999px; padding-block: 10px; padding-inline: 12px 18px; font-weight: 600; font-size: 15px; line-height: 1; font-family: inherit; box-shadow: 0 4px 14px rgba(0,0,0,.2); } .kb-launcher:focus-visible, .kb-widget a:focus-visible, .kb-widget button:focus-visible, .kb-widget input:focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; } .kb-launcher-mark { display: inline-grid; place-items: center; width: 22px; height: 22px; border-radius: 50%; background: rgba(255,255,255,.2); font-weight: 700; } .kb-panel { box-sizing: border-box; width: min(380px, calc(100vw - 32px)); max-height: min(620px, calc(100vh - 96px)); overflow: auto; background: var(--bg); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; box-shadow: 0 10px 30px rgba(0,0,0,.18); } .kb-panel[hidden], .kb-answer[hidden], .kb-contact[hidden] { display: none; } .kb-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; } .kb-title { margin: 0; font-size: 17px; } .kb-close { all: unset; cursor: pointer; font-size: 22px; line-height: 1; padding: 2px 8px; border-radius: 6px; color: var(--muted); } .kb-search { margin: 10px 0 6px; } .kb-search input { box-sizing: border-box; width: 100%; font: inherit; padding: 9px 12px; border: 1px solid #9aa5b1; border-radius: 8px; background: var(--bg); color: inherit; } .kb-list { list-style: none; margin: 6px 0 10px; padding: 0; } .kb-list li { border-top: 1px solid var(--line); } .kb-list li:first-child { border-top: 0; } .kb-link { display: block; padding: 8px 2px; color: var(--accent); text-decoration: none; } .kb-link:hover .kb-link-title { text-decoration: underline; } .kb-link-title { display: block; font-weight: 600; } .kb-link-meta { display: block; color: var(--muted); font-size: 13px; } .kb-bundle-title, .kb-answer-q { margin: 12px 0 2px; font-size: 15px; } .kb-bundle-intro, .kb-none { margin: 0 0 4px; color: var(--muted); font-size: 14px; } .kb-answer { background: var(--soft); border-radius: 8px; padding: 10px 12px; margin: 4px 0 8px; } .kb-answer-q { margin-top: 0; } .kb-answer-text { margin: 4px 0 6px; white-space: pre-line; } .kb-answer-more, .kb-contact { color: var(--accent); font-weight: 600; } .kb-foot { border-top: 1px solid var(--line); padding-top: 10px; display: flex; gap: 8px; flex-wrap: wrap; align-items: baseline; } .kb-foot-label { color: var(--muted); } @media (prefers-color-scheme: dark) { .kb-widget { color: #e4e7eb; --bg: #1f2933; --muted: #9aa5b1; --line: #3e4c59; --accent: #7cc4fa; --soft: #323f4b; } .kb-launcher { background: #0b5cad; } }" + "</style>";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  var frame = el("div", "kb-widget");
  frame.setAttribute("dir", dir);
  frame.setAttribute("lang", lang);
  var launcher = el("button", "kb-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "kb-panel");
  launcher.appendChild(el("span", "kb-launcher-mark", "?"));
  launcher.appendChild(el("span", "kb-launcher-label", LANGUAGES[lang].label));
  var panel = el("div", "kb-panel");
  panel.id = "kb-panel";
  panel.setAttribute("role", "dialog");
  panel.hidden = true;
  frame.appendChild(panel);
  frame.appendChild(launcher);
  root.appendChild(frame);

  var data = null, loading = null, search = null, searching = null, t = {};

  function getJSON(path) {
    return fetch(new URL(path, base).href, { credentials: "omit" }).then(function (r) {
      if (!r.ok) throw new Error(path + ": " + r.status);
      return r.json();
    });
  }
  function sendEvent(event) {
    if (!data || !data.feedback_url) return;
    event.v = 1;
    try {
      navigator.sendBeacon(data.feedback_url, new Blob([JSON.stringify(event)], { type: "text/plain" }));
    } catch (e) { /* feedback is best effort */ }
  }

  /* -- what the page is about: its products and stage, as `kbgen bundle` merges an order ------------ */
  function own(map, key) { return Object.prototype.hasOwnProperty.call(map, key); } /* "constructor" is no product */
  /* A shop's SKUs may hold spaces or commas ("TEE M, BLUE"): at each word, the longest run of words that
     is a known SKU, with the separators as written, is one; a word that starts none is unknown. */
  function skus(text, add, unknown) {
    var parts = text.split(/([\s,]+)/); /* words at even places, what separates them at odd ones */
    for (var i = 0; i < parts.length; i += 2) {
      if (!parts[i]) continue;
      var joined = "", end = -1;
      for (var j = i; j < parts.length; j += 2) {
        joined += (j > i ? parts[j - 1] : "") + parts[j];
        if (own(data.skus, joined)) end = j;
      }
      if (end < 0) { unknown.push(parts[i]); continue; }
      add(data.skus[parts.slice(i, end + 1).join("")]);
      i = end;
    }
  }
  function context() {
    var found = [], unknown = [];
    function add(id) { if (found.indexOf(id) < 0) found.push(id); }
    list("product").forEach(function (p) { if (own(data.products, p)) add(p); else unknown.push(p); });
    skus(attr("sku"), add, unknown);
    var stage = attr("stage") || data.stages[0];
    if (data.stages.indexOf(stage) < 0) { unknown.push("stage " + stage); stage = ""; }
    if (unknown.length) warn("unknown " + unknown.join(", ") + ": showing the most read articles");
    found.sort(function (a, b) { return data.order.indexOf(a) - data.order.indexOf(b); });
    return { products: stage && !unknown.length ? found : [], stage: stage };
  }
  function merged(ctx) {
    var lists = ctx.products.map(function (p) { return data.products[p].stages[ctx.stage] || []; });
    var out = [], longest = Math.max.apply(null, [0].concat(lists.map(function (l) { return l.length; })));
    /* round-robin in product order, duplicates out, at most max_links: Bundler.for_order's merge */
    for (var rank = 0; rank < longest; rank++) {
      lists.forEach(function (l) {
        if (rank < l.length && out.indexOf(l[rank]) < 0 && out.length < data.max_links) out.push(l[rank]);
      });
    }
    return out;
  }
  function productNames(ctx) {
    var names = ctx.products.map(function (p) { return data.products[p].name; });
    return names.length < 2 ? names[0] || "" : names.slice(0, -1).join(", ") + " " + t.and + " " + names[names.length - 1];
  }

  function articleLink(id, onOpen) {
    var a = data.articles[id];
    var link = el("a", "kb-link");
    link.href = a[3];
    link.target = "_top";
    var title = el("span", "kb-link-title", a[0]);
    link.appendChild(title);
    var meta = [(own(t.types, a[1]) && t.types[a[1]]) || a[1], a[5]]; /* a[5]: "Takes 20 min", "2 min read" */
    if (a[4] !== lang) {
      /* an article not yet translated: its title in its own language and direction, and the panel says so */
      meta.push(fill(t.fallback, { language: (own(t.languages, a[4]) && t.languages[a[4]]) || a[4] }));
      title.setAttribute("lang", a[4]);
      if (own(LANGUAGES, a[4])) title.setAttribute("dir", LANGUAGES[a[4]].dir);
      link.setAttribute("data-fallback", "");
    }
    link.appendChild(el("span", "kb-link-meta", meta.join(" · ")));
    if (onOpen) link.addEventListener("click", onOpen);
    return link;
  }

  /* -- the panel ----------------------------------------------------------------------------------- */
  var input, results, answer, contact, ctx;
  function render() {
    t = data.strings;
    ctx = context();
    panel.setAttribute("aria-label", t.title || "Help");
    var head = el("div", "kb-head");
    head.appendChild(el("h2", "kb-title", t.title || "Help"));
    var close = el("button", "kb-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", t.close || "Close");
    close.addEventListener("click", hide);
    head.appendChild(close);
    panel.appendChild(head);

    var form = el("form", "kb-search");
    form.setAttribute("role", "search");
    input = el("input");
    input.type = "search";
    input.setAttribute("aria-label", t.search_label || "Search the help center");
    input.placeholder = t.search_placeholder || "Ask a question";
    input.autocomplete = "off";
    form.appendChild(input);
    form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value, true); });
    panel.appendChild(form);
    results = el("div", "kb-results");
    results.setAttribute("aria-live", "polite");
    panel.appendChild(results);
    answer = el("div", "kb-answer");
    answer.hidden = true;
    panel.appendChild(answer);

    var ids = merged(ctx), section = el("section", "kb-bundle");
    if (ids.length) {
      var names = productNames(ctx);
      section.appendChild(el("h3", "kb-bundle-title", fill(own(t.heading, ctx.stage) ? t.heading[ctx.stage] : t.heading.other, { product: names })));
      section.appendChild(el("p", "kb-bundle-intro", own(t.intro, ctx.stage) ? t.intro[ctx.stage] : t.intro.other));
    } else {
      ids = data.promoted;
      section.appendChild(el("h3", "kb-bundle-title", t.popular || "Popular articles"));
    }
    var ul = el("ul", "kb-list");
    ids.forEach(function (id) { var li = el("li"); li.appendChild(articleLink(id)); ul.appendChild(li); });
    section.appendChild(ul);
    panel.appendChild(section);

    contact = el("a", "kb-contact", t.contact || "Contact support");
    contact.target = "_top";
    contact.hidden = !data.contact_url;
    contact.addEventListener("click", function () {
      var q = input.value.trim();
      sendEvent(q ? { type: "contact", lang: lang, query: q.slice(0, 200) } : { type: "contact", lang: lang, article: ids[0] || "" });
    });
    var foot = el("div", "kb-foot");
    foot.appendChild(el("span", "kb-foot-label", t.still || "Still need help?"));
    foot.appendChild(contact);
    if (data.contact_url) panel.appendChild(foot);
    updateContact("", ids[0] || "");

    var timer = 0;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { ask(input.value); }, 120); });
  }
  function updateContact(query, articleId) {
    if (!data.contact_url) return;
    var e = encodeURIComponent;
    contact.href = fill(data.contact_url, { id: e(articleId), lang: e(lang), query: e(query),
      product: e(ctx.products.join(",")), stage: e(ctx.stage) });
  }

  var seq = 0, reported = {}, idle = 0;
  function reportMiss(query) {
    if (!reported[query]) { reported[query] = true; sendEvent({ type: "search", query: query.slice(0, 200), lang: lang }); }
  }
  /* A query that finds nothing is reported once typing has paused (1.5 s, as the site's search box does,
     so "desc" on the way to "descale" is not a miss) or at once when submitted. */
  function ask(text, submitted) {
    var query = text.trim(), mine = ++seq;
    clearTimeout(idle);
    answer.hidden = true;
    if (query.length < 2) { results.textContent = ""; updateContact("", ""); return; }
    loadSearch().then(function (run) { return run(query, { lang: lang, limit: 3 }); }).then(function (hits) {
      if (mine !== seq) return;
      results.textContent = "";
      updateContact(query, hits.length ? hits[0].id : "");
      if (!hits.length) {
        results.appendChild(el("p", "kb-none", fill(t.none || "No results for “{query}”", { query: query })));
        if (submitted) reportMiss(query); else idle = setTimeout(function () { reportMiss(query); }, 1500);
        return;
      }
      var ul = el("ul", "kb-list kb-hits");
      hits.forEach(function (hit, i) {
        var li = el("li"), link = el("a", "kb-link");
        link.href = new URL(hit.url, base).href;
        link.target = "_top";
        link.setAttribute("data-id", hit.id);
        link.appendChild(el("span", "kb-link-title", hit.title));
        if (hit.faq) link.appendChild(el("span", "kb-link-meta", hit.faq));
        link.addEventListener("click", function () {
          sendEvent({ type: "open", query: query.slice(0, 200), lang: lang, article: hit.id, rank: i + 1 });
        });
        li.appendChild(link);
        ul.appendChild(li);
      });
      results.appendChild(ul);
      var top = hits[0];
      if (top.anchor && top.faq) showAnswer(top, mine);
    }).catch(function () {
      if (mine === seq) results.textContent = "";
    });
  }
  /* The answer itself, when the best match is one question of an FAQ: read without leaving the page. */
  function showAnswer(hit, mine) {
    getJSON("widget/answers/" + lang + "/" + encodeURIComponent(hit.id) + ".json").then(function (answers) {
      var text = own(answers, hit.anchor) && answers[hit.anchor];
      if (mine !== seq || !text) return;
      answer.textContent = "";
      answer.appendChild(el("h3", "kb-answer-q", hit.title));
      answer.appendChild(el("p", "kb-answer-text", text));
      var more = el("a", "kb-answer-more", t.read_more || "Read it on the help center");
      more.href = new URL(hit.url, base).href;
      more.target = "_top";
      answer.appendChild(more);
      answer.hidden = false;
    }).catch(function () {});
  }
  function loadSearch() {
    if (!searching) {
      searching = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = new URL("assets/search.js", base).href;
        s.async = true;
        s.setAttribute("data-root", base.href);
        s.setAttribute("data-embed", "");
        s.onload = function () { if (s.kbgenSearch) resolve(s.kbgenSearch); else reject(new Error("no search")); };
        s.onerror = reject;
        (document.head || document.documentElement).appendChild(s);
      });
    }
    return searching;
  }

  function show() {
    if (!loading) {
      loading = getJSON("widget/" + lang + ".json").then(function (found) { data = found; render(); });
    }
    loading.then(function () {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      input.focus();
    }, function () {
      warn("the help center cannot be reached");
      host.remove(); /* no launcher that leads nowhere */
    });
  }
  function hide() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", function () { if (panel.hidden) show(); else hide(); });
  frame.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) { e.stopPropagation(); hide(); } });

  function mount() { (document.body || document.documentElement).appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
