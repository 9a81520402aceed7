/* Iran–Pakistan frontier atlas: selection, highlight, flights and deep links (our own code, MIT). */
import {openPanel, showTab} from './panel.js';
import {symbology} from './symbology.js';
import {A, h, has, scrollWithin} from './util.js';
// ---------------------------------------------------------------- selection, deep links
export function anchorFor(layer) {
  if (layer.getLatLng) return layer.getLatLng();
  if (layer.getLayers && layer.getLayers().length) return anchorFor(layer.getLayers()[0]);
  if (layer instanceof L.Polygon) return layer.getBounds().getCenter();
  if (layer.getLatLngs) {
    var flat = [];
    (function walk(a) { a.forEach(function (x) { if (Array.isArray(x)) walk(x); else flat.push(x); }); })(layer.getLatLngs());
    if (flat.length) return flat[Math.floor(flat.length / 2)];
  }
  if (layer.getBounds) return layer.getBounds().getCenter();
  return null;
}

export function ensureVisible(rec) {
  var map = A.map;
  if (rec.group && !map.hasLayer(rec.group)) rec.group.addTo(map);
  if (symbology(rec.layerName).dated && A.time && A.time.include) A.time.include(rec.feature);
}

// Each selection the reader makes is a history entry (Back and Forward step through them); a
// selection made by the address itself (a deep link, Back) replaces nothing and adds nothing.
export var applying = false;
export function setHash(h2) {
  var target = h2 ? '#' + h2 : '';
  if ((location.hash || '') === target) return;
  var url = h2 ? target : location.pathname + location.search;
  try {
    if (applying) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
  } catch (e) { A._ignoreHash = true; location.hash = h2; }
}
A.setHash = setHash;

// the selected geometry is drawn again, thick and bright, under the symbols
export var hl = null;
export function clearHighlight() {
  if (hl) { A.map.removeLayer(hl); hl = null; }
  A.highlighted = null;
  A.highlightFor = null;
}
// one id, or a list of ids (a passage that names several features highlights them all)
export function highlight(id) {
  clearHighlight();
  var ids = (Array.isArray(id) ? id : [id]).filter(function (x) { return has(A.features, x) && A.features[x].feature.geometry; });
  if (!ids.length) return;
  hl = L.geoJSON({type: 'FeatureCollection', features: ids.map(function (x) { return A.features[x].feature; })}, {
    pane: 'pane-highlight', interactive: false,
    style: function (f) { return {color: '#ffcc00', weight: 9, opacity: 0.9, fill: /Polygon/.test(f.geometry.type), fillColor: '#ffcc00', fillOpacity: 0.12, lineCap: 'round', lineJoin: 'round'}; },
    pointToLayer: function (ff, ll) { return L.circleMarker(ll, {radius: 22, color: '#ffcc00', weight: 5, opacity: 0.95, fill: false, interactive: false, pane: 'pane-highlight'}); },
    onEachFeature: function (f, l) { l.on('add', function () { if (l._path) l._path.setAttribute('data-highlight', String(f.id)); }); }
  }).addTo(A.map);
  A.highlighted = Array.isArray(id) ? ids : id;
}
A.ensureVisible = ensureVisible;
A.highlight = highlight;
A.clearHighlight = clearHighlight;

export var flySeq = 0;
export function openFor(rec, target) {
  var layer = rec.layer;
  if (!A.map.hasLayer(layer)) return;
  if (rec.site) layer.atlasFirst = rec.id;
  layer.openPopup(target);
  A.highlightFor = layer.getPopup();
  A.lastOpened = rec.id;
}
export function select(id, opts) {
  opts = opts || {};
  var rec = has(A.features, id) ? A.features[id] : null;
  if (!rec) { if (has(A.claimsById, id)) return showClaim(id, opts.fly !== false); notFound('feature', id); return false; }
  var map = A.map;
  A.selected = id;
  setHash('feature=' + encodeURIComponent(id));
  highlightPassage(id, opts.from !== 'article');
  ensureVisible(rec);
  if (opts.fly === false) {
    flySeq++;
    if (rec.site) rec.layer.atlasFirst = id;
    // a click or tap on the map: its popup is open already; the highlight (a copy of the geometry,
    // costly for a province) is drawn in a task of its own, so the popup shows a frame sooner
    var popup = rec.layer.getPopup && rec.layer.getPopup();
    clearHighlight();
    A.highlightFor = popup;
    setTimeout(function () {
      if (A.selected !== id) return;
      highlight(id);
      A.highlightFor = popup && popup.isOpen() ? popup : null;
    }, 0);
    return true;
  }
  highlight(id);
  var layer = rec.layer;
  var target = anchorFor(layer);
  var open = function () { openFor(rec, target); };
  if (layer.getLatLng) flyThen(layer.getLatLng(), null, Math.max(map.getZoom(), 8), open);
  else flyThen(null, layer.getBounds(), 9, open);
  return true;
}

