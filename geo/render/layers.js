/* Iran–Pakistan frontier atlas: the layers on the map, touch targets, co-located sites (our own code, MIT). */
import {data, decodeLayer, featureTitle, layerLabel, ORDER, topoNames} from './data.js';
import {labelMinor, layoutLabels, placeLabel} from './labels.js';
import {popupContent, tooltipContent} from './popups.js';
import {clearHighlight, select} from './select.js';
import {pathStyle, pointLayer, symbolFor, symbology} from './symbology.js';
import {A, esc, h, has, hoverTooltip, queueNext} from './util.js';
import {fitInitial, fitPopup, restorePanels} from './view.js';
export function init(map) {
  A.map = map;
  var mc = map.getContainer();
  mc.setAttribute('role', 'main');
  mc.setAttribute('aria-label', 'Map of the Iran–Pakistan frontier');
  map.attributionControl.setPrefix('<span>Leaflet</span>');
  A.groups = {};
  // layers go on the map once, after the view is fitted: nothing is drawn twice;
  // {name, layer, first}: the layers that frame the first view are drawn first
  A.initialOn = [];
  made = Object.create(null);
  // layers the symbology draws on a canvas of their own (the basemap, the many admin-1 units: one
  // canvas still answers clicks and hovers), and the click-less canvas of event areas
  A.renderers = {};
  ORDER.forEach(function (o) {
    var s = symbology(o.name), fc = data.layers[o.name];
    if (s.canvas === 'own') {
      (map.getPane('pane-' + o.name) || map.createPane('pane-' + o.name)).style.zIndex = o.pane;
      A.renderers[o.name] = L.canvas({pane: 'pane-' + o.name});
    }
    if (s.pane === 'pane-event-areas' && !A.areaRenderer) {
      map.createPane('pane-event-areas').style.zIndex = 400;  // under lines
      A.areaRenderer = L.canvas({pane: 'pane-event-areas'});
    }
    // every layer's pane and sources now, in catalog order, whenever the layer itself is made
    if (!fc || !fc.features || !fc.features.length) return;
    (map.getPane('pane-' + o.name) || map.createPane('pane-' + o.name)).style.zIndex = o.pane;
    var md = fc.metadata || {};
    if (md.attribution) String(md.attribution).split(/\s*;\s*/).forEach(function (a) { if (a) map.attributionControl.addAttribution(esc(a)); });
  });
  map.createPane('pane-highlight').style.zIndex = 600;
  map.getPane('pane-highlight').style.pointerEvents = 'none';
  // a tap on a frame layer is answered as soon as it is drawn: its popup (on a phone, the sheet)
  // and the touch targets are set up before any layer is made
  A.fitInitial = function () { fitInitial(map); };
  map.on('popupopen', function (e) { if (!(A.popupToSheet && A.popupToSheet(map, e.popup))) fitPopup(map, e.popup); });
  map.on('popupclose', function (e) { restorePanels(); if (A.highlightFor === e.popup) clearHighlight(); });
  touchHits(map);
  // each layer is decoded and made in a start-up step of its own: the frame layers now (atlas.js
  // draws them next), the others once those are drawn (restSteps)
  var first = ORDER.filter(function (o) { return o.frame; });
  queueNext(first.map(function (o) { return function () { decodeLayer(o.name); }; })
    .concat(first.map(function (o) { return function () { addLayer(map, o); }; })));
}
// what each layer made: {groups: [[key, layer]], overlays: [[label, layer]], base: [[label, layer]]}
var made = Object.create(null);

// the steps that decode and make the layers that do not frame the first view, then what needs them all
export function restSteps(map) {
  var firstNames = ORDER.filter(function (o) { return o.frame; }).map(function (o) { return o.name; });
  return topoNames().filter(function (n) { return firstNames.indexOf(n) < 0; })
    .map(function (n) { return function () { decodeLayer(n); }; })
    .concat(ORDER.filter(function (o) { return !o.frame; }).map(function (o) { return function () { addLayer(map, o); }; }))
    .concat([function () { finishInit(map); }]);
}

