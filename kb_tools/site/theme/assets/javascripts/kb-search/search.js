/*
 * kb-tools site search: the client of the prebuilt, sharded index (kb_tools/search/shards.py)
 * and a thin glue to Material for MkDocs' search UI.
 *
 * The kb plugin writes this file (after normalize.js and `self.__kbSearchSettings = {...}`) as
 * assets/kb-search/kb-search.js and loads it with a <script> placed just before Material's
 * bundle on every page. The glue (see GLUE below) is all that touches Material:
 *  - `document.forms.search` loses its name: Material's bundle then never downloads its
 *    search_index.json (it only does when a form named "search" exists);
 *  - `__config.search` (the worker Material starts) becomes an empty data: script: Material's
 *    own worker is not downloaded either;
 *  - Material keeps its input, toggles and keyboard handling (Enter picks the highest
 *    data-md-score, arrows, Escape); we fill its result meta and list with the markup Material
 *    renders (.md-search-result__item > a.md-search-result__link > article...), with its own
 *    translations (`__config.translations`, "N件見つかりました").
 * tests/test_search_site_contract.py fails when a Material upgrade changes any of this.
 *
 * Everything is loaded as scripts relative to Material's base URL (`__config.base`), so the site
 * works over http, from file://, under a sub-path and after being moved; nothing else is asked.
 * Results and snippets are built with textContent / createElement only.
 */
