// reelroute draft player on Media Source Extensions (loaded on render pages, after app.js).
// The draft plays before its last scene is encoded: the soundtrack and each scene's segment
// (fragmented MP4, timestamps from 0) are appended as they appear in the draft's manifest,
// each at its scene's start (timestampOffset), and playback goes on as segments arrive. A
// scene whose clip is swapped in has its own range replaced; the rest stays buffered, so the
// player keeps its position. Where MSE or the codecs are missing, app.js plays draft.mp4.
"use strict";

(function () {
  var POLL_MS = 500;  // while the first draft is written (scenes appear every second or so)
  var EDGE_S = 0.005;  // under half a frame: a removal never reaches the next scene's keyframe

  function mime(kind, codec) { return kind + '/mp4; codecs="' + codec + '"'; }

  function supported(codecs) {
    return !!(window.MediaSource && codecs &&
              MediaSource.isTypeSupported(mime("video", codecs.video)) &&
              MediaSource.isTypeSupported(mime("audio", codecs.audio)));
  }

  // Run one SourceBuffer operation once the buffer is idle; resolves when it is done.
  function run(buffer, operation) {
    return new Promise(function (ok, fail) {
      function go() {
        buffer.addEventListener("updateend", function () { ok(); }, { once: true });
        buffer.addEventListener("error", function () { fail(new Error("source buffer")); },
                                { once: true });
        operation();
      }
      if (buffer.updating) buffer.addEventListener("updateend", go, { once: true });
      else go();
    });
  }

  // `base`: the draft's folder URL ("/renders/<id>/draft/"); `hooks.manifest(m)` hears each
  // manifest read, `hooks.failed()` that MSE could not play it (the caller falls back),
  // `hooks.replaced()` that the render is final and its draft gone.
  function DraftStream(player, base, hooks) {
    this.player = player;
    this.base = base;
    this.hooks = hooks;
    this.placed = {};  // scene index -> the fragment appended for it
    this.source = null;
    this.busy = false;
    this.again = false;
    this.stopped = false;
  }

  DraftStream.prototype.get = function (name) {
    return fetch(this.base + name, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok) {
          var error = new Error(name + ": HTTP " + r.status);
          error.status = r.status;
          throw error;
        }
        return name.slice(-5) === ".json" ? r.json() : r.arrayBuffer();
      });
  };

  DraftStream.prototype.open = function (m) {
    var self = this;
    if (!supported(m.codecs)) return Promise.reject(new Error("codecs not supported"));
    self.source = new MediaSource();
    self.player.src = URL.createObjectURL(self.source);
    return new Promise(function (ok) {
      self.source.addEventListener("sourceopen", ok, { once: true });
    }).then(function () {
      self.source.duration = m.duration;
      self.video = self.source.addSourceBuffer(mime("video", m.codecs.video));
      self.audio = self.source.addSourceBuffer(mime("audio", m.codecs.audio));
      return self.get(m.soundtrack);
    }).then(function (bytes) {
      return run(self.audio, function () { self.audio.appendBuffer(bytes); });
    });
  };

  // One scene's fragment at its place; a swapped scene's old frames are removed first.
  DraftStream.prototype.place = function (scene) {
    var self = this, video = self.video, had = self.placed[scene.index];
    self.placed[scene.index] = scene.fragment;
    return self.get(scene.fragment).then(function (bytes) {
      var ready = had ? run(video, function () {
        video.remove(scene.start, scene.start + scene.duration - EDGE_S);
      }) : Promise.resolve();
      return ready.then(function () {
        return run(video, function () {
          video.timestampOffset = scene.start;
          video.appendBuffer(bytes);
        });
      });
    });
  };

  DraftStream.prototype.apply = function (m) {
    var self = this, chain = Promise.resolve();
    if (!self.source) {
      var first = m.scenes[0];
      if (!m.soundtrack || !first || !first.fragment) return chain;  // not playable yet
      chain = self.open(m);
    }
    m.scenes.forEach(function (scene) {
      if (scene.fragment && self.placed[scene.index] !== scene.fragment) {
        chain = chain.then(function () { return self.place(scene); });
      }
    });
    return chain.then(function () {
      self.player.setAttribute("data-revision", String(m.revision));
      var whole = m.complete && m.scenes.every(function (s) { return self.placed[s.index]; });
      if (whole && self.source.readyState === "open") self.source.endOfStream();
      self.complete = m.complete;
    });
  };

  // Read the manifest and bring the buffers up to it; polls while the first draft is written.
  DraftStream.prototype.sync = function () {
    var self = this;
    if (self.stopped) return;
    if (self.busy) { self.again = true; return; }
    self.busy = true;
    self.get("manifest.json").then(function (m) {
      if (m.replaced) return "replaced";
      self.hooks.manifest(m);
      return self.apply(m);
    }).then(function (outcome) {
      self.busy = false;
      if (outcome === "replaced") return self.replaced();
      var again = self.again;
      self.again = false;
      if (again || !self.complete) setTimeout(function () { self.sync(); }, again ? 0 : POLL_MS);
    }, function (error) {
      // 410: the render turned final between the manifest and a fragment being read
      if (error && error.status === 410) return self.replaced();
      self.stopped = true;
      self.hooks.failed();
    });
  };

  // The render is final and its draft deleted: stop, and let the page show the final videos.
  DraftStream.prototype.replaced = function () {
    this.stopped = true;
    if (this.hooks.replaced) this.hooks.replaced();
  };

  window.reelroute = window.reelroute || {};
  window.reelroute.DraftStream = DraftStream;
  window.reelroute.DraftStream.supported = function () {
    return supported({ video: "avc1.42c01f", audio: "mp4a.40.2" });
  };
})();