function addLayer(map, o) {
  var name = o.name, fc = data.layers[name];
  if (!fc || !fc.features || !fc.features.length) return;
  var s = symbology(name), feats = fc.features, m = made[name] = {groups: [], overlays: [], base: []};
  if (s.split) {
    var apart = feats.filter(s.split.test);
    feats = feats.filter(function (f) { return apart.indexOf(f) < 0; });
    if (apart.length) {
      A.groups[s.split.group] = makeLayer(name, apart);
      m.groups.push([s.split.group, A.groups[s.split.group]]);
      m.overlays.push([layerLabel(name, apart.length, s.split.label), A.groups[s.split.group]]);
    }
    if (!feats.length) return;
  }
  var g = makeLayer(name, feats);
  A.groups[name] = g;
  m.groups.push([name, g]);
  if (s.basemap) {
    var base = L.layerGroup([g, contextLabels(feats, 'pane-' + name)]);
    m.base.push(['Offline basemap: countries', base]);
    A.initialOn.push({name: name, layer: base, first: o.frame});
  } else {
    m.overlays.push([layerLabel(name, feats.length, s.split && s.split.mainLabel), g]);
    A.initialOn.push({name: name, layer: g, first: o.frame});
  }
  A.mark('made-' + name);
}

// the layers were made frame layers first: their groups, records and the layer control are put
// back in catalog order (where two layers share an id, the later layer's record is A.features')
function catalogOrder() {
  var at = Object.create(null), overlays = {}, baseLayers = {}, groups = {};
  ORDER.forEach(function (o, i) {
    at[o.name] = i;
    var m = made[o.name];
    if (!m) return;
    m.groups.forEach(function (x) { groups[x[0]] = x[1]; });
    m.overlays.forEach(function (x) { overlays[x[0]] = x[1]; });
    m.base.forEach(function (x) { baseLayers[x[0]] = x[1]; });
  });
  var rank = function (r) { return has(at, r.layerName) ? at[r.layerName] : ORDER.length; };
  var byLayer = [];
  A.records.forEach(function (r) { (byLayer[rank(r)] = byLayer[rank(r)] || []).push(r); });
  A.records = [].concat.apply([], byLayer.filter(Boolean));
  A.records.forEach(function (r) { A.features[r.id] = r; });
  A.initialOn.sort(function (x, y) { return at[x.name] - at[y.name]; });
  A.groups = groups;
  A.overlays = overlays;
  return {overlays: overlays, baseLayers: baseLayers};
}

function finishInit(map) {
  var c = catalogOrder();
  makeSites(map);
  var attr = map.attributionControl.getContainer();
  attr.setAttribute('title', 'Sources of the map data (click to expand)');
  L.DomEvent.on(attr, 'click', function () { attr.classList.toggle('expanded'); });
  A.layerControl = L.control.layers(Object.keys(c.baseLayers).length > 1 ? c.baseLayers : {}, c.overlays,
    {collapsed: true, position: 'topright'}).addTo(map);
  var lc = A.layerControl.getContainer().querySelector('.leaflet-control-layers-toggle');
  if (lc) { lc.setAttribute('aria-label', 'Layers'); lc.setAttribute('title', 'Layers'); }
  L.control.scale({metric: true, imperial: true, position: 'bottomleft'}).addTo(map);
  map.on('zoomend moveend', function () { labelMinor(); layoutLabels(); });
}

