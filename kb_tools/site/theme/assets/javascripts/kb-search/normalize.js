/*
 * kb-tools: the JavaScript port of kb_tools.search.normalize (SPEC, algorithm version 1).
 *
 * The SPEC lives in kb_tools/search/normalize.py; this file must give exactly the same string
 * for the same input and data (tests/test_search_site_normalize.py compares both on
 * tests/data/normalize_cases.json in a real Chromium). It runs in a page, a Web Worker and the
 * iframe-worker shim (file://), so it only defines one global: `kbNormalizer`.
 *
 * kbNormalizer.create(data) -> { version, normalize(text), normalizeMap(text), fold(token) }
 *   data: the dict of kb_tools.search.normalize.export_data() (JSON).
 *   normalizeMap(text) -> { out, starts }: out === normalize(text); out[j] (UTF-16 unit) comes
 *   from text[starts[j]]; starts has out.length + 1 entries, the last is text.length.
 */
(function (root) {
  "use strict"

  function rangeClass(ranges) {
    return ranges.map(function (r) {
      var a = "\\u{" + r[0].toString(16) + "}", b = "\\u{" + r[1].toString(16) + "}"
      return r[0] === r[1] ? a : a + "-" + b
    }).join("")
  }

  function escapeClass(chars) {
    return Array.from(chars).map(function (c) {
      return "\\u{" + c.codePointAt(0).toString(16) + "}"
    }).join("")
  }

  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&")
  }

  function create(data) {
    data = data || {}
    var KATA = rangeClass(data.katakana || [[0x30A1, 0x30FA], [0x30FC, 0x30FC]])
    var HIRA = rangeClass(data.hiragana || [[0x3041, 0x3096]])
    var charMap = data.char_map || {}
    var dashes = data.dashes || ""
    var dots = data.middle_dots || ""
    var iter = data.iteration_marks || { hiragana: "\u309d", katakana: "\u30fd" }
    var LV = data.long_vowel || "\u30fc"
    var minRun = data.long_vowel_min_run || 4
    var asciiWord = new RegExp("^" + (data.ascii_word || "[a-z0-9]") + "$")
    var table = data.table || []

    var reKata = new RegExp("^[" + KATA + "]$", "u")
    var reHira = new RegExp("^[" + HIRA + "]$", "u")
    var reCharMap = Object.keys(charMap).length
      ? new RegExp("[" + escapeClass(Object.keys(charMap).join("")) + "]", "gu") : null
    var reDash = dashes ? new RegExp("(?<=[" + KATA + "])[" + escapeClass(dashes) + "]+", "gu") : null
    var reIterH = new RegExp("([" + HIRA + "])(" + escapeClass(iter.hiragana) + "+)", "gu")
    var reIterK = new RegExp("([" + KATA + "])(" + escapeClass(iter.katakana) + "+)", "gu")
    var reDot = dots ? new RegExp("(?<=[" + KATA + "])[" + escapeClass(dots) + "](?=[" + KATA + "])", "gu") : null
    var reRun = new RegExp("[" + KATA + "]{" + minRun + ",}", "gu")
    var reRunWhole = new RegExp("^[" + KATA + "]{" + minRun + ",}$", "u")

    var mapping = new Map()
    var alts = table.map(function (kv) {
      mapping.set(kv[0], kv[1])
      var key = kv[0], pat = escapeRegExp(key)
      var first = String.fromCodePoint(key.codePointAt(0))
      var chars = Array.from(key), last = chars[chars.length - 1]
      if (asciiWord.test(first)) pat = "(?<![a-z0-9])" + pat
      if (asciiWord.test(last)) pat = pat + "(?![a-z0-9])"
      return pat
    })
    var reTable = alts.length ? new RegExp(alts.join("|"), "gu") : null

    function foldRun(s) {
      return s.endsWith(LV) ? s.slice(0, -LV.length) : s
    }

    /* Steps 1-7 (same regular expressions as the Python fast path). */
    function pre(text) {
      text = text.normalize("NFKC").toLowerCase()
      if (reCharMap) text = text.replace(reCharMap, function (c) { return charMap[c] })
      if (reDash) text = text.replace(reDash, function (m) { return LV.repeat(Array.from(m).length) })
      text = text.replace(reIterH, function (_, a, b) { return a.repeat(1 + Array.from(b).length) })
      text = text.replace(reIterK, function (_, a, b) { return a.repeat(1 + Array.from(b).length) })
      if (reDot) text = text.replace(reDot, "")
      if (text.indexOf(LV) >= 0) text = text.replace(reRun, foldRun)
      return text
    }

    function normalize(text) {
      text = pre(String(text))
      if (!reTable || !text) return text
      return text.replace(reTable, function (m) { return mapping.get(m) })
    }

    /* Characters that compose with the one before them (kept in one NFKC cluster). */
    function isMark(c) {
      return /\p{M}/u.test(c) || c === "\uff9e" || c === "\uff9f" || c === "\u3099" || c === "\u309a"
    }

    /* normalize() with an offset map, one code point at a time (UTF-16 offsets). */
    function normalizeMap(text) {
      text = String(text)
      var expected = normalize(text)
      var s = [], o = []
      var cps = Array.from(text), offs = [], off = 0
      for (var k = 0; k < cps.length; k++) { offs.push(off); off += cps[k].length }
      for (var i = 0; i < cps.length;) {
        var j = i + 1
        while (j < cps.length && isMark(cps[j])) j++
        var piece = Array.from(cps.slice(i, j).join("").normalize("NFKC").toLowerCase())
        for (var p = 0; p < piece.length; p++) { s.push(piece[p]); o.push(offs[i]) }
        i = j
      }
      s = s.map(function (c) { return Object.prototype.hasOwnProperty.call(charMap, c) ? charMap[c] : c })
      for (k = 1; k < s.length; k++)
        if (dashes.indexOf(s[k]) >= 0 && reKata.test(s[k - 1])) s[k] = LV
      for (k = 1; k < s.length; k++) {
        if (s[k] === iter.hiragana && reHira.test(s[k - 1])) s[k] = s[k - 1]
        else if (s[k] === iter.katakana && reKata.test(s[k - 1])) s[k] = s[k - 1]
      }
      var keep = s.map(function (c, k) {
        return !(dots.indexOf(c) >= 0 && k > 0 && k < s.length - 1 && reKata.test(s[k - 1]) && reKata.test(s[k + 1]))
      })
      s = s.filter(function (_, k) { return keep[k] })
      o = o.filter(function (_, k) { return keep[k] })
      /* Long vowels: runs are found on code points. */
      var drop = new Set(), runStart = -1
      for (k = 0; k <= s.length; k++) {
        var isK = k < s.length && reKata.test(s[k])
        if (isK && runStart < 0) runStart = k
        if (!isK && runStart >= 0) {
          if (k - runStart >= minRun && s[k - 1] === LV) drop.add(k - 1)
          runStart = -1
        }
      }
      s = s.filter(function (_, k) { return !drop.has(k) })
      o = o.filter(function (_, k) { return !drop.has(k) })
      if (reTable) {
        var joined = s.join(""), cpAt = [], u = 0
        for (k = 0; k < s.length; k++) { cpAt[u] = k; u += s[k].length }
        cpAt[u] = s.length
        var outC = [], outO = [], pos = 0, m
        reTable.lastIndex = 0
        while ((m = reTable.exec(joined)) !== null) {
          var a = cpAt[m.index], b = cpAt[m.index + m[0].length]
          for (k = pos; k < a; k++) { outC.push(s[k]); outO.push(o[k]) }
          var val = Array.from(mapping.get(m[0]))
          for (k = 0; k < val.length; k++) { outC.push(val[k]); outO.push(o[a]) }
          pos = b
        }
        for (k = pos; k < s.length; k++) { outC.push(s[k]); outO.push(o[k]) }
        s = outC; o = outO
      }
      /* Expand to UTF-16 units. */
      var out = "", starts = []
      for (k = 0; k < s.length; k++) {
        out += s[k]
        for (var q = 0; q < s[k].length; q++) starts.push(o[k])
      }
      if (out !== expected) {
        starts = []
        for (k = 0; k < expected.length; k++)
          starts.push(Math.min(Math.max(text.length - 1, 0), Math.floor(k * text.length / Math.max(expected.length, 1))))
        out = expected
      }
      starts.push(text.length)
      return { out: out, starts: starts }
    }

    /* Step 7 applied to one token (a segment of a longer katakana run: サーバーコンピューター). */
    function fold(token) {
      return reRunWhole.test(token) ? foldRun(token) : token
    }

    return { version: data.version || "", normalize: normalize, normalizeMap: normalizeMap, fold: fold }
  }

  root.kbNormalizer = { create: create }
})(typeof self !== "undefined" ? self : this)