(function () {
  "use strict"

  var S = self.__kbSearchSettings || {}
  var MSG = S.messages || {}
  var MAX_CHARS = S.maxChars || 200
  var MAX_TERMS = 8, MAX_LOAD_TERMS = 16, PAGE_SIZE = 10, LOAD_TIMEOUT = 15000
  /* Results rendered at once (a screenful; more on scroll): six store chunks at most, which a
     browser loads in one round over http/1.1 (six connections per host). PAGE_SIZE stays the
     `limit` of kb search's OR fallback. */
  var SHOW = 6
  var TOP_K = 60                /* rows ranked in full at once; the rest on demand */
  var LOAD_ALL_BYTES = 400000   /* a site whose whole index is smaller is loaded after the first answer */
  var HEADS_EARLY_BYTES = typeof self.__kbHeadsEarly === "number" ? self.__kbHeadsEarly   /* tests */
    : 64000                     /* heads this small load with the first query's shards */
  var BG_QUIET_MS = typeof self.__kbBgQuiet === "number" ? self.__kbBgQuiet                 /* tests */
    : 200                       /* background files wait this long after a query typed or answered */
  var TERMS_ALL_BYTES = typeof self.__kbTermsAll === "number" ? self.__kbTermsAll          /* tests */
    : 1000000                   /* term files this small load in the background after a first answer */
  var TITLE_BOOST = 3, HEADINGS_BOOST = 2
  var ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
  var CODE = {}
  for (var a = 0; a < ALPHA.length; a++) CODE[ALPHA.charCodeAt(a)] = a

  /* performance.mark("kb:...") at each stage when self.__kbSearchDebug is set (bench/site_search_profile.py) */
  function mark(name) { if (self.__kbSearchDebug) performance.mark("kb:" + name) }

  function fmt(msg, args) {
    return String(msg || "").replace(/\{(\w+)\}/g, function (m, k) { return k in args ? args[k] : m })
  }

  /* ------------------------------------------------------------------ GLUE: Material's UI */

  var cfgEl = document.getElementById("__config")
  var form = document.forms.namedItem("search")
  if (!cfgEl || !form) return
  var config = JSON.parse(cfgEl.textContent)
  form.removeAttribute("name")
  config.search = "data:text/javascript,"
  cfgEl.textContent = JSON.stringify(config)
  var T = config.translations || {}
  var base = new URL(config.base || ".", location.href)
  var root = new URL(S.index || "assets/kb-search/index/", base)
  var input = form.querySelector("input.md-search__input")
  var result = document.querySelector("[data-md-component=search-result]")
  var meta = result && result.querySelector(".md-search-result__meta")
  var list = result && result.querySelector(".md-search-result__list")
  var scrollwrap = result && result.parentElement

  function setMeta(text) { if (meta) meta.textContent = text }

  /* ------------------------------------------------------------------ loading scripts */

  var loads = {}, got = {}
  function receive(key, value) { got[key] = value; mark("got:" + key) }
  self.kbSearchManifest = function (m) { receive("m", m) }
  self.kbSearchShard = function (id, obj) { receive("s:" + id, obj) }
  self.kbSearchDocs = function (id, arr) { receive("d:" + id, arr) }
  self.kbSearchHeads = function (id, arr) { receive("h:" + id, arr) }

  function KbLoadError(kind, file) { this.kind = kind; this.file = file }

  function load(key, path) {
    if (key in got) return Promise.resolve(got[key])
    if (loads[key]) return loads[key]
    var p = new Promise(function (resolve, reject) {
      var s = document.createElement("script"), done = false
      var finish = function (err) {
        if (done) return
        done = true
        clearTimeout(timer)
        s.remove()
        if (!err && !(key in got)) err = "damaged"     /* ran, but never called back: cut short */
        if (err) { delete loads[key]; reject(new KbLoadError(err, (S.index || "") + path)) } else resolve(got[key])
      }
      var timer = setTimeout(function () { finish("timeout") }, LOAD_TIMEOUT)
      s.onload = function () { finish(null) }
      s.onerror = function () { finish("missing") }
      s.src = new URL(path, root).href
      document.head.appendChild(s)
    })
    loads[key] = p
    return p
  }

  /* ------------------------------------------------------------------ analysis (= analysis.py) */

  var M = null, norm = null, TOKEN = null, lens = null, tcount = null

  function setup(m) {
    if (M) return M
    M = m
    norm = self.kbNormalizer.create(m.data)
    var cjk = m.cjk
    TOKEN = new RegExp("([" + cjk + "]+)|((?:(?![" + cjk + "])[\\p{L}\\p{N}])+)", "gu")
    lens = new Float64Array(m.pages); tcount = new Uint8Array(m.pages)
    var k1 = m.k1, b = m.b, avg = m.avgdl || 1
    for (var i = 0; i < m.pages; i++) {
      var len = Math.pow(m.lenBase, CODE[m.lens.charCodeAt(i)]) - 1
      lens[i] = k1 * ((1 - b) + b * len / avg)
      tcount[i] = CODE[m.tcount.charCodeAt(i)]
    }
    return M
  }

  function isStop(t) { return t.length === 1 && t >= "\u3041" && t <= "\u3096" }

  /* Query-mode terms of normalised text: words, and CJK runs as bigrams (one character alone). */
  function terms(text) {
    var out = [], m
    TOKEN.lastIndex = 0
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[2]) { out.push(m[2]); continue }
      var run = Array.from(m[1])
      if (run.length === 1) out.push(run[0])
      else for (var i = 0; i + 1 < run.length; i++) out.push(run[i] + run[i + 1])
    }
    return Array.from(new Set(out.filter(function (t) { return !isStop(t) })))
  }

  function parse(raw) {
    var notes = []
    var q = String(raw || "").replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g, " ")
    if (q.length > MAX_CHARS) { notes.push(fmt(MSG.too_long, { n: MAX_CHARS })); q = q.slice(0, MAX_CHARS) }
    var words = q.replace(/"/g, " ").split(/\s+/).filter(Boolean)
    var normWords = words.map(function (w) { return norm.normalize(w) }).filter(Boolean)
    var ts = terms(norm.normalize(words.join(" ")))
    return { words: words, normWords: normWords, qn: normWords.join("").replace(/\s+/g, ""), terms: ts, notes: notes }
  }

  /* ------------------------------------------------------------------ postings */

  /* A term's postings: page ids ascending (Int32Array) and their values (tf << 2 | heading << 1
     | title), decoded once per term and kept (the last 256 terms). */
  var decoded = new Map()
  var NONE = { ids: new Int32Array(0), vals: new Int32Array(0), size: 0 }
  function decode(enc) {
    var n = enc.length, i, k = 0, ids, vals
    if (enc.charCodeAt(0) === 100) {                 /* "d": one character per page */
      ids = new Int32Array(n - 1); vals = new Int32Array(n - 1)
      for (i = 1; i < n; i++) { var v = CODE[enc.charCodeAt(i)]; if (v) { ids[k] = i - 1; vals[k++] = v } }
      return { ids: ids.subarray(0, k), vals: vals.subarray(0, k), size: k }
    }
    var nums = [], val = 0, shift = 0
    for (i = 1; i < n; i++) {
      var x = CODE[enc.charCodeAt(i)]
      if (x === undefined) break
      if (x >= 32) { val += (x - 32) * Math.pow(2, shift); shift += 5 }
      else { nums.push(val + x * Math.pow(2, shift)); val = 0; shift = 0 }
    }
    var m = nums.length >> 1, prev = -1
    ids = new Int32Array(m); vals = new Int32Array(m)
    for (i = 0; i < m; i++) { prev += nums[2 * i] + 1; ids[i] = prev; vals[i] = nums[2 * i + 1] }
    return { ids: ids, vals: vals, size: m }
  }

  function fnv(s) {
    var h = 0x811c9dc5
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0 }
    return h
  }

  function where(t) {
    var big = M.big[t]
    if (big !== undefined && Object.prototype.hasOwnProperty.call(M.big, t)) return ["s:t" + big, "t/" + big + ".js", "t" + big]
    var i = fnv(t) % M.shards
    return ["s:" + i, "s/" + i + ".js", String(i)]
  }

  function postings(t) {
    if (decoded.has(t)) return Promise.resolve(decoded.get(t))
    var w = where(t)
    return load(w[0], w[1]).then(function (shard) {
      var enc = Object.prototype.hasOwnProperty.call(shard, t) ? shard[t] : ""
      mark("decode0:" + t)
      var pl = enc ? decode(enc) : NONE
      mark("decode1:" + t)
      if (decoded.size > 256) decoded.delete(decoded.keys().next().value)
      decoded.set(t, pl)
      return pl
    })
  }

  /* ------------------------------------------------------------------ ranking (= query.py) */

  /* Per-page accumulators of one ranking (reused: a query touches only its terms' pages). */
  var acc = null
  function accumulators() {
    if (!acc || acc.n !== M.pages) {
      var n = M.pages
      acc = { n: n, score: new Float64Array(n), cnt: new Uint8Array(n), inT: new Uint8Array(n), inH: new Uint8Array(n) }
    }
    return acc
  }

  /* kb search's ranking (query.py): AND over the rarest MAX_TERMS terms, BM25; below PAGE_SIZE
     results the pages holding some of the terms follow at half score; then the title/heading
     bonuses. One pass over each term's postings into typed per-page accumulators. Rows:
     [score, page, terms in the title, terms in headings], best first. */
  function rank(q, pls) {
    var n = M.pages, k1 = M.k1
    pls = pls.map(function (pl, i) { return { t: q.terms[i], pl: pl, idf: Math.log(n / (pl.size + 1)) + 1 } })
    pls.sort(function (x, y) { return x.pl.size - y.pl.size })
    if (pls.length > MAX_TERMS) pls = pls.slice(0, MAX_TERMS)
    var A = accumulators(), score = A.score, cnt = A.cnt, inT = A.inT, inH = A.inH
    var nt = pls.length, touched = []
    for (var p of pls) {
      var ids = p.pl.ids, vals = p.pl.vals, w = p.idf * (k1 + 1)
      for (var j = 0; j < ids.length; j++) {
        var d = ids[j], v = vals[j], tf = v >> 2
        if (cnt[d] === 0) { touched.push(d); score[d] = 0; inT[d] = 0; inH[d] = 0 }
        cnt[d]++
        score[d] += w * tf / (tf + lens[d])
        inT[d] += v & 1; inH[d] += (v >> 1) & 1
      }
    }
    var picked = [], rest = []
    for (var d1 of touched) (cnt[d1] === nt ? picked : rest).push(d1)
    var total = picked.length, half = total < PAGE_SIZE && nt > 1
    var docs = half ? picked.concat(rest) : picked, m = docs.length
    var fs = new Float64Array(m), ts = new Uint8Array(m), hs = new Uint8Array(m)
    for (var i = 0; i < m; i++) {
      var doc = docs[i], t = inT[doc], h = inH[doc], bonus = 0, tc = tcount[doc]
      if (t === nt) bonus += tc === nt ? 4 : 2
      if (h === nt) bonus += 1
      bonus += TITLE_BOOST * 0.5 * t / nt + HEADINGS_BOOST * 0.25 * h / nt
      if (tc) bonus += 0.5 * Math.min(t, tc) / tc
      fs[i] = score[doc] * (i < total ? 1 : 0.5) / 10 + bonus
      ts[i] = t; hs[i] = h
    }
    for (var d4 of touched) cnt[d4] = 0
    /* Only the best TOP_K rows are sorted now (a threshold from a native sort of the scores);
       the rest, all scored lower, when "more" reaches them. */
    var thr = -Infinity
    if (m > 2 * TOP_K) thr = fs.slice().sort()[m - TOP_K]
    var head = [], tail = []
    for (var k = 0; k < m; k++) if (fs[k] >= thr) head.push(k); else tail.push(k)
    var rows = function (idx) {
      return idx.map(function (x) { return [fs[x], docs[x], ts[x], hs[x]] })
        .sort(function (x, y) { return y[0] - x[0] || x[1] - y[1] })
    }
    return { rows: rows(head), rest: tail.length ? function () { return rows(tail) } : null,
             total: half ? m : total, nt: nt }
  }

  function intersect(a, ids) {                      /* both ascending */
    var out = [], j = 0
    for (var i = 0; i < a.length && j < ids.length; i++) {
      while (j < ids.length && ids[j] < a[i]) j++
      if (ids[j] === a[i]) out.push(a[i])
    }
    return out
  }

  function storeEntry(doc) {
    var c = Math.floor(doc / M.chunk)
    return load("d:" + c, "d/" + c + ".js").then(function (arr) { return arr[doc - c * M.chunk] })
  }

  function entryNow(doc) {                          /* the store entry, if its chunk is here */
    var c = Math.floor(doc / M.chunk), arr = got["d:" + c]
    return arr ? arr[doc - c * M.chunk] : null
  }

  /* A page's head (url and title) as a store entry without intro and sections, if its heads
     file is here (loaded in the background after a first answer: loadHeads). */
  function headEntry(doc) {
    if (!M.head) return null
    var c = Math.floor(doc / M.head), arr = got["h:" + c], i = 2 * (doc - c * M.head)
    return arr && i + 1 < arr.length ? [arr[i], arr[i + 1], "", []] : null
  }

  /* Exact title / heading evidence on the documents shown (the postings only know term sets). */
  function refine(q, row, e) {
    if (!q.qn || !e) return row[0]
    var title = normC(e[1]).replace(/\s+/g, ""), s = row[0]
    if (title === q.qn) s += 100
    else if (title.indexOf(q.qn) >= 0) s += 0.5
    for (var sec of e[3]) {
      var h = normC(sec[1]).replace(/\s+/g, "")
      if (h === q.qn) { s += 0.5; break }
    }
    return s
  }

  /* ------------------------------------------------------------------ snippets and marks */

  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter("ja", { granularity: "word" }) : null

  /* Whole query words to highlight: the normalised words, or — when a word does not occur as a
     whole — its Intl.Segmenter words (never bigram fragments). */
  function needles(q, hay) {
    var out = []
    for (var w of q.normWords) {
      if (hay.indexOf(w) >= 0 || !segmenter) { out.push(w); continue }
      for (var s of segmenter.segment(w))
        if (s.isWordLike && !isStop(s.segment)) out.push(s.segment)
    }
    return Array.from(new Set(out.filter(Boolean))).sort(function (x, y) { return y.length - x.length })
  }

  /* normalize() of display strings, memoised (section titles and excerpts recur across queries). */
  var normMemo = new Map()
  function normC(text) {
    var v = normMemo.get(text)
    if (v === undefined) {
      v = norm.normalize(text)
      if (normMemo.size > 4096) normMemo.clear()
      normMemo.set(text, v)
    }
    return v
  }

  function spans(text, words) {
    var n = normC(text), hit = false
    for (var w0 of words) if (n.indexOf(w0) >= 0) { hit = true; break }
    if (!hit) return []                              /* the offset map only where a word occurs */
    var m = norm.normalizeMap(text), out = []
    for (var w of words) {
      var i = m.out.indexOf(w)
      while (i >= 0) { out.push([m.starts[i], m.starts[i + w.length]]); i = m.out.indexOf(w, i + w.length) }
    }
    out.sort(function (x, y) { return x[0] - y[0] })
    var merged = []
    for (var sp of out) {
      var last = merged[merged.length - 1]
      if (last && sp[0] <= last[1]) last[1] = Math.max(last[1], sp[1])
      else merged.push([sp[0], sp[1]])
    }
    return merged
  }

  function marked(parent, text, words) {
    var pos = 0
    for (var sp of spans(text, words)) {
      parent.appendChild(document.createTextNode(text.slice(pos, sp[0])))
      var mk = document.createElement("mark")
      mk.setAttribute("data-md-highlight", "")
      mk.textContent = text.slice(sp[0], sp[1])
      parent.appendChild(mk)
      pos = sp[1]
    }
    parent.appendChild(document.createTextNode(text.slice(pos)))
    return parent
  }

  /* ------------------------------------------------------------------ rendering (Material's markup) */

  function href(location, words) {
    var url = new URL(location, base)
    if (words.length) url.searchParams.set("h", words.join(" "))
    return url.href
  }

  function article(location, words, score, heading, tag, text, marks, parent) {
    var a = document.createElement("a")
    a.href = href(location, words)
    a.className = "md-search-result__link"
    a.tabIndex = -1
    var art = document.createElement("article")
    art.className = "md-search-result__article md-typeset"
    art.setAttribute("data-md-score", score.toFixed(2))
    if (parent) {
      var icon = document.createElement("div")
      icon.className = "md-search-result__icon md-icon"
      art.appendChild(icon)
    }
    art.appendChild(marked(document.createElement(tag), heading, marks))
    if (text) marked(art, text, marks)
    a.appendChild(art)
    return a
  }

  function sectionScore(q, sec) {
    var h = normC(sec[1]), body = normC(sec[2]), s = 0
    for (var t of q.terms) s += (h.indexOf(t) >= 0 ? 2 : 0) + (body.indexOf(t) >= 0 ? 1 : 0)
    return s / (2 * Math.max(q.terms.length, 1))
  }

  function renderItem(q, e, score) {
    var li = document.createElement("li")
    li.className = "md-search-result__item"
    var words = q.words
    var pageHay = normC(e[1]) + " " + normC(e[2])
    var secs = []
    for (var sec of e[3]) {
      var s = sectionScore(q, sec)
      if (s > 0) secs.push([s, sec])
    }
    secs.sort(function (x, y) { return y[0] - x[0] })
    var marks = needles(q, pageHay)
    li.appendChild(article(e[0], words, score, e[1], "h1", secs.length ? "" : e[2], marks, true))
    var best = secs.filter(function (x) { return x[0] >= 0.5 }), more = secs.filter(function (x) { return x[0] < 0.5 })
    var add = function (into, x) {
      var hay = normC(x[1][1]) + " " + normC(x[1][2])
      into.appendChild(article(e[0] + "#" + x[1][0], words, score * x[0], x[1][1], "h2", x[1][2], needles(q, hay), false))
    }
    best.forEach(function (x) { add(li, x) })
    if (more.length) {
      var details = document.createElement("details")
      details.className = "md-search-result__more"
      var summary = document.createElement("summary")
      summary.tabIndex = -1
      var div = document.createElement("div")
      div.textContent = more.length === 1 ? T["search.result.more.one"] : String(T["search.result.more.other"] || "").replace("#", more.length)
      summary.appendChild(div)
      details.appendChild(summary)
      more.forEach(function (x) { add(details, x) })
      li.appendChild(details)
    }
    return li
  }

  function countText(n) {
    if (n === 0) return T["search.result.none"] || ""
    if (n === 1) return T["search.result.one"] || "1"
    return String(T["search.result.other"] || "#").replace("#", n)
  }

  /* ------------------------------------------------------------------ the search loop */

  var seq = 0, shown = null

  function fail(err) {
    var kind = err && err.kind ? err.kind : "error"
    setMeta(fmt(MSG[kind] || MSG.error || "search index unavailable: {file}", { file: (err && err.file) || "", error: String(err) }))
    if (list) list.textContent = ""
  }

  function manifest() {
    return load("m", "manifest.js").then(setup)
  }

  function search(raw) {
    var my = ++seq
    mark("search:" + my)
    shown = null                                     /* the earlier query's "more" is dropped */
    if (!String(raw || "").trim()) {
      setMeta(T["search.result.placeholder"] || ""); if (list) list.textContent = ""; shown = null
      return Promise.resolve()
    }
    return manifest().then(function () {
      var q = parse(raw)
      if (!q.terms.length) return { q: q, rows: [], total: 0 }
      var ts = q.terms.slice(0, MAX_LOAD_TERMS)
      q.terms = ts
      /* While the other shards load: once the pages holding every term loaded so far are few
         enough to be the first results, their store chunks are requested (the last hop overlaps). */
      var inter = null
      var early = function (pl) {
        if (my !== seq) return pl
        inter = inter === null ? Array.from(pl.ids) : intersect(inter, pl.ids)
        if (inter.length && inter.length <= SHOW) inter.forEach(function (d) { storeEntry(d).catch(function () {}) })
        return pl
      }
      var pending = Promise.all(ts.map(function (t) { return postings(t).then(early) }))
      loadHeads(true)                                /* after the shards: they are asked first */
      return pending.then(function (pls) {
        mark("rank0")
        var r = rank(q, pls)
        mark("rank1")
        return { q: q, rows: r.rows, rest: r.rest, total: r.total, nt: r.nt }
      })
    }).then(function (r) {
      if (my !== seq) return
      var top = r.rows.slice(0, SHOW)
      var full = Promise.all(top.map(function (row) { return storeEntry(row[1]) }))
      /* Titles first: when every result shown has its store entry or its head here (or its
         heads file arrives before the store chunks), the list is rendered from them and each
         head's intro and sections fill in when its chunk arrives. Only when no result shown has
         every term in its headings: then no section heading can equal the query (refine's
         heading bonus), so the heads give the final order. */
      var heads = function () {
        return top.map(function (row) { return entryNow(row[1]) || (row[3] < r.nt ? headEntry(row[1]) : null) })
      }
      var ready = function (es) { return top.length > 0 && es.every(function (e) { return e }) }
      var now = heads()
      var first = ready(now) ? Promise.resolve(now) : Promise.race([full, headsArriving(top, r.nt).then(function () {
        var h = heads()
        return ready(h) ? h : full
      })])
      return first.then(function (entries) {
        if (my !== seq) return
        var items = answer(r, top, entries, my)
        return full.then(function (all) {
          if (my !== seq) return
          mark("filled")
          items.forEach(function (it) {
            var e = all[it.i]
            if (e && e !== it.e && it.li.parentNode === list) list.replaceChild(renderItem(r.q, e, it.score), it.li)
          })
        })
      })
    }).catch(function (err) { if (my === seq) fail(err) })
  }

  /* The heads files of the rows of `top` without a store entry, when all are loaded or being
     loaded (and may serve: no row has every term in its headings); else a promise that never
     settles (the store chunks answer). */
  function headsArriving(top, nt) {
    var never = new Promise(function () {}), files = {}
    if (!M.head) return never
    for (var row of top) {
      if (row[3] >= nt) return never
      if (entryNow(row[1])) continue
      var c = Math.floor(row[1] / M.head)
      if (!(("h:" + c) in got) && !loads["h:" + c]) return never
      files[c] = true
    }
    return Promise.all(Object.keys(files).map(function (c) { return load("h:" + c, "h/" + c + ".js") }))
      .catch(function () { return never })
  }

  /* Render the first answer of query `my` from `entries` (store entries or heads, in the order
     of `top`); the rendered items: [{i: index in top, e: entry, score, li}]. */
  function answer(r, top, entries, my) {
    mark("render0")
    var items = top.map(function (row, i) { return { i: i, e: entries[i], score: refine(r.q, row, entries[i]), row: row } })
    items.sort(function (x, y) { return y.score - x.score || x.row[1] - y.row[1] })
    var note = r.q.notes.length ? "（" + r.q.notes.join(" ") + "）" : ""
    if (!r.q.terms.length) note = MSG.no_terms || ""
    setMeta(countText(r.total) + note)
    list.textContent = ""
    items = items.filter(function (it) { return it.e })
    items.forEach(function (it) { it.li = list.appendChild(renderItem(r.q, it.e, it.score)) })
    shown = { q: r.q, rows: r.rows, rest: r.rest, next: SHOW, seq: my }
    mark("render1")
    fill()
    return items
  }

  function more() {
    if (shown && shown.rest && shown.next + SHOW > shown.rows.length) {
      shown.rows = shown.rows.concat(shown.rest()); shown.rest = null
    }
    if (!shown || shown.next >= shown.rows.length || shown.loading) return
    var s = shown, rows = s.rows.slice(s.next, s.next + SHOW)
    s.loading = true
    Promise.all(rows.map(function (row) { return storeEntry(row[1]) })).then(function (entries) {
      s.loading = false
      if (shown !== s) return
      rows.forEach(function (row, i) { if (entries[i]) list.appendChild(renderItem(s.q, entries[i], row[0])) })
      s.next += rows.length
      fill()
    }).catch(function (err) { s.loading = false; fail(err) })
  }

  /* More results while the list does not fill its scroll area (no scroll event would come):
     like background files, once no query has been typed or answered for BG_QUIET_MS and the
     page is idle, so the answer's frame and a query typed right after it do not wait for them
     (six more store chunks would take every connection). */
  var idle = self.requestIdleCallback ? function (fn) { self.requestIdleCallback(fn, { timeout: 500 }) }
    : function (fn) { setTimeout(fn, 50) }
  function fill() {
    var s = shown
    settled(function () {
      if (s !== shown) return
      if (scrollwrap && scrollwrap.clientHeight && scrollwrap.scrollHeight <= scrollwrap.clientHeight + 40) more()
    })
  }

  /* Small sites: once the first answer is shown, the rest of the index is loaded while the
     reader looks at it (six files at a time, after the same pause as background files: below),
     so later queries load nothing. */
  var loadingAll = false
  function loadAll() {
    if (loadingAll || !M || !M.bytes || M.bytes > LOAD_ALL_BYTES) return
    loadingAll = true
    var todo = [], i
    for (i = 0; i < (M.heads || 0); i++) todo.push(["h:" + i, "h/" + i + ".js"])   /* heads first: answers render from them */
    for (i = 0; i < M.shards; i++) todo.push(["s:" + i, "s/" + i + ".js"])
    for (var t in M.big) if (Object.prototype.hasOwnProperty.call(M.big, t)) todo.push(["s:t" + M.big[t], "t/" + M.big[t] + ".js"])
    for (i = 0; i * M.chunk < M.pages; i++) todo.push(["d:" + i, "d/" + i + ".js"])
    todo = todo.filter(function (x) { return !(x[0] in got) })
    var next = function () {
      var batch = todo.splice(0, 6)
      if (!batch.length) return
      Promise.all(batch.map(function (x) { return load(x[0], x[1]).catch(function () {}) })).then(function () { settled(next) })
    }
    settled(next)
  }

  /* Background files, once a first answer is shown: three in flight (half of http/1.1's six
     connections: a query's own files still get theirs), none started while a query is being
     answered or within BG_QUIET_MS of the last one typed or answered — a query's shards and
     chunks get the connections and the main thread (a reader typing the next query as soon as
     the first answer shows waited ~100 ms more for the files in flight). A file that fails is
     only not used. */
  var bg = [], bgFlight = 0, lastBusy = 0
  function settled(fn) {
    whenQuiet(function () {
      var wait = lastBusy + BG_QUIET_MS - performance.now()
      if (wait > 0) setTimeout(function () { settled(fn) }, wait); else idle(fn)
    })
  }
  function background(items) {
    for (var x of items) bg.push(x)
    settled(pump)
  }
  function pump() {
    while (bgFlight < 3 && bg.length) {
      var x = bg.shift()
      if (x[0] in got || loads[x[0]]) continue
      bgFlight++
      load(x[0], x[1]).then(next, next)
    }
    function next() { bgFlight--; settled(pump) }
  }

  /* The heads of every page (about 55 bytes a page), so answers render before their store
     chunks: with the first query's shards (`early`: three files in flight) when they are at
     most HEADS_EARLY_BYTES (a site of ~1,000 pages), else in the background after the first
     answer (not on small sites: loadAll has them). */
  var loadingHeads = false
  function loadHeads(early) {
    if (loadingHeads || !M || !M.heads) return
    if (early ? !(M.headBytes <= HEADS_EARLY_BYTES) : M.bytes && M.bytes <= LOAD_ALL_BYTES) return
    loadingHeads = true
    var todo = []
    for (var i = 0; i < M.heads; i++) todo.push(["h:" + i, "h/" + i + ".js"])
    if (!early) return background(todo)
    var next = function () {
      var x = todo.shift()
      if (x) load(x[0], x[1]).then(next, next)
    }
    next(); next(); next()
  }

  /* Sites whose term files (shards and big terms) total at most TERMS_ALL_BYTES (~2,000
     pages): after the first answer they load in the background, after the heads, so a later
     query needs no file before its answer (rendered from the heads; each result's chunk fills
     it in). Larger sites load a later query's shards when it is typed. */
  var loadingTerms = false
  function loadTerms() {
    if (loadingTerms || !M || !M.termBytes || M.termBytes > TERMS_ALL_BYTES || (M.bytes && M.bytes <= LOAD_ALL_BYTES)) return
    loadingTerms = true
    var todo = [], i
    for (i = 0; i < M.shards; i++) todo.push(["s:" + i, "s/" + i + ".js"])
    for (var t in M.big) if (Object.prototype.hasOwnProperty.call(M.big, t)) todo.push(["s:t" + M.big[t], "t/" + M.big[t] + ".js"])
    background(todo)
  }

  var answering = 0, quiet = []
  function whenQuiet(fn) { if (answering) quiet.push(fn); else fn() }

  var last = null
  function onInput() {
    var v = input.value
    if (v === last) return
    last = v
    answering++
    lastBusy = performance.now()
    var done = function () {
      self.__kbSearchDone = (self.__kbSearchDone || 0) + 1  /* tests, benchmark */
      lastBusy = performance.now()
      if (!--answering) quiet.splice(0).forEach(function (fn) { fn() })
      loadAll(); loadHeads(); loadTerms()
    }
    search(v).then(done, done)
  }

  if (input && meta && list) {
    setMeta(T["search.result.placeholder"] || "")
    input.addEventListener("input", onInput)
    input.addEventListener("keyup", onInput)
    input.addEventListener("focus", function () {            /* start loading as Material does */
      manifest().then(function () { if (input.value) onInput() }, fail)
    })
    if (scrollwrap) scrollwrap.addEventListener("scroll", function () {
      if (scrollwrap.scrollTop + scrollwrap.clientHeight >= scrollwrap.scrollHeight - 40) more()
    })
    /* The manifest (about 2 KB per 1,000 pages) is requested now, beside Material's bundle
       (an async script: nothing waits for it), so a first query only waits for its shards. */
    manifest().catch(function () {})
    var params = new URL(location.href).searchParams
    if (params.get("q")) setTimeout(onInput, 0)   /* Material fills the box from ?q= */
  }

  /* ------------------------------------------------------------------ ?h= highlight on the page */

  function highlightPage() {
    var h = new URL(location.href).searchParams.get("h")
    var el = document.querySelector("[data-md-component=content]") || document.querySelector("article")
    if (!h || !el || !self.kbNormalizer) return
    var n = self.kbNormalizer.create(S.data || {})
    var words = h.split(/\s+/).map(function (w) { return n.normalize(w) }).filter(Boolean)
    if (!words.length) return
    var nodes = [], it = document.createNodeIterator(el, NodeFilter.SHOW_TEXT)
    for (var node = it.nextNode(); node; node = it.nextNode())
      if (node.parentElement && !node.parentElement.closest("script,style,mark")) nodes.push(node)
    var savedNorm = norm
    norm = n
    for (var tn of nodes) {
      var text = tn.textContent
      if (!spans(text, words).length) continue
      var frag = marked(document.createDocumentFragment(), text, words)
      tn.replaceWith(frag)
    }
    norm = savedNorm
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", highlightPage)
  else highlightPage()
})()

