/* Iran–Pakistan frontier atlas: tooltips and popups (our own code, MIT). */
import {claimsByFeature, data, featureTitle, LABEL} from './data.js';
import {showClaim, showPassage} from './select.js';
import {symbology} from './symbology.js';
import {A, fmt, h, has, isEmpty, plural, safeUrl} from './util.js';
// ---------------------------------------------------------------- tooltips and popups
// a popup's field labels: each field's title (and unit) from its layer's JSON Schema, in schema
// order (the payload's layers.<name>.fields, geo/render/story.py popup_fields)
export function fieldsOf(name) {
  var lyr = (data.layers || {})[name] || {};
  return (lyr.fields || []).map(function (f) { return [f.name, f.unit ? f.title + ' (' + f.unit + ')' : f.title]; });
}
export var SKIP = {sources: 1, source_urls: 1, article_paragraph: 1, article_start: 1, article_end: 1, article_quote: 1, name: 1};

export function tooltipContent(name, f) {
  var p = f.properties || {};
  var d = h('div', {cls: 'tip'}, [h('strong', {text: featureTitle(f, name)})]);
  var tip = symbology(name).tip, sub = tip ? tip(p) : null;
  if (!isEmpty(sub)) d.appendChild(h('div', {cls: 'tip-sub', text: String(sub)}));
  return d;
}

export function sourceList(ids) {
  var ul = h('ul', {cls: 'sources'});
  String(ids || '').split(';').map(function (s) { return s.trim(); }).filter(Boolean).forEach(function (sid) {
    var s = has(data.sources || {}, sid) ? data.sources[sid] : null;
    var li = h('li');
    if (!s) { li.appendChild(document.createTextNode(sid)); ul.appendChild(li); return; }
    var label = (s.title || sid) + (s.publisher ? ', ' + s.publisher : '') + (s.date ? ' (' + s.date + ')' : '');
    var url = safeUrl(s.url);
    li.appendChild(h('span', {cls: 'sid', text: sid}));
    li.appendChild(document.createTextNode(' '));
    li.appendChild(url ? h('a', {href: url, target: '_blank', rel: 'noopener noreferrer', text: label}) : h('span', {text: label}));
    ul.appendChild(li);
  });
  return ul;
}

export function verdictBadge(v) {
  return h('span', {cls: 'verdict verdict-' + String(v || 'unknown').replace(/[^a-z]+/gi, '-').toLowerCase(), text: v || 'no verdict'});
}

// A quote is shown between “ ” unless it already is one; double quotes inside a wrapped quote
// become single ones, so quote marks are never doubled.
export function quoted(q) {
  q = String(q);
  if (/^\s*[“"]/.test(q) && /[”"][\s.,;:!?)…]*$/.test(q)) return q;
  return '“' + q.replace(/“/g, '‘').replace(/”/g, '’') + '”';
}
A.quoted = quoted;

export function quoteBlock(obj) {
  if (isEmpty(obj.article_quote)) return null;
  var bq = h('blockquote', {cls: 'quote'}, [h('span', {text: quoted(obj.article_quote)})]);
  if (typeof obj.article_paragraph === 'number') {
    bq.appendChild(document.createTextNode(' '));
    bq.appendChild(h('a', {href: '#', cls: 'to-passage', text: '¶' + obj.article_paragraph,
      'aria-label': 'Read paragraph ' + obj.article_paragraph + ' of the article', onclick: function (e) {
        e.preventDefault(); showPassage(obj.id || obj._fid, true);
      }}));
  }
  return bq;
}

