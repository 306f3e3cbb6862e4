// The policy editor: validate the YAML as it is typed, through the server (debounced), and
// show each problem with its line and field in the live region under the editor.
"use strict";

(function () {
  var DELAY_MS = 350;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function issueItem(issue) {
    var item = el("li", "issue");
    var where = el("span", "issue__where", issue.line ? "Line " + issue.line : "Document");
    if (issue.field) {
      where.appendChild(document.createTextNode(" · "));
      where.appendChild(el("code", "", issue.field));
    }
    item.appendChild(where);
    item.appendChild(el("span", "issue__message", issue.message));
    return item;
  }

  function show(result, status, list, source) {
    status.textContent = "";
    list.textContent = "";
    if (result.valid) {
      status.appendChild(el("span", "badge badge--ok", "Valid"));
      status.appendChild(document.createTextNode(" "));
      status.appendChild(el("code", "", result.policy.id));
      source.removeAttribute("aria-invalid");
      return;
    }
    var n = result.issues.length;
    status.appendChild(el("span", "badge badge--bad", n + (n === 1 ? " problem" : " problems")));
    result.issues.forEach(function (issue) { list.appendChild(issueItem(issue)); });
    source.setAttribute("aria-invalid", "true");
  }

  window.reelroute.onReady(function () {
    var source = document.getElementById("source");
    var region = document.getElementById("policy-check");
    if (!source || !region) { return; }
    var status = document.getElementById("policy-status");
    var list = document.getElementById("policy-issues");
    var url = region.getAttribute("data-check-url");
    var timer = null;
    var latest = 0;

    function check() {
      var mine = ++latest;
      window.reelroute.csrfFetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ source: source.value })
      }).then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      }).then(function (result) {
        if (mine === latest) { show(result, status, list, source); }
      }).catch(function () {
        if (mine !== latest) { return; }
        status.textContent = "";
        status.appendChild(el("span", "badge badge--warn", "Not checked"));
        status.appendChild(document.createTextNode(" Could not reach the server; press Preview to check."));
      });
    }

    function schedule() {
      if (timer !== null) { clearTimeout(timer); }
      timer = setTimeout(check, DELAY_MS);
    }
    source.addEventListener("input", schedule);
    // Typed before this script ran (a slow load): check what is there now.
    if (source.value !== source.defaultValue) { schedule(); }
  });
})();
