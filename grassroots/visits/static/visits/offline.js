/* The visit form on a weak link. A visit is sent as JSON (with its client_id, made here) to the form's
   data-sync URL; when sending fails or the phone is offline it is kept in localStorage and sent again when the
   link is back (the "online" event, and on every page load). The server records each client_id once. */
(function () {
  "use strict";
  var KEY = "grassroots.visits.pending";
  var form = document.getElementById("visit-form");
  var status = document.getElementById("visit-queue");
  if (!form || !status) { return; }
  var syncUrl = form.getAttribute("data-sync");
  var sending = false;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function pending() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function keep(list) { window.localStorage.setItem(KEY, JSON.stringify(list)); }
  function say(text) { status.textContent = text; status.hidden = !text; }
  function fill(template, n) { return template.replace("%(n)s", String(n)); }
  function showQueue(extra) {
    var n = pending().length;
    var words = n ? fill(status.getAttribute("data-waiting"), n) : "";
    say([extra || "", words].filter(Boolean).join(" "));
    status.setAttribute("data-count", String(n));
  }
  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function field(name) {
    var el = form.elements[name];
    return el ? String(el.value || "").trim() : "";
  }
  function visitFromForm() {
    var findings = [];
    if (field("finding_type") && field("finding_text")) {
      findings.push({ type: field("finding_type"), text: field("finding_text") });
    }
    return { client_id: uuid(), household: field("household"), day: field("day"), purpose: field("purpose"),
             notes: field("notes"), findings: findings };
  }
  function post(visit) {
    return window.fetch(syncUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(visit)
    });
  }
  // Sends the waiting visits one after another; a visit the server refuses (4xx) is dropped with its message,
  // one that cannot reach it stays for the next try.
  function flush() {
    if (sending || !navigator.onLine) { showQueue(); return Promise.resolve(); }
    var list = pending();
    if (!list.length) { showQueue(); return Promise.resolve(); }
    sending = true;
    var sent = 0, errors = [];
    function next() {
      var list2 = pending();
      if (!list2.length) { return Promise.resolve(); }
      var visit = list2[0];
      return post(visit).then(function (r) {
        if (r.status >= 500) { throw new Error("server"); }
        return r.json().then(function (body) {
          if (r.ok) { sent += 1; } else { errors.push(visit.household + ": " + (body.detail || r.status)); }
          keep(pending().filter(function (v) { return v.client_id !== visit.client_id; }));
          return next();
        });
      });
    }
    return next().catch(function () { /* still no link: kept */ }).then(function () {
      sending = false;
      var words = sent ? fill(status.getAttribute("data-sent"), sent) : "";
      showQueue([words].concat(errors).filter(Boolean).join(" "));
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var visit = visitFromForm();
    function kept() {
      var list = pending(); list.push(visit); keep(list);
      form.reset();
      var day = form.elements.day; if (day) { day.value = visit.day; }
      showQueue(status.getAttribute("data-kept"));
    }
    if (!navigator.onLine) { kept(); return; }
    post(visit).then(function (r) {
      if (r.status >= 500) { throw new Error("server"); }
      return r.json().then(function (body) {
        if (r.ok) { window.location.href = body.url; return; }
        say((body.field ? body.field + ": " : "") + (body.detail || r.status));
      });
    }).catch(kept);
  });
  window.addEventListener("online", flush);
  flush();
}());
