// reelroute web app: small progressive enhancements. Every page works without this file;
// it adds live progress (SSE), reading a script file into its textarea, and a fetch helper
// that sends the page's CSRF token. Loaded from this server only (strict CSP, no inline JS).
"use strict";

(function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // fetch() with the session's CSRF token: for state-changing requests from scripts.
  function csrfFetch(url, options) {
    var opts = Object.assign({ credentials: "same-origin" }, options || {});
    opts.headers = Object.assign({ "X-CSRF-Token": csrfToken() }, opts.headers || {});
    return fetch(url, opts);
  }

  window.reelroute = { csrfFetch: csrfFetch, csrfToken: csrfToken, onReady: onReady };

  var readyHooks = [];
  function onReady(hook) { readyHooks.push(hook); }

  document.addEventListener("DOMContentLoaded", function () {
    readyHooks.forEach(function (hook) { hook(); });
  });
})();
