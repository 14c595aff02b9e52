// mtaudit report: filters by category and severity, kept in the URL hash
// (#category=name,idiom&severity=major) so a filtered view can be shared.
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-kind]"));
  var only = document.getElementById("only-findings");

  function chosen(kind) {
    var out = {};
    boxes.forEach(function (b) {
      if (b.getAttribute("data-kind") === kind && b.checked) { out[b.value] = true; }
    });
    return out;
  }

  function passes(pairs, cats, sevs) {
    return pairs.split(" ").some(function (p) {
      var cs = p.split("|");
      return cats[cs[0]] === true && sevs[cs[1]] === true;
    });
  }

  function apply() {
    var cats = chosen("category"), sevs = chosen("severity");
    document.querySelectorAll("mark.f, tr.row").forEach(function (el) {
      el.classList.toggle("off", !passes(el.getAttribute("data-f") || "", cats, sevs));
    });
    document.querySelectorAll("article.doc").forEach(function (doc) {
      var shown = doc.querySelectorAll("tr.row:not(.off)").length;
      doc.setAttribute("data-shown", String(shown));
      doc.classList.toggle("hidden", only.checked && shown === 0);
    });
  }

  function toHash() {
    var parts = [];
    ["category", "severity"].forEach(function (kind) {
      var all = boxes.filter(function (b) { return b.getAttribute("data-kind") === kind; });
      var on = all.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      if (on.length !== all.length) { parts.push(kind + "=" + on.map(encodeURIComponent).join(",")); }
    });
    if (only.checked) { parts.push("only=1"); }
    var hash = parts.length ? "#" + parts.join("&") : " ";
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", hash === " " ? window.location.pathname : hash);
    }
  }

  function fromHash() {
    var hash = window.location.hash.replace(/^#/, "");
    if (!hash) { return; }
    hash.split("&").forEach(function (part) {
      var kv = part.split("=");
      var kind = decodeURIComponent(kv[0] || "");
      if (kind === "only") { only.checked = kv[1] === "1"; return; }
      if (kind !== "category" && kind !== "severity") { return; }
      var want = {};
      (kv[1] || "").split(",").forEach(function (v) { want[decodeURIComponent(v)] = true; });
      boxes.forEach(function (b) {
        if (b.getAttribute("data-kind") === kind) { b.checked = want[b.value] === true; }
      });
    });
  }

  boxes.concat([only]).forEach(function (b) {
    b.addEventListener("change", function () { apply(); toHash(); });
  });
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  fromHash();
  apply();
  document.documentElement.setAttribute("data-mtaudit-ready", "1");
})();
