/* gongkai site search: reads the static index that `gongkai build` writes
 * under /search/ (format: generator/render/search.h) and shows the items
 * that contain every token of the query: title hits first, then 文号 and
 * 索引号 hits, then the rest, newest first within each. Plain JavaScript, no
 * dependencies. Folding and tokens follow generator/render/search_text.c:
 * change both together. */
(function () {
  "use strict";
  var PER_PAGE = 20;
  var WORD_MAX = 32;
  var FIELD = { title: 1, docno: 2, indexno: 4 };
  var script = document.currentScript;
  var base = script.getAttribute("data-index");
  var root = script.getAttribute("data-root");
  var $ = function (id) { return document.getElementById(id); };
  var CJK = /[\u3005-\u3007\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\u{20000}-\u{3ffff}]/u;
  var WORD = /[\p{L}\p{M}\p{N}]/u;

  function fold(s) { return s.normalize("NFKC").toLowerCase(); }

  /* The tokens of a query: a CJK run of one character is that character,
   * a longer run its bigrams; other runs of letters and digits are words. */
  function tokens(q) {
    var chars = Array.from(fold(q)), out = [], i = 0;
    while (i < chars.length) {
      var j = i;
      if (CJK.test(chars[i])) {
        while (j < chars.length && CJK.test(chars[j])) j++;
        if (j - i === 1) out.push(chars[i]);
        for (var k = i; k + 1 < j; k++) out.push(chars[k] + chars[k + 1]);
      } else if (WORD.test(chars[i])) {
        while (j < chars.length && !CJK.test(chars[j]) && WORD.test(chars[j])) j++;
        out.push(chars.slice(i, Math.min(j, i + WORD_MAX)).join(""));
      } else {
        j = i + 1;
      }
      i = j;
    }
    return out.filter(function (t, n) { return out.indexOf(t) === n; });
  }

  function utf8(s) { return new TextEncoder().encode(s); }

  function hash(bytes) {
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 16777619) >>> 0;
    }
    return h;
  }

  var cache = {};
  function load(path, binary) {
    if (!cache[path]) {
      cache[path] = fetch(base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return binary ? r.arrayBuffer() : r.json();
      });
    }
    return cache[path];
  }

  /* A shard as token -> {docs, masks}, decoded on first use. */
  function parseShard(buffer) {
    var b = new Uint8Array(buffer), pos = 4, map = new Map(), dec = new TextDecoder();
    function varint() {
      var v = 0, shift = 1, byte;
      do {
        byte = b[pos++];
        v += (byte & 0x7f) * shift;
        shift *= 128;
      } while (byte & 0x80);
      return v;
    }
    var n = varint();
    for (var t = 0; t < n; t++) {
      var len = varint();
      var token = dec.decode(b.subarray(pos, pos + len));
      pos += len;
      var count = varint(), size = varint();
      map.set(token, { count: count, start: pos });
      pos += size;
    }
    map.postings = function (entry) {
      var docs = new Map(), doc = 0;
      pos = entry.start;
      for (var i = 0; i < entry.count; i++) {
        var v = varint();
        doc += Math.floor(v / 2);
        docs.set(doc, v % 2 ? b[pos++] : 32);
      }
      return docs;
    };
    return map;
  }

  function lookup(manifest, token) {
    var shard = hash(utf8(token)) % manifest.shards;
    return load("s/" + shard + ".bin", true).then(function (buffer) {
      var map = buffer.map || (buffer.map = parseShard(buffer));
      var entry = map.get(token);
      return entry ? map.postings(entry) : new Map();
    });
  }

  /* Title hits first, then 文号/索引号 hits, then the rest. */
  function tier(masks) {
    if (masks.every(function (m) { return m & FIELD.title; })) return 0;
    if (masks.every(function (m) { return m & (FIELD.docno | FIELD.indexno); })) return 1;
    return 2;
  }

  function inCategory(manifest, c, wanted) {
    for (; c >= 0; c = manifest.categories[c][2]) if (c === wanted) return true;
    return false;
  }

  function find(manifest, toks, dept, cat) {
    return Promise.all(toks.map(function (t) { return lookup(manifest, t); })).then(function (lists) {
      lists.sort(function (a, b) { return a.size - b.size; });
      var hits = [];
      lists[0].forEach(function (mask, doc) {
        var masks = [mask];
        for (var i = 1; i < lists.length; i++) {
          if (!lists[i].has(doc)) return;
          masks.push(lists[i].get(doc));
        }
        if (dept >= 0 && manifest.dept[doc] !== dept) return;
        if (cat >= 0 && !inCategory(manifest, manifest.cat[doc], cat)) return;
        hits.push({ doc: doc, tier: tier(masks) });
      });
      return hits.sort(function (a, b) { return a.tier - b.tier || a.doc - b.doc; });
    });
  }

  function escape(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* s as HTML with every occurrence of a query token marked. Matching runs
   * on the folded text, mapped back to the characters as written. */
  function highlight(s, toks) {
    var chars = Array.from(s), folded = "", from = [], marked = [];
    chars.forEach(function (c, i) {
      var f = fold(c);
      for (var k = 0; k < f.length; k++) from.push(i);
      folded += f;
    });
    toks.forEach(function (t) {
      for (var at = folded.indexOf(t); at >= 0; at = folded.indexOf(t, at + 1))
        for (var k = at; k < at + t.length; k++) marked[from[k]] = true;
    });
    var html = "", open = false;
    chars.forEach(function (c, i) {
      if (marked[i] && !open) html += "<mark>";
      if (!marked[i] && open) html += "</mark>";
      open = !!marked[i];
      html += escape(c);
    });
    return html + (open ? "</mark>" : "");
  }

  function render(manifest, hits, page, toks, params) {
    var first = (page - 1) * PER_PAGE, shown = hits.slice(first, first + PER_PAGE);
    var chunks = shown.map(function (h) { return Math.floor(h.doc / manifest.chunk); });
    return Promise.all(chunks.map(function (c) { return load("d/" + c + ".json"); })).then(function (docs) {
      $("search-results").innerHTML = shown.map(function (h, i) {
        var d = docs[i][h.doc % manifest.chunk], dept = manifest.departments[manifest.dept[h.doc]];
        var cat = manifest.categories[manifest.cat[h.doc]];
        var meta = [dept && escape(dept[1]), cat && escape(cat[1]), escape(d[2]),
          d[3] && "文号：" + highlight(d[3], toks), d[4] && "索引号：" + highlight(d[4], toks)];
        return '<li><a class="search-title" href="' + escape(root + d[1].slice(1)) + '">' +
          highlight(d[0], toks) + '</a><span class="item-list-meta">' +
          meta.filter(Boolean).join(" · ") + "</span>" +
          (d[5] ? '<p class="search-summary">' + highlight(d[5], toks) + "</p>" : "") + "</li>";
      }).join("");
      $("search-results").setAttribute("start", first + 1);
      pager(hits.length, page, params);
    });
  }

  function pager(total, page, params) {
    var pages = Math.ceil(total / PER_PAGE), html = "";
    function link(p, text, rel) {
      params.set("page", p);
      return '<li><a href="?' + escape(params.toString()) + '"' + (rel ? ' rel="' + rel + '"' : "") +
        ">" + text + "</a></li>";
    }
    if (pages > 1) {
      if (page > 1) html += link(page - 1, "上一页", "prev");
      html += '<li><span class="pager-current" aria-current="page">' + page + " / " + pages + "</span></li>";
      if (page < pages) html += link(page + 1, "下一页", "next");
    }
    $("search-pager").innerHTML = html ? "<ul>" + html + "</ul>" : "";
  }

  function status(text) { $("search-status").textContent = text; }

  function run() {
    var params = new URLSearchParams(location.search);
    var q = params.get("q") || "";
    $("search-q").value = q;
    $("search-dept").value = params.get("dept") || "";
    $("search-cat").value = params.get("cat") || "";
    if (!q.trim()) return;
    var toks = tokens(q);
    if (!toks.length) return status("请输入要查找的文字或数字。");
    status("正在搜索…");
    load("index.json").then(function (manifest) {
      var index = function (list, id) {
        for (var i = 0; i < list.length; i++) if (list[i][0] === id) return i;
        return -1;
      };
      var dept = index(manifest.departments, params.get("dept"));
      var cat = index(manifest.categories, params.get("cat"));
      return find(manifest, toks, dept, cat).then(function (hits) {
        var page = Math.max(1, Math.min(parseInt(params.get("page"), 10) || 1,
          Math.ceil(hits.length / PER_PAGE)));
        status(hits.length ? "找到 " + hits.length + " 条信息。" : "没有找到包含“" + q + "”的信息。");
        return render(manifest, hits, page, toks, params);
      });
    }).catch(function () {
      status("搜索索引无法载入（请通过网站访问本页）。可以按下面的目录查找信息。");
    });
  }

  run();
})();