// ---------------------------------------------------------------- 44 px touch targets
// On a touch screen every point feature answers a tap within a 44x44 px box around its centre,
// without drawing anything larger: a tap is given to the NEAREST point feature in reach (so the
// enlarged areas never steal taps from each other in the crowded frontier), and only when the
// tap did not already land on that feature. Mouse clicks are left as they are.
export var HIT = 22;
export function touchHits(map) {
  var mc = map.getContainer(), lastTouch = 0;
  var mark = function (e) { if (e.pointerType === 'touch' || e.type === 'touchstart') lastTouch = Date.now(); };
  mc.addEventListener('pointerdown', mark, true);
  mc.addEventListener('touchstart', mark, {capture: true, passive: true});
  mc.addEventListener('click', function (e) {
    if (Date.now() - lastTouch > 1500) return;
    var t = e.target;
    if (!t || !t.closest || !t.closest('.leaflet-map-pane') || t.closest('.leaflet-popup-pane')) return;
    var cp = map.mouseEventToContainerPoint(e), best = null, bestD = Infinity;
    map.eachLayer(function (l) {
      if (!l.getLatLng || l.options.interactive === false || !popupOwner(l)) return;
      if (!l._path && !l._icon) return;
      var p = map.latLngToContainerPoint(l.getLatLng()), dx = p.x - cp.x, dy = p.y - cp.y;
      if (Math.abs(dx) > HIT || Math.abs(dy) > HIT) return;
      var d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = l; }
    });
    if (!best || best._path === t || (best._icon && best._icon.contains(t))) return;
    e.stopPropagation();
    e.preventDefault();
    var ll = best.getLatLng();
    best.fire('click', {latlng: ll, layerPoint: map.latLngToLayerPoint(ll), containerPoint: map.latLngToContainerPoint(ll), originalEvent: e}, true);
  }, true);
}
// the layer whose popup a click on l opens: l itself, or the group of a multi-point feature
export function popupOwner(l) {
  if (l.getPopup && l.getPopup()) return l;
  var ps = l._eventParents || {};
  for (var k in ps) { if (has(ps, k) && ps[k].getPopup && ps[k].getPopup()) return ps[k]; }
  return null;
}


export function contextLabels(features, pane) {
  var g = L.layerGroup();
  features.forEach(function (f) {
    var p = f.properties || {};
    if (typeof p.label_lat !== 'number' || typeof p.label_lon !== 'number' || !p.name) return;
    var lab = h('span', {cls: 'ctx-label' + (p.role === 'focus' ? ' focus' : ''), text: p.name, 'aria-hidden': 'true'});
    L.marker([p.label_lat, p.label_lon], {
      icon: L.divIcon({className: 'ctx-label-icon', html: lab, iconSize: null}),
      interactive: false, keyboard: false, pane: pane
    }).addTo(g);
  });
  return g;
}

export function tag(layer, name, fid) {
  function apply() {
    var e = this._path || this._icon;
    if (e) { e.setAttribute('data-layer', name); e.setAttribute('data-feature-id', fid); }
  }
  if (layer.eachLayer) layer.eachLayer(function (l) { tag(l, name, fid); });
  else layer.on('add', apply);
}


export function popupOptions() {
  var wide = window.innerWidth > 760;
  return {maxWidth: wide ? 360 : 280, minWidth: wide ? 240 : 200, autoPanPaddingTopLeft: [50, 60], autoPanPaddingBottomRight: [20, 40]};
}

export function makeLayer(name, features) {
  var s = symbology(name);
  var g = L.geoJSON({type: 'FeatureCollection', features: features.filter(function (f) { return f.geometry; })}, {
    pane: s.pane || 'pane-' + name,
    interactive: !s.basemap,
    renderer: A.renderers[name],
    style: function (f) { return pathStyle(name, f); },
    pointToLayer: function (f, latlng) { return pointLayer(name, f, latlng); },
    onEachFeature: function (f, layer) {
      var id = String(f.id);
      // ids are unique within a layer; where two layers share one (admin1 and provinces both
      // hold PK-BA) a deep link or passage means the upper layer's; every record is kept
      var rec = {id: id, layerName: name, feature: f, layer: layer};
      A.features[id] = rec;
      A.records.push(rec);
      layer.atlasRec = rec;
      tag(layer, name, id);
      if (s.basemap) return;   // the basemap: no tooltip, popup or tab stop
      var isArea = s.noTooltipArea && /Polygon/.test(f.geometry.type);
      if (!s.noTooltip && !isArea) {
        hoverTooltip(layer, function () { return tooltipContent(name, f); }, {sticky: !f.geometry || !/Point/.test(f.geometry.type), direction: 'top', className: 'atlas-tip'});
      }
      layer.bindPopup(function () { return popupContent(name, f); }, popupOptions());
      layer.on('click', function () { select(id, {fly: false, from: 'map'}); });
    }
  });
  A.records.forEach(function (r) { if (r.layerName === name && !r.group) r.group = g; });
  return g;
}

