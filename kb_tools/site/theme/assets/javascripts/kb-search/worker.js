/*
 * kb-tools: Japanese search for Material for MkDocs, as a wrapper around Material's own search
 * worker (Material's files are not edited).
 *
 * kb_tools/search/site.py writes this file, prefixed with `self.__kbSearch = {material, data}`
 * and normalize.js, over the worker path that Material's `__config.search` points at, and copies
 * Material's original worker next to it (`material`). Material's page bundle then talks to this
 * wrapper exactly as it talks to its own worker (same messages), from http(s):// and from
 * file:// (iframe-worker shim: importScripts returns a Promise there).
 *
 * What it changes, and why (see shared/research/ja-search.md):
 * - Index time: Material tokenises text with lunr.TinySegmenter when it exists. We install our
 *   own "TinySegmenter": every separator-delimited chunk is normalised (kbNormalizer: NFKC, case,
 *   long vowels, house dictionary), segmented with Intl.Segmenter('ja'), and each word is mapped
 *   back to its span in the original text (highlighting keeps working). The lunr pipeline is
 *   reduced to one function that drops empty tokens (punctuation).
 * - Query time: Material only splits the query at spaces, appends `*` (skipping the pipeline)
 *   and cuts kanji runs by prefix lookups. We run the query through the same normaliser and
 *   segmenter, split words the index does not know into words it knows, and ask lunr directly
 *   (exact and prefix clauses); results are re-ranked by coverage of the query words in titles
 *   and headings before Material renders them.
 *
 * Depends on Material internals (pinned, checked by tests/test_search_site_contract.py):
 * message types SETUP=0 READY=1 QUERY=2 RESULT=3; `self.lunr`; `lunr.segmenter` built from
 * `lunr.TinySegmenter` with `ctype_()` and `segment()`; `lunr.Index.prototype.search`; the
 * worker registering one "message" listener that answers with a global postMessage().
 */
