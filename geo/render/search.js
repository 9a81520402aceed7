/* Iran–Pakistan frontier atlas: search over features and claims (our own code, MIT).
 * A folium element of geo/render/elements.py; started by its script as atlas.search(map, options)
 * after atlas.start(map) has drawn the layers. Data strings go into the page as text, never as HTML.
 */
import {data, featureTitle, LABEL} from './data.js';
import {select, showClaim} from './select.js';
import {A, h, has, isEmpty, later} from './util.js';
A.search = later(function (map, opts) {

  function addSearch(map) {
    // Each entry is searched in two tiers: its names (title, names, id) first, then its text
    // (a claim's claim, quote and what the sources say; a feature's quote, notes and other values).
    // A hit in the text shows the words around it, so the reader sees why it matched.
    var NOT_TEXT = {sources: 1, source_urls: 1, license: 1, attribution: 1, article_paragraph: 1, article_start: 1, article_end: 1};
    // the index is built on the first search, not at start-up
    var index = null;
    // lower case, punctuation and dashes as spaces, one character for one (so that positions in the
    // folded text are positions in the text): "Mand–Pishin" is found by "mand pishin"
    function fold(s) { return String(s).toLowerCase().replace(/[^a-z0-9\u00c0-\u024f\u0600-\u06ff\u2016]/g, ' '); }
    function buildIndex() {
    index = [];
    // the article's words around each feature: the passages that name it
    var said = Object.create(null);
    var links = document.querySelectorAll('#tab-article a.passage');
    for (var li = 0; li < links.length; li++) {
      String(links[li].getAttribute('data-refs') || '').split(' ').forEach(function (id) {
        if (id) (said[id] = said[id] || []).push(links[li].textContent);
      });
    }
    function tier(parts) { return parts.filter(function (v) { return !isEmpty(v); }).map(String).join(' \u2016 '); }
    Object.keys(A.features).forEach(function (id) {
      var r = A.features[id];
      var p = r.feature.properties || {};
      var title = featureTitle(r.feature, r.layerName);
      var names = tier([title, p.name, p.name_alt, p.name_pk, p.name_ir, p.name_local, p.location, id]);
      var text = tier(Object.keys(p).sort().filter(function (k) {
        return !NOT_TEXT[k] && (typeof p[k] === 'string' || typeof p[k] === 'number');
      }).map(function (k) { return p[k]; }).concat(has(said, id) ? said[id] : []));
      index.push({id: id, label: title, kind: LABEL[r.layerName] || r.layerName, names: names, text: text});
    });
    (data.claims || []).forEach(function (c) {
      index.push({id: c.id, label: c.claim || c.topic || c.id, kind: 'Claim', claim: true,
        names: tier([c.topic, c.id]), text: tier([c.claim, c.article_quote, c.what_sources_say, c.measured_note,
          isEmpty(c.measured_value) ? null : c.measured_value + (c.measured_unit ? ' ' + c.measured_unit : '')])});
    });
    index.forEach(function (it) { it.namesL = fold(it.names); it.textL = fold(it.text); });
    }
    function snippet(text, at, n) {
      var a = Math.max(0, at - 30), b = Math.min(text.length, at + n + 30);
      var s = text.slice(a, b).split(' \u2016 ').join(' · ');
      return (a > 0 ? '…' : '') + s + (b < text.length ? '…' : '');
    }
    // Ranking: the query (or every one of its words) in an entry's names before its text; among
    // name hits an exact name first, then a name that starts with the query, then a word that
    // does; places and sites before events that merely happened there.
    var KIND_RANK = {Places: 0, 'Border markets': 1, 'Border crossings': 1, Provinces: 1, Border: 2, 'Gas pipeline': 2};
    function nameScore(it, q) {
      var names = it.namesL.split(' \u2016 ');
      var best = 9;
      names.forEach(function (n) {
        if (n === q) best = Math.min(best, 0);
        else if (n.indexOf(q) === 0) best = Math.min(best, 1);
        else if (new RegExp('(^|[^a-z0-9])' + q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).test(n)) best = Math.min(best, 2);
        else if (n.indexOf(q) >= 0) best = Math.min(best, 3);
      });
      return best;
    }
    A.search = function (q) {
      q = fold(q || '').trim().replace(/\s+/g, ' ');
      if (!q) return [];
      if (!index) buildIndex();
      var words = q.split(' ');
      var hits = [];
      index.forEach(function (it, i) {
        var ns = nameScore(it, q);
        var kr = has(KIND_RANK, it.kind) ? KIND_RANK[it.kind] : 3;
        if (ns < 9) { hits.push({it: it, rank: ns * 10 + kr, i: i}); return; }
        var at = it.textL.indexOf(q);
        if (at >= 0) { hits.push({it: it, rank: 40 + kr, i: i, at: at, n: q.length}); return; }
        // every word somewhere in the names or the text ("gwadar port")
        var all = it.namesL + ' \u2016 ' + it.textL;
        if (words.length > 1 && words.every(function (w) { return all.indexOf(w) >= 0; })) {
          var w0 = words[words.length - 1], at2 = it.textL.indexOf(w0);
          hits.push({it: it, rank: (words.some(function (w) { return it.namesL.indexOf(w) >= 0; }) ? 50 : 60) + kr, i: i,
            at: at2 >= 0 ? at2 : null, n: w0.length});
        }
      });
      hits.sort(function (x, y) { return x.rank - y.rank || x.i - y.i; });
      return hits.map(function (x) {
        return {id: x.it.id, label: x.it.label, kind: x.it.kind, claim: !!x.it.claim,
          context: x.rank >= 40 && x.at !== null && x.at !== undefined ? snippet(x.it.text, x.at, x.n) : null};
      });
    };
    var ctl = L.control({position: 'topright'});
    ctl.onAdd = function () {
      var box = h('div', {cls: 'atlas-search leaflet-bar', role: 'search'});
      var inp = h('input', {type: 'search', placeholder: 'Search places, events, claims…', 'aria-label': 'Search places, events and claims', id: 'atlas-search-input'});
      var list = h('ul', {cls: 'search-results', role: 'listbox', 'aria-label': 'Search results'});
      function run() {
        while (list.firstChild) list.removeChild(list.firstChild);
        var q = inp.value.trim().toLowerCase();
        if (!q) return;
        A.search(q).slice(0, 12).forEach(function (it) {
          var li = h('li', {role: 'option', tabindex: 0, 'data-id': it.id}, [h('span', {cls: 'kind', text: it.kind}), ' ', h('span', {text: it.label}),
            it.context ? h('div', {cls: 'hit-context', text: it.context}) : null]);
          var go = function () {
            while (list.firstChild) list.removeChild(list.firstChild);
            inp.value = it.label;
            if (it.claim) showClaim(it.id, true); else select(it.id, {fly: true, from: 'search'});
          };
          li.addEventListener('click', go);
          li.addEventListener('keydown', function (e) { if (e.key === 'Enter') go(); });
          list.appendChild(li);
        });
        if (!list.firstChild) list.appendChild(h('li', {cls: 'none', text: 'no match'}));
      }
      inp.addEventListener('input', run);
      inp.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') { var first = list.querySelector('li[data-id]'); if (first) first.click(); }
      });
      box.appendChild(inp);
      box.appendChild(list);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    ctl.addTo(map);
  }

    addSearch(map);
    A.mark && A.mark('search');
});
