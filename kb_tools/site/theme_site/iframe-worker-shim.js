/*
 * kb-tools: a local stand-in for https://unpkg.com/iframe-worker/shim (written for kb-tools).
 *
 * Browsers refuse to start a Web Worker from a file:// page, so Material's search, which runs
 * in a worker, cannot start when the site is opened from a file share or a zip. This script
 * replaces window.Worker on file:// pages with a worker that runs in a hidden same-origin
 * iframe. Material's search worker knows this arrangement: it looks for "IFrameWorker" in its
 * parent and then resolves its lunr scripts next to its own <script src>.
 *
 * Served over http(s) the page keeps the real Worker. No request leaves the site.
 */
(function () {
  "use strict";
  if (typeof window === "undefined" || window.location.protocol !== "file:") return;

  function loadScript(doc, src) {
    return new Promise(function (resolve, reject) {
      var script = doc.createElement("script");
      script.src = src;
      script.async = false;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("kb iframe-worker: cannot load " + src)); };
      (doc.head || doc.documentElement).appendChild(script);
    });
  }

  function IFrameWorker(url) {
    var target = document.createDocumentFragment();  // an EventTarget we can hold
    var self = this;
    this._target = target;
    this._queue = [];
    this._ready = false;
    this.onmessage = null;
    this.onerror = null;
    this.url = new URL(String(url), document.baseURI).href;

    var iframe = document.createElement("iframe");
    iframe.setAttribute("aria-hidden", "true");
    iframe.setAttribute("tabindex", "-1");
    iframe.title = "search worker";
    iframe.style.display = "none";
    (document.body || document.documentElement).appendChild(iframe);
    this._iframe = iframe;

    var win = iframe.contentWindow;
    var doc = win.document;
    var base = this.url;

    // The worker's globals: importScripts (async here; Material's worker awaits it) and
    // postMessage, which delivers to this object's listeners on the page.
    win.importScripts = function () {
      var urls = Array.prototype.slice.call(arguments);
      return urls.reduce(function (chain, u) {
        return chain.then(function () { return loadScript(doc, new URL(String(u), base).href); });
      }, Promise.resolve());
    };
    win.postMessage = function (data) {
      setTimeout(function () { self._emit("message", data); }, 0);
    };
    win.addEventListener("error", function (ev) {
      self._emit("error", ev && ev.error ? ev.error : ev);
    });

    loadScript(doc, this.url).then(function () {
      self._ready = true;
      var queued = self._queue;
      self._queue = [];
      queued.forEach(function (data) { self._deliver(data); });
    }, function (err) {
      self._emit("error", err);
    });
  }

  IFrameWorker.prototype._emit = function (type, data) {
    var ev = type === "message"
      ? new MessageEvent("message", { data: data })
      : new ErrorEvent("error", { error: data, message: String(data && data.message || data) });
    var handler = type === "message" ? this.onmessage : this.onerror;
    if (typeof handler === "function") handler.call(this, ev);
    this._target.dispatchEvent(ev);
  };

  IFrameWorker.prototype._deliver = function (data) {
    var win = this._iframe && this._iframe.contentWindow;
    if (!win) return;
    setTimeout(function () {
      win.dispatchEvent(new win.MessageEvent("message", { data: data }));
    }, 0);
  };

  IFrameWorker.prototype.postMessage = function (data) {
    if (this._ready) this._deliver(data);
    else this._queue.push(data);
  };

  IFrameWorker.prototype.terminate = function () {
    if (this._iframe && this._iframe.parentNode) this._iframe.parentNode.removeChild(this._iframe);
    this._iframe = null;
  };

  IFrameWorker.prototype.addEventListener = function (type, fn, opts) {
    this._target.addEventListener(type, fn, opts);
  };
  IFrameWorker.prototype.removeEventListener = function (type, fn, opts) {
    this._target.removeEventListener(type, fn, opts);
  };
  IFrameWorker.prototype.dispatchEvent = function (ev) {
    return this._target.dispatchEvent(ev);
  };

  window.IFrameWorker = IFrameWorker;
  window.Worker = IFrameWorker;
})();