export function factRows(p, fields) {
  var tb = h('table', {cls: 'facts'});
  fields.forEach(function (fl) {
    var v = p[fl[0]];
    if (isEmpty(v) || typeof v === 'object') return;
    tb.appendChild(h('tr', null, [h('th', {text: fl[1]}), h('td', {text: fmt(v)})]));
  });
  return tb.firstChild ? tb : null;
}
export function popupContent(name, f) {
  var p = f.properties || {};
  var id = String(f.id);
  var box = h('div', {cls: 'popup', 'data-feature-id': id, 'data-layer': name});
  box.appendChild(h('div', {cls: 'popup-layer', text: (LABEL[name] || name)}));
  box.appendChild(h('h3', {text: featureTitle(f, name)}));
  // 1. the article's words, with a link to their paragraph
  var q = quoteBlock({article_quote: p.article_quote, article_paragraph: p.article_paragraph, _fid: id});
  if (q) box.appendChild(q);
  // 2. the verdicts of the claims about it, each labelled by what was claimed
  var cls = has(claimsByFeature, id) ? claimsByFeature[id] : [];
  if (cls.length) {
    var sec = h('ul', {cls: 'popup-claims', 'aria-label': 'Claims checked'});
    cls.forEach(function (c) {
      sec.appendChild(h('li', {cls: 'popup-claim'}, [verdictBadge(c.verdict), ' ',
        h('a', {href: '#claim=' + encodeURIComponent(c.id), text: c.claim || c.topic || c.id, onclick: function (e) {
          e.preventDefault(); showClaim(c.id, true);
        }})]));
    });
    box.appendChild(sec);
  }
  // 2b. with several articles: which of them mention it (each a click away)
  var arts = data.articles && data.articles.length > 1 && data.mentions && has(data.mentions, id) ? data.mentions[id] : [];
  if (arts.length) {
    var ml = h('ul', {cls: 'popup-articles', 'aria-label': 'Articles that mention it'});
    arts.forEach(function (aid) {
      var art = data.articles.filter(function (x) { return x.id === aid; })[0];
      if (!art) return;
      ml.appendChild(h('li', null, [h('a', {href: '#', cls: 'popup-article', 'data-article': aid,
        text: (art.title || aid) + (art.date ? ' (' + art.date + ')' : ''), onclick: function (e) {
          e.preventDefault(); if (A.showArticle) A.showArticle(aid);
        }})]));
    });
    box.appendChild(h('div', {cls: 'sec-h', text: 'Mentioned in ' + plural(arts.length, 'article')}));
    box.appendChild(ml);
  }
  if (p.verified === false) {
    box.appendChild(h('div', {cls: 'warn', text: symbology(name).approxRoute && f.geometry && !/Point/.test(f.geometry.type)
      ? 'Route approximate: not traced from a source that gives it.' : 'Location approximate: no source gives this coordinate.'}));
  }
  // 3. a few plain facts
  var declared = fieldsOf(name);
  var all = declared.length ? declared : Object.keys(p).filter(function (k) { return !SKIP[k]; }).map(function (k) { return [k, k]; });
  // a few plain facts lead (the layer's symbology names them); ids, vertices, methods and notes
  // go into "data details"
  var plain = symbology(name).plain || [];
  var lab = {};
  all.forEach(function (fl) { lab[fl[0]] = fl[1]; });
  var pt = factRows(p, plain.filter(function (k) { return lab[k]; }).map(function (k) { return [k, lab[k]]; }));
  if (pt) box.appendChild(pt);
  // 4. the technical fields, folded
  var det = h('details', {cls: 'data-details'}, [h('summary', {text: 'Data details'})]);
  // fields this page has no label for (a new layer, new pipeline fields) are listed by name
  var known = {};
  all.forEach(function (fl) { known[fl[0]] = 1; });
  var extra = Object.keys(p).filter(function (k) { return !known[k] && !SKIP[k] && k !== 'sources'; })
    .map(function (k) { return [k, k.replace(/_/g, ' ')]; });
  var rest = factRows(p, all.filter(function (fl) { return plain.indexOf(fl[0]) < 0; }).concat(declared.length ? extra : []));
  if (rest) det.appendChild(rest);
  if (p.sources) det.appendChild(h('div', {cls: 'popup-sec'}, [h('div', {cls: 'sec-h', text: 'Sources'}), sourceList(p.sources)]));
  det.appendChild(h('div', {cls: 'popup-id'}, [h('span', {text: 'id: '}), h('code', {text: id}), ' ',
    h('a', {href: '#feature=' + encodeURIComponent(id), text: 'link to this'})]));
  box.appendChild(det);
  return box;
}