// ---------------------------------------------------------------- co-located sites
// A market, a crossing and a place often stand on one point (Mand–Pishin, Gabd–Rimdan,
// Chedgi–Kuhak): they become one site marker whose popup lists each of them, so every one of
// them opens from a click on the map.
export function makeSites(map) {
  var byKey = {};
  // every point layer of the catalog takes part; a site's symbol shows its marked members
  ORDER.filter(function (o) { return o.geometry === 'point'; }).forEach(function (o) {
    var name = o.name;
    var g = A.groups[name];
    if (!g) return;
    g.eachLayer(function (l) {
      var ll = l.getLatLng();
      var key = ll.lat.toFixed(5) + ',' + ll.lng.toFixed(5);
      (byKey[key] = byKey[key] || []).push({name: name, layer: l, rec: l.atlasRec});
    });
  });
  A.sites = [];
  Object.keys(byKey).sort().forEach(function (key) {
    var members = byKey[key];
    // symbols (markers) are shown side by side; a plain point (a place) gives the site its label
    var place = members.filter(function (m) { return !(m.layer instanceof L.Marker); })[0];
    var marked = members.filter(function (m) { return m.layer instanceof L.Marker; });
    if (members.length < 2 || !marked.length) {
      if (place) placeLabel(place.layer, place.rec.feature);
      return;
    }
    var owner = marked[0];
    var icon = h('span', {cls: 'sym-hit sym-site'}, marked.map(function (m) { return symbolFor(m.name, m.rec.feature.properties || {}); }));
    var title = marked.map(function (m) { return featureTitle(m.rec.feature, m.name); }).join(' · ');
    var site = L.marker(members[0].layer.getLatLng(), {pane: 'pane-' + owner.name, title: title, alt: title,
      icon: L.divIcon({className: 'sym-icon', html: icon, iconSize: [44, 44], iconAnchor: [22, 22], popupAnchor: [0, -10]})});
    var ids = members.map(function (m) { return m.rec.id; });
    site.atlasSite = ids;
    members.forEach(function (m) {
      A.groups[m.name].removeLayer(m.layer);
      m.rec.layer = site;
      m.rec.site = ids;
      m.rec.group = A.groups[owner.name];
    });
    site.on('add', function () { if (site._icon) { site._icon.setAttribute('data-layer', 'site'); site._icon.setAttribute('data-feature-id', ids.join(' ')); } });
    site.bindPopup(function () { return sitePopup(ids, site.atlasFirst || ids[0]); }, popupOptions());
    site.on('click', function () { site.atlasFirst = null; select(ids[0], {fly: false, from: 'map'}); });
    hoverTooltip(site, function () { return h('div', {cls: 'tip'}, [h('strong', {text: title}), h('div', {cls: 'tip-sub', text: ids.length + ' things here'})]); },
      {direction: 'top', className: 'atlas-tip'});
    if (place) placeLabel(site, place.rec.feature);
    A.groups[owner.name].addLayer(site);
    A.sites.push(site);
  });
}
export function sitePopup(ids, first) {
  var box = h('div', {cls: 'popup popup-site', 'data-site': ids.join(' ')}, [h('div', {cls: 'popup-layer', text: ids.length + ' things at this site'})]);
  var order = [first].concat(ids.filter(function (i) { return i !== first; }));
  order.forEach(function (id, k) {
    var r = A.features[id];
    var part = popupContent(r.layerName, r.feature);
    if (k > 0) part.classList.add('popup-more');
    box.appendChild(part);
  });
  return box;
}
