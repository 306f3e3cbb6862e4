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

  // A form says it is working and cannot be sent twice (a double click plans twice).
  onReady(function () {
    document.querySelectorAll("form[data-busy-label]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[type=submit]");
        if (!button) return;
        setTimeout(function () {
          button.disabled = true;
          button.textContent = form.getAttribute("data-busy-label");
        }, 0);
      });
    });
  });

  // "Or upload a text file": read it into the Script textarea so it can be checked first.
  onReady(function () {
    document.querySelectorAll("input[type=file][data-fills]").forEach(function (input) {
      function fill() {
        var target = document.getElementById(input.getAttribute("data-fills"));
        var file = input.files && input.files[0];
        if (!target || !file) return;
        file.text().then(function (text) { target.value = text; });
      }
      input.addEventListener("change", fill);
      fill();  // a file chosen before this script ran (a slow page) fired no change we heard
    });
  });

  // Live progress of a render over Server-Sent Events (resumes by itself with Last-Event-ID).
  var STAGE_WEIGHTS = { narrate: 5, generate: 50, layout: 5, music: 5, compose: 25, mux: 5,
                        disclose: 3, publish: 2 };
  var SCENE_LABELS = { queued: "queued", generating: "generating", fallback: "failed over",
                       done: "done", failed: "failed" };
  var SCENE_TONES = { done: "badge--ok", failed: "badge--bad", fallback: "badge--warn",
                      generating: "", queued: "badge--muted" };

  function followProgress(box) {
    var stages = {};
    var started = Date.now();
    var source = new EventSource(box.getAttribute("data-events"));
    var eta = document.getElementById("eta");
    var overall = document.getElementById("overall");

    function fraction() {
      var total = 0, done = 0;
      Object.keys(STAGE_WEIGHTS).forEach(function (name) {
        total += STAGE_WEIGHTS[name];
        var s = stages[name];
        if (s && s.total > 0) done += STAGE_WEIGHTS[name] * Math.min(1, s.done / s.total);
      });
      return done / total;
    }

    function showTime() {
      var f = fraction();
      overall.value = Math.round(f * 100);
      overall.textContent = Math.round(f * 100) + "%";
      if (f < 0.05) { eta.textContent = "Estimating the time left…"; return; }
      var elapsed = (Date.now() - started) / 1000;
      var left = Math.max(1, Math.round(elapsed / f * (1 - f)));
      eta.textContent = "About " + (left < 90 ? left + " s" : Math.round(left / 60) + " min") +
        " left (" + Math.round(f * 100) + "% done)";
    }

    source.addEventListener("stage", function (e) {
      var data = JSON.parse(e.data);
      stages[data.stage] = data;
      var item = box.querySelector('[data-stage="' + data.stage + '"] .stages__status');
      if (item) {
        item.textContent = data.total ? data.done + " of " + data.total : "working";
        item.parentElement.classList.toggle("is-done", data.total > 0 && data.done >= data.total);
        item.parentElement.classList.add("is-active");
      }
      showTime();
    });
    source.addEventListener("scene", function (e) {
      var data = JSON.parse(e.data);
      var clips = box.querySelector('[data-stage="generate"]');
      if (clips && !stages.generate) {  // scenes are under way before the first clip is counted
        clips.classList.add("is-active");
        clips.querySelector(".stages__status").textContent = "working";
      }
      var row = box.querySelector('[data-scene="' + data.scene + '"]');
      if (!row) return;
      var badge = row.querySelector(".scene-state .badge");
      var label = SCENE_LABELS[data.state] || data.state;
      if (data.provider && (data.state === "generating" || data.state === "fallback")) {
        label += " with " + data.provider;
      }
      badge.textContent = label;
      badge.className = "badge " + (SCENE_TONES[data.state] || "");
      if (data.provider) {
        row.querySelector(".scene-model code").textContent =
          data.provider + (data.model ? "/" + data.model : "");
      }
    });
    source.addEventListener("draft", function (e) {
      showDraft(box, JSON.parse(e.data).draft || {});
    });
    source.addEventListener("state", function (e) {
      var data = JSON.parse(e.data);
      if (["succeeded", "failed", "cancelled"].indexOf(data.state) >= 0) {
        source.close();
        window.location.reload();
      }
    });
    source.addEventListener("end", function () {
      source.close();
      window.location.reload();
    });
  }

  // The draft, each scene marked placeholder or final. With Media Source Extensions it plays
  // as soon as the soundtrack and the first scene exist, each later scene appended as it is
  // encoded and a swapped scene replaced in place (draft-stream.js). Without MSE it is shown
  // once draft.mp4 is whole, and reloaded at the same position when a scene is swapped in.
  var DRAFT_TONES = { placeholder: "badge--warn", final: "badge--ok", pending: "badge--muted" };
  var draft = { stream: null, fallback: false, last: null };

  function showDraftStates(box, scenes) {
    var finals = 0;
    scenes.forEach(function (state, i) {
      if (state === "final") finals += 1;
      var cell = box.querySelector('[data-scene="' + i + '"] .scene-draft .badge');
      if (!cell) return;
      cell.textContent = state === "final" ? "final" : state === "placeholder" ? "placeholder" : "not yet";
      cell.className = "badge " + (DRAFT_TONES[state] || "");
    });
    document.getElementById("draft-status").textContent = "Draft: " + finals + " of " +
      scenes.length + " scenes final, the rest are placeholders.";
  }

  function streamDraft(box, figure) {
    var Stream = window.reelroute.DraftStream;
    if (draft.fallback || !Stream || !Stream.supported()) return false;
    if (!draft.stream) {
      var base = figure.getAttribute("data-src").replace(/draft\.mp4$/, "");
      draft.stream = new Stream(document.getElementById("draft-player"), base, {
        manifest: function (m) {
          figure.hidden = false;
          showDraftStates(box, m.scenes.map(function (s) { return s.state; }));
        },
        replaced: function () {  // final already: the page shows the videos (if SSE has not)
          window.location.reload();
        },
        failed: function () {  // MSE could not play it: draft.mp4 instead, once it exists
          draft.fallback = true;
          draft.stream = null;
          var player = document.getElementById("draft-player");
          player.removeAttribute("data-revision");
          player.removeAttribute("src");
          if (draft.last) showDraft(box, draft.last);
        },
      });
    }
    draft.stream.sync();
    return true;
  }

  function showDraft(box, news) {
    var figure = document.getElementById("draft");
    if (!figure || !news.scenes) return;
    draft.last = news;
    showDraftStates(box, news.scenes);
    if (news.state === "failed") {  // the draft stopped: keep what plays, stop asking for more
      if (draft.stream) draft.stream.stopped = true;
      return;
    }
    if (streamDraft(box, figure)) return;
    if (!news.video) return;  // the whole draft is not written yet
    var player = document.getElementById("draft-player");
    var revision = String(news.revision || 0);
    if (player.getAttribute("data-revision") === revision) return;
    var at = player.currentTime || 0;
    var playing = player.getAttribute("data-revision") !== null && !player.paused;
    player.setAttribute("data-revision", revision);
    figure.hidden = false;
    player.addEventListener("loadedmetadata", function () {
      if (at > 0) player.currentTime = Math.min(at, Math.max(0, player.duration - 0.1));
      if (playing) player.play().catch(function () {});
    }, { once: true });
    player.src = figure.getAttribute("data-src") + "?revision=" + revision;
  }

  onReady(function () {
    var box = document.getElementById("progress");
    if (box && window.EventSource) followProgress(box);
  });
})();