// Fly to a point (at zoom z) or to bounds (at most zoom z), then call done() once: at the end of
// the flight, or after 1.6 s if no flight ends (an unanimated move). Only the latest flight calls
// back: a stale one must not open its popup during the next, closing the popup Leaflet places.
// The flight may be cut short by the pan that keeps the view inside the base map (it answers the
// 'moveend' of a pan the flight stops): then it is flown again, at most twice.
// pad: {tl: L.point, br: L.point}, the room to leave around bounds (default 40 px each side)
export function flyThen(latlng, bounds, z, done, pad) {
  var map = A.map;
  var my = ++flySeq, called = false, tries = 0, timer = null;
  pad = pad || {tl: L.point(40, 40), br: L.point(40, 40)};
  var zoom = latlng ? z : Math.min(z, map.getBoundsZoom(bounds, false, pad.tl.add(pad.br)));
  var finish = function () {
    if (called || my !== flySeq) return;
    called = true;
    clearTimeout(timer);
    done();
  };
  var arrived = function () {
    var c = map.getBounds();
    return Math.abs(map.getZoom() - zoom) < 0.3 && (latlng ? c.contains(latlng) : c.contains(bounds.getCenter()));
  };
  var onEnd = function () {
    if (called || my !== flySeq) return;
    if (!arrived() && tries < 2) { fly(); return; }
    finish();
  };
  var fly = function () {
    tries++;
    clearTimeout(timer);
    timer = setTimeout(finish, 1600);
    if (latlng) map.flyTo(latlng, zoom, {duration: 0.6});
    else map.flyToBounds(bounds, {paddingTopLeft: pad.tl, paddingBottomRight: pad.br, maxZoom: z, duration: 0.6});
    // listen only once the flight has begun: flyTo first stops any running pan, which fires
    // that pan's 'moveend' (it is not the end of this flight)
    map.once('moveend', onEnd);
  };
  fly();
}
A.select = select;

// "not found" on the page (an unknown or hostile id in the address never stops the map)
export function notFound(kind, id) {
  var box = document.getElementById('atlas-notice');
  if (!box) return;
  while (box.firstChild) box.removeChild(box.firstChild);
  box.appendChild(h('span', {text: 'Not found: no ' + kind + ' has the id “' + String(id).slice(0, 80) + '”. The map shows everything instead.'}));
  box.appendChild(h('button', {type: 'button', cls: 'notice-close', text: 'OK', onclick: function () { box.hidden = true; }}));
  box.hidden = false;
  A.notFound = String(id);
}
A.showNotFound = notFound;

export function highlightPassage(id, scroll) {
  var all = document.querySelectorAll('.passage.hl');
  for (var i = 0; i < all.length; i++) all[i].classList.remove('hl');
  var hits = document.querySelectorAll('.passage[data-refs~="' + CSS.escape(id) + '"]');
  for (var j = 0; j < hits.length; j++) hits[j].classList.add('hl');
  // only scroll a passage that the reader can see: never while the sheet is closed
  if (scroll && hits.length && !document.body.classList.contains('panel-closed')) {
    showTab('article');
    scrollWithin(document.getElementById('tab-article'), hits[0], 'center');
  }
  return hits.length;
}

export function showPassage(id, scroll) { openPanel(); highlightPassage(id, scroll); }

export function showClaim(id, fly) {
  var c = has(A.claimsById, id) ? A.claimsById[id] : null;
  if (!c) { notFound('claim', id); return false; }
  openPanel();
  showTab('claims');
  var all = document.querySelectorAll('.claim.hl');
  for (var i = 0; i < all.length; i++) all[i].classList.remove('hl');
  var card = document.getElementById('claim-' + id);
  if (card) { card.hidden = false; card.classList.add('hl'); scrollWithin(document.getElementById('tab-claims'), card, 'nearest'); }
  setHash('claim=' + encodeURIComponent(id));
  A.selected = id;
  var ids = (c.feature_ids || []).filter(function (f) { return has(A.features, f); });
  if (!ids.length) {
    flySeq++;
    A.map.closePopup();
    clearHighlight();
    A.lastOpened = null;
    highlightPassage(id, false);
    return true;
  }
  if (fly) {
    var rec = A.features[ids[0]];
    ids.forEach(function (f) { ensureVisible(A.features[f]); });
    var b = null;
    ids.forEach(function (f) {
      var l = A.features[f].layer;
      var lb = l.getBounds ? l.getBounds() : L.latLngBounds(l.getLatLng(), l.getLatLng());
      b = b ? b.extend(lb) : L.latLngBounds(lb.getSouthWest(), lb.getNorthEast());
    });
    highlight(ids[0]);
    flyThen(null, b, 8, function () { openFor(rec, anchorFor(rec.layer)); });
  }
  return true;
}
A.showClaim = showClaim;

// #feature=<id> or #claim=<id>; anything else (unknown ids, __proto__, bad percent-encoding)
// says "not found" on the page and leaves the map as it is
export function applyHash() {
  if (A._ignoreHash) { A._ignoreHash = false; return; }
  applying = true;
  try { applyHashNow(); } finally { applying = false; }
}
export function applyHashNow() {
  var m = /^#(feature|claim|passage)=(.*)$/.exec(location.hash || '');
  if (!m) {
    // Back to the entry without a selection: the first view again
    if (!location.hash && A.selected !== null) {
      A.selected = null;
      flySeq++;
      A.map.closePopup();
      clearHighlight();
      if (A.clearStep) A.clearStep();
      if (A.fitInitial) A.fitInitial();
    }
    return;
  }
  var id;
  try { id = decodeURIComponent(m[2]); } catch (e) { notFound(m[1], m[2]); return; }
  if (m[1] === 'passage') {
    if (!A.goStep || !A.goStep(parseInt(id, 10) - 1)) notFound('passage', id);
  } else if (m[1] === 'feature') select(id, {fly: true, from: 'hash'});
  else showClaim(id, true);
}