/* Material's patchEllipsis gives each truncated `.md-ellipsis` (every navigation title) a title,
   found through one shared IntersectionObserver whose every entry is passed to every observed
   element's filter: quadratic in the navigation's size (1,270 titles on a page of a 10,000-page
   site: ~200 ms of the main thread right after the load event, inside the reader's first query).
   On a navigation that large (over ELLIPSIS_AT titles) the titles take kb's class with the same
   rules (search_glue.GLUE["ellipsis_css"], checked against Material's stylesheet, given to the
   client in its settings as `ellipsisCss`) before Material's
   bundle runs, and a truncated title gets its `title` when it is pointed at or focused. */
;(function () {
  "use strict"
  var AT = typeof self.__kbEllipsisAt === "number" ? self.__kbEllipsisAt : 300 /* ELLIPSIS_AT */
  var nav = document.querySelector(".md-nav--primary")
  if (!nav) return
  var items = nav.querySelectorAll(".md-nav__link .md-ellipsis")
  if (items.length <= AT) return
  var style = document.createElement("style")
  style.setAttribute("data-kb-ellipsis", "")
  style.textContent = (self.__kbSearchSettings || {}).ellipsisCss || ""  /* search_glue.client_source */
  document.head.appendChild(style)
  for (var i = 0; i < items.length; i++) {
    items[i].classList.add("kb-ellipsis")
    items[i].classList.remove("md-ellipsis")
  }
  function titled(ev) {
    var t = ev.target
    if (!t || !t.closest) return
    var el = t.closest(".kb-ellipsis") || (t.querySelector && t.querySelector(".kb-ellipsis"))
    if (!el || el.offsetWidth >= el.scrollWidth) return
    var host = el.closest("a") || el
    if (!host.title) host.title = el.innerText
  }
  nav.addEventListener("mouseover", titled)
  nav.addEventListener("focusin", titled)
})()
