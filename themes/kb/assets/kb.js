/* kbgen help-center theme: FAQ anchors, feedback, short-link copying, closing the language menu.
   Everything else works without it. */
(function () {
  "use strict";

  // -- FAQ: a link to #question opens that question and scrolls to it --------------------------
  function openFromHash() {
    var id = location.hash.slice(1);
    if (!id) return;
    try { id = decodeURIComponent(id); } catch (e) { /* keep it raw */ }
    var target = document.getElementById(id);
    if (!target) return;
    var details = target.closest("details");
    if (details && !details.open) details.open = true;
    if (details) {
      details.classList.add("kb-highlight");
      setTimeout(function () { details.classList.remove("kb-highlight"); }, 2000);
    }
    target.scrollIntoView({ block: "start", behavior: "instant" });
  }

  function rememberOpenQuestion(event) {
    var details = event.target;
    if (!details.open || !details.id || location.hash === "#" + details.id) return;
    if (history.replaceState) history.replaceState(null, "", "#" + encodeURIComponent(details.id));
  }

  // -- Search pages: keep the query in the box ---------------------------------------------------
  function fillSearch() {
    var q = new URLSearchParams(location.search).get("q");
    if (!q) return;
    var inputs = document.querySelectorAll('.kb-search input[name="q"]');
    for (var i = 0; i < inputs.length; i++) if (!inputs[i].value) inputs[i].value = q;
  }

  // -- Feedback events (schema v1, see kbgen/insights/feedback/events.py) ---------------------------
  // Sent as a beacon: a simple request (text/plain, no preflight) that survives the page being left.
  function sendEvent(endpoint, event) {
    event.v = 1;
    var body = JSON.stringify(event);
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(endpoint, new Blob([body], { type: "text/plain" }))) {
        return Promise.resolve();
      }
      return fetch(endpoint, { method: "POST", mode: "cors", credentials: "omit", keepalive: true,
        headers: { "Content-Type": "text/plain" }, body: body }).catch(function () { /* best effort */ });
    } catch (e) {
      return Promise.resolve();
    }
  }

  // -- "Was this helpful?" -------------------------------------------------------------------------
  function setUpFeedback(box) {
    var endpoint = box.getAttribute("data-endpoint");
    if (!endpoint || !window.fetch) return;
    var form = box.querySelector(".kb-feedback-more");
    var reasons = box.querySelector(".kb-feedback-reasons");
    var thanks = box.querySelector(".kb-feedback-thanks");
    var buttons = box.querySelectorAll("[data-helpful]");
    var vote = null;

    function said(name, english) { return box.getAttribute(name) || english; }

    function send(type, extra) {
      var event = { type: type, article: box.getAttribute("data-article"), lang: box.getAttribute("data-lang") };
      if (type !== "view") event.helpful = vote === "yes";
      for (var k in extra) event[k] = extra[k];
      return sendEvent(endpoint, event);
    }

    // Seen: the box came into view (once), so the share of readers who answer can be told.
    if (window.IntersectionObserver) {
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); send("view", {}); }
      }, { threshold: 0.5 });
      seen.observe(box);
    }
    // "Contact support" from this article: the article that did not prevent a ticket.
    var contact = document.querySelector(".kb-contact a[data-article]");
    if (contact) contact.addEventListener("click", function () {
      sendEvent(endpoint, { type: "contact", lang: box.getAttribute("data-lang"), article: contact.getAttribute("data-article") });
    });

    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        vote = event.currentTarget.getAttribute("data-helpful");
        for (var j = 0; j < buttons.length; j++) {
          buttons[j].setAttribute("aria-pressed", buttons[j] === event.currentTarget ? "true" : "false");
          buttons[j].disabled = true;
        }
        send("vote", {});
        reasons.hidden = vote === "yes";
        form.hidden = false;
        thanks.textContent = said(vote === "yes" ? "data-thanks-yes" : "data-thanks-no",
          vote === "yes" ? "Glad it helped! Thanks for letting us know." : "Sorry about that. Thanks for letting us know.");
        var first = form.querySelector(vote === "yes" ? "textarea" : "input");
        if (first) first.focus();
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var picked = [];
      var boxes = form.querySelectorAll('input[name="reason"]:checked');
      for (var i = 0; i < boxes.length; i++) picked.push(boxes[i].value);
      var comment = form.querySelector("textarea").value.trim();
      form.querySelector('button[type="submit"]').disabled = true;
      send("details", { reasons: vote === "yes" ? [] : picked, comment: comment }).then(function () {
        form.hidden = true;
        thanks.textContent = said("data-thanks-details", "Thank you! Your feedback helps us improve this article.");
      });
    });

    box.hidden = false;
  }

  // -- Short links: a copy button for support agents --------------------------------------------
  function setUpCopy(link) {
    if (!navigator.clipboard) return;
    var copy = link.getAttribute("data-copy-label") || "Copy";
    var copied = link.getAttribute("data-copied-label") || "Copied";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "kb-btn kb-copy";
    button.textContent = copy;
    button.addEventListener("click", function () {
      var url = new URL(link.getAttribute("data-copy") || link.href, location.href).href;
      navigator.clipboard.writeText(url).then(function () {
        button.textContent = copied;
        setTimeout(function () { button.textContent = copy; }, 1500);
      });
    });
    link.insertAdjacentElement("afterend", button);
  }

  // -- Language menu: a <details> that also closes with Escape or a click elsewhere -----------------
  function setUpLanguages(menu) {
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  function start() {
    document.addEventListener("toggle", rememberOpenQuestion, true);
    window.addEventListener("hashchange", openFromHash);
    window.addEventListener("beforeprint", function () {
      var all = document.querySelectorAll("details.kb-faq");
      for (var i = 0; i < all.length; i++) all[i].open = true;
    });
    openFromHash();
    fillSearch();
    var feedback = document.getElementById("kb-feedback");
    if (feedback) setUpFeedback(feedback);
    var short = document.querySelector(".kb-short-link");
    if (short) setUpCopy(short);
    var languages = document.getElementById("kb-languages");
    if (languages) setUpLanguages(languages);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