(function () {
  "use strict"

  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3
  var MAX_QUERY_TOKENS = 32
  var MAX_QUERY_CHARS = 256     /* a pasted page is cut: splitting below is quadratic per word */
  var MAX_SPLIT_CHARS = 24
  var cfg = self.__kbSearch || {}
  var norm = self.kbNormalizer.create(cfg.data || {})
  var segmenter = new Intl.Segmenter("ja", { granularity: "word" })
  var here = (typeof document !== "undefined" && document.currentScript && document.currentScript.src) ||
    self.location.href
  var materialUrl = new URL(cfg.material, here).href

  /* ------------------------------------------------------------------ analysis (both sides) */

  /* Words of one chunk: [{len, text}] covering the chunk contiguously (len in the original,
     text normalised; text "" for punctuation). */
  function analyze(chunk) {
    var m = norm.normalizeMap(chunk), out = m.out, starts = m.starts
    var words = [], prev = 0, parts = []
    for (var s of segmenter.segment(out)) parts.push(s)
    for (var k = 0; k < parts.length; k++) {
      var p = parts[k]
      var end = k + 1 < parts.length ? starts[parts[k + 1].index] : chunk.length
      if (end < prev) end = prev
      words.push({ len: end - prev, text: p.isWordLike ? norm.fold(p.segment) : "" })
      prev = end
    }
    if (words.length && prev < chunk.length) words[words.length - 1].len += chunk.length - prev
    return words
  }

  function Word(w) { this.length = w.len; this.t = w.text }
  Word.prototype.toLowerCase = function () { return this.t }
  Word.prototype.toString = function () { return this.t }

  /* Material builds `lunr.segmenter = new lunr.TinySegmenter()` and calls ctype_/segment. */
  function KbSegmenter() {}
  KbSegmenter.prototype.ctype_ = function () { return "H" }
  KbSegmenter.prototype.segment = function (input) {
    if (!input) return []
    return analyze(String(input)).map(function (w) { return new Word(w) })
  }

  function kbPipe(token) {
    return token.toString() ? token : null
  }

  /* Query words: same analysis; words the index does not know are split into words it knows
     (Intl.Segmenter cuts a word alone differently from the same word in a sentence). */
  function queryWords(query, inverted) {
    var words = []
    for (var chunk of String(query).split(/\s+/)) {
      if (!chunk) continue
      for (var w of analyze(chunk)) if (w.text) words.push(w.text)
    }
    var out = []
    for (var word of words) {
      if (out.length >= MAX_QUERY_TOKENS) break
      var len = Array.from(word).length
      if (word in inverted || len < 2 || len > MAX_SPLIT_CHARS) { out.push(word); continue }
      var cps = Array.from(word), i = 0, pieces = []
      while (i < cps.length) {
        var j = cps.length
        while (j > i + 1 && !(cps.slice(i, j).join("") in inverted)) j--
        pieces.push(cps.slice(i, j).join(""))
        i = j
      }
      var known = pieces.filter(function (p) { return p in inverted })
      if (known.length && known.join("").length >= word.length / 2) out.push.apply(out, pieces)
      else out.push(word)
    }
    return Array.from(new Set(out))
  }

  /* ------------------------------------------------------------------ ranking */

  var pending = null          /* raw query of the QUERY message being handled */
  var scores = new Map()      /* location -> our score, for the last query */

  function kbSearch(index, query) {
    var words = queryWords(query, index.invertedIndex)
    scores = new Map()
    if (!words.length) return []
    var results = index.query(function (q) {
      for (var w of words) {
        q.term(w, { usePipeline: false, boost: 10 })
        if (Array.from(w).length >= 2)
          q.term(w, { usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING })
      }
    })
    var n = words.length
    for (var r of results) {
      var all = new Set(), inTitle = new Set()
      var terms = Object.keys(r.matchData.metadata)
      for (var w2 of words)
        for (var t of terms)
          if (t === w2 || t.startsWith(w2)) {
            all.add(w2)
            if (r.matchData.metadata[t].title) inTitle.add(w2)
          }
      var c = all.size / n, ct = inTitle.size / n
      var isPage = r.ref.indexOf("#") < 0
      r.score = r.score * (0.05 + c * c * c) * (1 + 2 * ct * ct) * (isPage ? 1.2 : 1)
      scores.set(r.ref, r.score)
    }
    results.sort(function (a, b) { return b.score - a.score })
    return results
  }

  function rerank(result) {
    if (!result || !Array.isArray(result.items)) return result
    var best = function (group) {
      var m = 0
      for (var it of group) m = Math.max(m, scores.get(it.location) || 0)
      return m
    }
    var keyed = result.items.map(function (g, i) { return [best(g), i, g] })
    keyed.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1] })
    result.items = keyed.map(function (k) { return k[2] })
    return result
  }

  /* ------------------------------------------------------------------ hooks into Material */

  function installLunrHooks(lunr) {
    if (lunr.__kb) return
    lunr.__kb = true
    lunr.Pipeline.registerFunction(kbPipe, "kbNormalize")
    var kbJa = function () {
      this.pipeline.reset()
      this.pipeline.add(kbPipe)
      this.searchPipeline.reset()
      this.searchPipeline.add(kbPipe)
    }
    Object.defineProperty(lunr, "ja", { configurable: true, get: function () { return kbJa }, set: function () {} })
    Object.defineProperty(lunr, "TinySegmenter", {
      configurable: true, get: function () { return KbSegmenter }, set: function () {}
    })
    var search = lunr.Index.prototype.search
    lunr.Index.prototype.search = function (q) {
      if (pending === null) return search.call(this, q)
      var raw = pending
      pending = null
      return kbSearch(this, raw)
    }
  }

  var listeners = []
  var nativeAdd = self.addEventListener
  var nativePost = self.postMessage
  var queue = []
  var loaded = false, busy = false

  self.addEventListener = function (type, fn) {
    if (type === "message") { listeners.push(fn); return }
    return nativeAdd.apply(self, arguments)
  }

  self.postMessage = function (msg) {
    if (msg && msg.type === RESULT) msg = { type: RESULT, data: rerank(msg.data) }
    var args = Array.prototype.slice.call(arguments)
    args[0] = msg
    var ret = nativePost.apply(self, args)
    if (msg && msg.type === READY) { busy = false; drain() }
    return ret
  }

  function dispatch(data) {
    if (data && data.type === SETUP) {
      var c = data.data.config
      c.lang = ["ja"]          /* our kbJa plugin replaces lunr.ja */
      c.pipeline = []
      c.separator = "[\\s\\u3000]+"
      busy = true
    } else if (data && data.type === QUERY) {
      /* Material parses the query with lunr.QueryParser before searching (`a:b` throws): it
         gets our words only, and our hook gets the raw query. */
      pending = String(data.data == null ? "" : data.data).slice(0, MAX_QUERY_CHARS)
      data = { type: QUERY, data: queryWords(pending, {}).join(" ") }
    }
    for (var fn of listeners) fn({ data: data })
    pending = null
  }

  function drain() {
    while (loaded && !busy && queue.length) dispatch(queue.shift())
  }

  nativeAdd.call(self, "message", function (ev) {
    queue.push(ev.data)
    drain()
  })

  function ready() {
    self.addEventListener = nativeAdd
    installLunrHooks(self.lunr)
    loaded = true
    drain()
  }

  var r = importScripts(materialUrl)
  if (r && typeof r.then === "function") r.then(ready)
  else ready()
})()
