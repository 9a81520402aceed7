/* Iran–Pakistan frontier atlas: the story map's layers (our own code, MIT).
 *
 * The AtlasLayers element of geo/render/elements.py starts this as atlas.start(map): it reads
 * the JSON embedded by geo/render (script#atlas-data, script#atlas-palette), decodes the
 * topology (topojson-client), draws every layer the payload lists (data.order, from
 * geo/catalog.py) on the folium-created Leaflet map, and owns popups, selection and deep links.
 * The panels, legend, date filter, search and ruler are their own elements (story.js, claims.js,
 * about.js, legend.js, timefilter.js, search.js, measure.js) that use what this file shares
 * in atlas._. atlas.finish() applies the deep link and marks the page ready.
 *
 * Safety rule: every string that comes from the data is put into the page with
 * textContent / createTextNode / setAttribute, never with innerHTML. Where Leaflet itself
 * uses innerHTML (layer-control names, attribution) the text goes through esc() first.
 */
(function () {
  'use strict';

  var A = (window.atlas = window.atlas || {});
  A.ready = false;
  A.tEval = performance.now();
  A.features = Object.create(null);   // id -> {id, layerName, feature, layer, group, site}
  A.records = [];                     // every feature's record, in drawing order
  A.claimsById = Object.create(null);
  A.selected = null;
  function has(obj, k) { return typeof k === 'string' && Object.prototype.hasOwnProperty.call(obj, k); }
  A.has = has;

  // ---------------------------------------------------------------- helpers
  function esc(s) {
    return String(s).replace(/[&<>"'`]/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;'}[c];
    });
  }
  function h(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') e.textContent = String(v);
        else if (k === 'cls') e.className = v;
        else if (k === 'style') Object.keys(v).forEach(function (p) { e.style[p] = v[p]; });
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, String(v));
      });
    }
    (kids || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function safeUrl(u) {
    return typeof u === 'string' && /^https?:\/\/[^\s"'<>`]+$/i.test(u) ? u : null;
  }
  function isEmpty(v) { return v === null || v === undefined || v === ''; }
  function fmt(v) {
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
    return String(v);
  }
  function plural(n, w) { return n + ' ' + w + (n === 1 ? '' : 's'); }


  // scroll el into view inside its scrolling container only: the document itself never scrolls
  // (scrollIntoView would scroll every ancestor, the page too, even when the panel is hidden)
  function scrollWithin(container, el, where) {
    if (!container || !el || container.hidden) return;
    var cr = container.getBoundingClientRect(), er = el.getBoundingClientRect();
    if (!cr.height) return;
    if (where === 'nearest' && er.top >= cr.top && er.bottom <= cr.bottom) return;
    container.scrollTop += er.top - cr.top - (where === 'nearest' ? 8 : Math.max(8, (cr.height - er.height) / 3));
  }

  // ---------------------------------------------------------------- styles
  // Every colour, dash, width and symbol of the data layers comes from geo/palette.py, embedded
  // by geo/render as script#atlas-palette (the QGIS styles are generated from the same palette).
  var P, PIPE_STATUS, ACCURACY, MARKET_STATUS, CROSSING_STATUS, PROVINCE_COLORS, LG, eventTypeColor, EVENT_SHAPE_LABEL;
  function readPalette() {
    P = JSON.parse(document.getElementById('atlas-palette').textContent);
    A.palette = P;
    PIPE_STATUS = P.pipeline.status;
    ACCURACY = P.pipeline.accuracy;
    MARKET_STATUS = P.markets.status;
    CROSSING_STATUS = P.crossings.status;
    PROVINCE_COLORS = P.provinces.country;
    LG = P.legend;
    eventTypeColor = P.events.type_colors;
    EVENT_SHAPE_LABEL = P.events.shape_label;
  }

  function merge() {
    var out = {};
    for (var i = 0; i < arguments.length; i++) {
      var o = arguments[i] || {};
      Object.keys(o).forEach(function (k) { out[k] = o[k]; });
    }
    return out;
  }
  // an event symbol: the palette's "type" placeholders become the event type's colour
  function withTypeColor(style, col) {
    var out = {};
    Object.keys(style).forEach(function (k) { out[k] = style[k] === 'type' ? col : style[k]; });
    return out;
  }

  function pipeStyle(p) {
    var st = PIPE_STATUS[p.status] || P.pipeline.status_default;
    var acc = ACCURACY[p.route_accuracy] || ACCURACY[P.pipeline.accuracy_default];
    return {color: st.color, dashArray: st.dash, weight: acc.weight, opacity: acc.opacity, lineCap: P.pipeline.line_cap};
  }
  function borderStyle(p, fid) {
    if (p.kind === 'bridged_stretch' || p.variant === 'bridge') return merge(P.border.bridged);
    if (p.variant === 'natural_earth_10m' || /ne10m/.test(fid)) return merge(P.border.natural_earth);
    return merge(P.border.main);
  }
  function eventShape(f) {
    var g = f.geometry ? f.geometry.type : '';
    if (/Polygon/.test(g)) return 'area';
    if (/LineString/.test(g)) return 'line';
    var gp = f.properties.geo_precision;
    if (gp === 3) return 'hollow';
    if (gp === 2) return 'near';
    return 'exact';
  }


  // Areas an event happened in (a district, a province, a whole country) are a faint tint with no
  // outline, so that nobody takes them for a boundary, and never take a click: the province or
  // place beneath answers it. They are reached from the article, the legend and search.
  function eventAreaStyle(col) {
    // drawn on a canvas: they take no clicks and need no element of their own
    return merge(withTypeColor(P.events.area, col), {stroke: false, fillOpacity: 0.1, interactive: false,
      renderer: A.areaRenderer});
  }

  // ---------------------------------------------------------------- data
  var data, claimsByFeature = Object.create(null), ORDER = [], LABEL = Object.create(null);
  function readData() {
    data = JSON.parse(document.getElementById('atlas-data').textContent);
    A.mark('parsed');
    A.data = data;
    ORDER = data.order || [];
    ORDER.forEach(function (o) { LABEL[o.name] = o.label; });
    // lines and areas come as one TopoJSON topology: shared lines are stored once
    Object.keys(data.layers).forEach(function (n) {
      var common = data.layers[n].common || {};
      var keys = Object.keys(common);
      data.layers[n].features.forEach(function (f) {
        f.type = 'Feature';
        // properties shared by every feature of the layer are embedded once (geo/render/story.py)
        if (keys.length) {
          var p = {};
          keys.forEach(function (k) { p[k] = common[k]; });
          Object.keys(f.properties || {}).forEach(function (k) { p[k] = f.properties[k]; });
          f.properties = p;
        }
      });
    });
    var topo = data.topology;
    if (topo && topo.arcs_encoding === 'polyline-delta') topo.arcs = topo.arcs.map(decodeArc);
    A.mark('arcs');
    if (topo && topo.objects && window.topojson) {
      Object.keys(topo.objects).forEach(function (name) {
        var fc = data.layers[name];
        if (!fc) return;
        window.topojson.feature(topo, topo.objects[name]).features.forEach(function (g) {
          var f = fc.features[g.properties.i];
          if (f) f.geometry = g.geometry;
        });
      });
    }
    (data.claims || []).forEach(function (c) { A.claimsById[c.id] = c; });
    (data.claims || []).forEach(function (c) {
      (c.feature_ids || []).forEach(function (fid) {
        if (!has(claimsByFeature, fid)) claimsByFeature[fid] = [];
        claimsByFeature[fid].push(c);
      });
    });
  }

  // an arc's string -> its [dx, dy] integer pairs (geo/render/display.py encode_arc)
  function decodeArc(str) {
    var out = [], vals = [], i = 0, n = str.length;
    while (i < n) {
      var shift = 0, v = 0, b;
      do { b = str.charCodeAt(i++) - 63; v |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
      vals.push(v & 1 ? ~(v >>> 1) : v >>> 1);
    }
    for (var k = 0; k + 1 < vals.length; k += 2) out.push([vals[k], vals[k + 1]]);
    return out;
  }

  function featureTitle(f, layerName) {
    var p = f.properties || {};
    if (layerName === 'events') {
      var t = p.sub_event_type || p.event_type || 'Event';
      return (p.display_date || p.event_date || '') + ' · ' + t + (p.location ? ' · ' + p.location : '');
    }
    return p.name || p.location || String(f.id);
  }
  function layerLabel(name, n, label) {
    return esc((label || LABEL[name] || name) + ' (' + n + ')');
  }

  // ---------------------------------------------------------------- map set-up
  var NARROW = 1023;   // below this width the panel is a bottom sheet (phones and tablets)
  A.narrow = function () { return window.innerWidth <= NARROW; };

  function init(map) {
    A.map = map;
    var mc = map.getContainer();
    mc.setAttribute('role', 'main');
    mc.setAttribute('aria-label', 'Map of the Iran–Pakistan frontier');
    map.attributionControl.setPrefix('<span>Leaflet</span>');
    var overlays = {}, baseLayers = {};
    A.groups = {};
    A.overlays = overlays;
    // layers go on the map once, in finish(), after the view is fitted: nothing is drawn twice
    A.initialOn = [];
    A.contextRenderer = L.canvas({pane: 'pane-context'});
    // the many admin-1 units are drawn on one canvas (it still answers clicks and hovers)
    if (ORDER.some(function (o) { return o.name === 'admin1'; })) {
      map.createPane('pane-admin1').style.zIndex = ORDER.filter(function (o) { return o.name === 'admin1'; })[0].pane;
      A.admin1Renderer = L.canvas({pane: 'pane-admin1'});
    }
    if (ORDER.some(function (o) { return o.name === 'events'; })) {
      map.createPane('pane-event-areas').style.zIndex = 400;  // under lines
      A.areaRenderer = L.canvas({pane: 'pane-event-areas'});
    }
    map.createPane('pane-highlight').style.zIndex = 600;
    map.getPane('pane-highlight').style.pointerEvents = 'none';
    ORDER.forEach(function (o) {
      var name = o.name, fc = data.layers[name];
      if (!fc || !fc.features || !fc.features.length) return;
      (map.getPane('pane-' + name) || map.createPane('pane-' + name)).style.zIndex = o.pane;
      var md = fc.metadata || {};
      if (md.attribution) String(md.attribution).split(/\s*;\s*/).forEach(function (a) { if (a) map.attributionControl.addAttribution(esc(a)); });
      if (name === 'border') {
        // the Natural Earth variant is a separate overlay, off by default
        var ne = fc.features.filter(function (f) { return (f.properties || {}).variant === 'natural_earth_10m' || /ne10m/.test(f.id); });
        var main = fc.features.filter(function (f) { return ne.indexOf(f) < 0; });
        if (main.length) {
          A.groups.border = makeLayer('border', main);
          overlays[layerLabel('border', main.length, 'Border (OpenStreetMap, bridged stretches)')] = A.groups.border;
          A.initialOn.push(A.groups.border);
        }
        if (ne.length) {
          A.groups['border-ne'] = makeLayer('border', ne);
          overlays[layerLabel('border', ne.length, 'Border (Natural Earth 1:10m, off by default)')] = A.groups['border-ne'];
        }
        return;
      }
      var g = makeLayer(name, fc.features);
      A.groups[name] = g;
      if (name === 'context') {
        var base = L.layerGroup([g, contextLabels(fc.features)]);
        baseLayers['Offline basemap: countries'] = base;
        A.initialOn.push(base);
      } else {
        overlays[layerLabel(name, fc.features.length)] = g;
        A.initialOn.push(g);
      }
    });
    makeSites(map);
    var attr = map.attributionControl.getContainer();
    attr.setAttribute('title', 'Sources of the map data (click to expand)');
    L.DomEvent.on(attr, 'click', function () { attr.classList.toggle('expanded'); });
    A.layerControl = L.control.layers(Object.keys(baseLayers).length > 1 ? baseLayers : {}, overlays,
      {collapsed: true, position: 'topright'}).addTo(map);
    var lc = A.layerControl.getContainer().querySelector('.leaflet-control-layers-toggle');
    if (lc) { lc.setAttribute('aria-label', 'Layers'); lc.setAttribute('title', 'Layers'); }
    L.control.scale({metric: true, imperial: true, position: 'bottomleft'}).addTo(map);
    A.fitInitial = function () { fitInitial(map); };
    map.on('popupopen', function (e) { if (!(A.popupToSheet && A.popupToSheet(map, e.popup))) fitPopup(map, e.popup); });
    map.on('popupclose', function (e) { restorePanels(); if (A.highlightFor === e.popup) clearHighlight(); });
    map.on('zoomend moveend', function () { labelMinor(); layoutLabels(); });
    touchHits(map);
  }

  // ---------------------------------------------------------------- 44 px touch targets
  // On a touch screen every point feature answers a tap within a 44x44 px box around its centre,
  // without drawing anything larger: a tap is given to the NEAREST point feature in reach (so the
  // enlarged areas never steal taps from each other in the crowded frontier), and only when the
  // tap did not already land on that feature. Mouse clicks are left as they are.
  var HIT = 22;
  function touchHits(map) {
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
  function popupOwner(l) {
    if (l.getPopup && l.getPopup()) return l;
    var ps = l._eventParents || {};
    for (var k in ps) { if (has(ps, k) && ps[k].getPopup && ps[k].getPopup()) return ps[k]; }
    return null;
  }

  // ---------------------------------------------------------------- popups on small screens
  // On a phone the controls cover much of the map: while a popup is open the date and legend
  // panels fold to their titles, and the popup is kept clear of every control (its × too).
  var folded = [];
  function restorePanels() {
    document.body.classList.remove('popup-small');
    folded.forEach(function (d) { d.open = true; });
    folded = [];
  }
  function controlRoom(map) {
    var mr = map.getContainer().getBoundingClientRect();
    var room = {top: 10, bottom: 10, left: 10, right: 10};
    var els = Array.prototype.slice.call(map.getContainer().querySelectorAll('.leaflet-control'));
    var head = document.getElementById('atlas-head');
    if (head) els.push(head);
    els.forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (!r.width || !r.height || r.bottom <= mr.top || r.top >= mr.bottom || r.right <= mr.left || r.left >= mr.right) return;
      var inLeftColumn = r.right - mr.left < 70 && r.top - mr.top < mr.height / 2;
      if (inLeftColumn) { room.left = Math.max(room.left, r.right - mr.left + 6); return; }
      if (r.top - mr.top < mr.height / 2) room.top = Math.max(room.top, r.bottom - mr.top + 6);
      else room.bottom = Math.max(room.bottom, mr.bottom - r.top + 6);
    });
    return room;
  }
  A.controlRoom = function () { return controlRoom(A.map); };
  function fitPopup(map, popup) {
    var size = map.getSize();
    var room = controlRoom(map);
    var o = popup.options;
    o.autoPan = true;
    o.autoPanPaddingTopLeft = L.point(room.left, room.top);
    o.autoPanPaddingBottomRight = L.point(room.right, room.bottom);
    o.keepInView = false;
    if (Math.min(size.x, window.innerWidth) > 760) { popup.update(); return; }
    ['atlas-time', 'atlas-legend'].forEach(function (id) {
      var d = document.getElementById(id);
      if (d && d.open) { d.open = false; folded.push(d); }
    });
    // and step aside while the popup is open (the header's step bar leaves a short map)
    document.body.classList.add('popup-small');
    room = controlRoom(map);
    o.autoPanPaddingTopLeft = L.point(room.left, room.top);
    o.autoPanPaddingBottomRight = L.point(room.right, room.bottom);
    o.maxWidth = Math.max(160, Math.min(280, size.x - room.left - room.right - 34));
    o.minWidth = Math.min(o.minWidth || 0, o.maxWidth);
    o.maxHeight = Math.max(90, size.y - room.top - room.bottom - 44);
    popup.update();
  }

  function groupBounds(names) {
    var b = null;
    names.forEach(function (n) {
      var g = A.groups[n];
      if (g && g.getLayers().length) {
        var gb = g.getBounds();
        b = b ? b.extend(gb) : L.latLngBounds(gb.getSouthWest(), gb.getNorthEast());
      }
    });
    return b;
  }
  // The first view shows the whole frontier: the border, both provinces and the pipeline from its
  // field to its end, inside the room the controls leave; on a phone, the two provinces and the border.
  function fitInitial(map) {
    // the layers the catalog marks as the frame (map_frame), else every layer within the atlas extent
    var names = function (key) { return ORDER.filter(function (o) { return o[key]; }).map(function (o) { return o.name; }); };
    var b = groupBounds(names('frame')) || groupBounds(names('extent'));
    // Keep the view inside the offline basemap, so no edge of its land ever shows.
    var ctx = A.groups.context;
    var cb = ctx && ctx.getLayers().length ? ctx.getBounds() : null;
    var room = controlRoom(map);
    var padTL = L.point(room.left + 4, room.top + 4), padBR = L.point(room.right + 4, room.bottom + 4);
    // the lowest zoom: the view inside the basemap, unless the frontier needs to zoom out further
    // (a tall phone): then the sea-coloured background shows beyond the basemap's edge
    var frame = b, framePad = padTL.add(padBR);
    var clamp = function () {
      var z = Math.max(3, map.getBoundsZoom(cb, true));
      if (frame && frame.isValid()) z = Math.min(z, map.getBoundsZoom(frame, false, framePad));
      map.setMinZoom(z);
    };
    // a phone (a narrow, tall map): the two frontier provinces fill the width (beside the controls'
    // column on the left), the zoom unsnapped so that they do; the pipeline's far end may be outside
    var phone = map.getSize().x < 600 && groupBounds(['provinces']);
    if (phone) {
      b = groupBounds(['provinces', 'border']);
      padTL = L.point(room.left, room.top + 4); padBR = L.point(4, room.bottom + 4);
    }
    if (cb) clamp();
    if (b && b.isValid()) {
      var snap = map.options.zoomSnap;
      if (phone) map.options.zoomSnap = 0;
      map.fitBounds(b, {paddingTopLeft: padTL, paddingBottomRight: padBR, animate: false});
      map.options.zoomSnap = snap;
    }
    if (cb) {
      map.panInsideBounds(cb, {animate: false});
      map.setMaxBounds(cb);
      map.options.maxBoundsViscosity = 1.0;
      map.on('resize', clamp);
    }
    A.fitInitial = function () { fitInitial(map); };
    var zc = function () { map.getContainer().classList.toggle('zoom-low', map.getZoom() < 7); };
    map.on('zoomend', zc);
    zc();
  }

  function contextLabels(features) {
    var g = L.layerGroup();
    features.forEach(function (f) {
      var p = f.properties || {};
      if (typeof p.label_lat !== 'number' || typeof p.label_lon !== 'number' || !p.name) return;
      var lab = h('span', {cls: 'ctx-label' + (p.role === 'focus' ? ' focus' : ''), text: p.name, 'aria-hidden': 'true'});
      L.marker([p.label_lat, p.label_lon], {
        icon: L.divIcon({className: 'ctx-label-icon', html: lab, iconSize: null}),
        interactive: false, keyboard: false, pane: 'pane-context'
      }).addTo(g);
    });
    return g;
  }

  function tag(layer, name, fid) {
    function apply() {
      var e = this._path || this._icon;
      if (e) { e.setAttribute('data-layer', name); e.setAttribute('data-feature-id', fid); }
    }
    if (layer.eachLayer) layer.eachLayer(function (l) { tag(l, name, fid); });
    else layer.on('add', apply);
  }

  function symbolFor(name, p) {
    var colors = name === 'markets' ? MARKET_STATUS : CROSSING_STATUS;
    var c = colors[p.status] || P.status_default;
    var sym = h('span', {cls: 'sym ' + (name === 'markets' ? 'sym-square' : 'sym-diamond') + (p.verified === false ? ' sym-unverified' : '')});
    sym.style.borderColor = c;
    sym.style.backgroundColor = p.verified === false ? P.symbol_unverified_fill : c;
    return sym;
  }
  function pointLayer(name, f, latlng) {
    var p = f.properties || {};
    var pane = 'pane-' + name;
    if (name === 'pipeline') return L.circleMarker(latlng, merge({pane: pane}, P.pipeline.gas_field));
    if (name === 'markets' || name === 'crossings') {
      // the icon is a 44 px touch target around the drawn symbol
      return L.marker(latlng, {pane: pane, icon: L.divIcon({className: 'sym-icon', html: h('span', {cls: 'sym-hit'}, [symbolFor(name, p)]),
        iconSize: [44, 44], iconAnchor: [22, 22], popupAnchor: [0, -10]}), title: featureTitle(f, name), alt: featureTitle(f, name)});
    }
    if (name === 'events') {
      var col = eventTypeColor[p.event_type] || P.events.default;
      return L.circleMarker(latlng, merge({pane: pane}, withTypeColor(P.events.point[eventShape(f)], col)));
    }
    if (name === 'places') {
      return L.circleMarker(latlng, merge({pane: pane}, P.places.style, p.verified === false ? {fillColor: P.places.unverified_fill} : null));
    }
    return L.circleMarker(latlng, merge({pane: pane}, P.fallback.point));
  }

  function pathStyle(name, f) {
    var p = f.properties || {};
    if (name === 'context') return merge(p.role === 'focus' ? P.context.focus : P.context.other, {interactive: false});
    if (name === 'provinces') {
      var c = PROVINCE_COLORS[p.country_iso] || P.provinces.default;
      return merge({color: c}, P.provinces.style, {fillColor: c});
    }
    if (name === 'admin1') {   // every province of both countries: quiet, under the frontier provinces
      var c1 = PROVINCE_COLORS[p.country_iso] || P.provinces.default;
      return {color: c1, weight: 0.8, opacity: 0.55, fillColor: c1, fillOpacity: 0.03};
    }
    if (name === 'border') return borderStyle(p, f.id);
    if (name === 'pipeline') return pipeStyle(p);
    if (name === 'events') {
      var col = eventTypeColor[p.event_type] || P.events.default;
      // (L.geoJSON styles its point markers too: an event point keeps its point symbol and takes
      // clicks; only areas get the click-less tint)
      if (/Point/.test(f.geometry.type)) return withTypeColor(P.events.point[eventShape(f)], col);
      return /LineString/.test(f.geometry.type) ? withTypeColor(P.events.line, col) : eventAreaStyle(col);
    }
    return merge(P.fallback.path);
  }
  A.pathStyle = pathStyle;

  function popupOptions() {
    var wide = window.innerWidth > 760;
    return {maxWidth: wide ? 360 : 280, minWidth: wide ? 240 : 200, autoPanPaddingTopLeft: [50, 60], autoPanPaddingBottomRight: [20, 40]};
  }

  function makeLayer(name, features) {
    var g = L.geoJSON({type: 'FeatureCollection', features: features.filter(function (f) { return f.geometry; })}, {
      pane: name === 'events' ? 'pane-event-areas' : 'pane-' + name,
      interactive: name !== 'context',
      renderer: name === 'context' ? A.contextRenderer : (name === 'admin1' ? A.admin1Renderer : undefined),
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
        if (name === 'context') return;   // the basemap: no tooltip, popup or tab stop
        var isArea = name === 'events' && /Polygon/.test(f.geometry.type);
        if (name !== 'places' && !isArea) {
          layer.bindTooltip(function () { return tooltipContent(name, f); }, {sticky: !f.geometry || !/Point/.test(f.geometry.type), direction: 'top', className: 'atlas-tip'});
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
  function makeSites(map) {
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
      site.bindTooltip(function () { return h('div', {cls: 'tip'}, [h('strong', {text: title}), h('div', {cls: 'tip-sub', text: ids.length + ' things here'})]); },
        {direction: 'top', className: 'atlas-tip'});
      if (place) placeLabel(site, place.rec.feature);
      A.groups[owner.name].addLayer(site);
      A.sites.push(site);
    });
  }
  function sitePopup(ids, first) {
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

  // ---------------------------------------------------------------- labels without collisions
  var labels = [];
  function placeLabel(layer, f) {
    var p = f.properties || {};
    var major = p.in_article === true || (typeof p.population === 'number' && p.population >= 200000);
    var rank = (p.in_article === true ? 2e9 : 0) + (typeof p.population === 'number' ? p.population : 0);
    var bind = function () {
      layer.bindTooltip(h('span', {text: p.name || String(f.id)}), {
        permanent: true, direction: 'right', offset: [layer.atlasSite ? 20 : 6, 0], className: 'place-label' + (major ? '' : ' minor')
      });
    };
    // minor places are labelled from zoom 7 on: their labels are made when first needed
    if (major) bind(); else minorLabels.push(bind);
    labels.push({layer: layer, rank: rank, id: String(f.id)});
  }
  var minorLabels = [];
  function labelMinor() {
    if (!minorLabels.length || A.map.getZoom() < 7) return;
    var todo = minorLabels;
    minorLabels = [];
    todo.forEach(function (b) { b(); });
  }
  // Greedy placement, most important first (places in the article, then by population): a label
  // that would overlap one already placed (or another site's symbol) is hidden at this zoom.
  function layoutLabels() {
    var placed = [];
    function overlaps(r) {
      for (var i = 0; i < placed.length; i++) {
        var q = placed[i];
        if (r.left < q.right && r.right > q.left && r.top < q.bottom && r.bottom > q.top) return true;
      }
      return false;
    }
    var items = labels.filter(function (x) { return x.layer.getTooltip() && x.layer.getTooltip().getElement() && A.map.hasLayer(x.layer); });
    items.forEach(function (x) { x.layer.getTooltip().getElement().classList.remove('label-hidden'); side(x, 'right'); });
    items.sort(function (a, b) { return b.rank - a.rank || (a.id < b.id ? -1 : 1); });
    // a label must also stay inside the map (and the window): cut off on the right, it goes to the
    // left of its point; fitting on neither side, it is hidden
    var mr = A.map.getContainer().getBoundingClientRect();
    var box = {left: Math.max(mr.left, 0), top: Math.max(mr.top, 0), right: Math.min(mr.right, window.innerWidth), bottom: Math.min(mr.bottom, window.innerHeight)};
    var inside = function (r) { return r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom; };
    items.forEach(function (x) {
      var el = x.layer.getTooltip().getElement();
      if (window.getComputedStyle(el).display === 'none') return;
      var r = el.getBoundingClientRect();
      if (!r.width) return;
      if (!inside(r) || overlaps(r)) {
        side(x, 'left');
        r = el.getBoundingClientRect();
        if (!inside(r) || overlaps(r)) { side(x, 'right'); el.classList.add('label-hidden'); return; }
      }
      placed.push({left: r.left - 2, right: r.right + 2, top: r.top - 1, bottom: r.bottom + 1});
    });
  }
  A.layoutLabels = layoutLabels;
  function side(x, dir) {
    var t = x.layer.getTooltip(), off = x.layer.atlasSite ? 20 : 6;
    if (t.options.direction === dir) return;
    t.options.direction = dir;
    t.options.offset = L.point(dir === 'left' ? -off : off, 0);
    t.update();
  }

  // ---------------------------------------------------------------- tooltips and popups
  // a popup's field labels: each field's title (and unit) from its layer's JSON Schema, in schema
  // order (the payload's layers.<name>.fields, geo/render/story.py popup_fields)
  function fieldsOf(name) {
    var lyr = (data.layers || {})[name] || {};
    return (lyr.fields || []).map(function (f) { return [f.name, f.unit ? f.title + ' (' + f.unit + ')' : f.title]; });
  }
  var SKIP = {sources: 1, source_urls: 1, article_paragraph: 1, article_start: 1, article_end: 1, article_quote: 1, name: 1};

  function tooltipContent(name, f) {
    var p = f.properties || {};
    var d = h('div', {cls: 'tip'}, [h('strong', {text: featureTitle(f, name)})]);
    var sub = [];
    if (name === 'pipeline' && p.status) sub.push(p.status + (p.route_accuracy ? ', route accuracy ' + p.route_accuracy : ''));
    if ((name === 'markets' || name === 'crossings') && p.status) sub.push(p.status + (p.verified === false ? ' (location approximate)' : ''));
    if (name === 'border' && typeof p.length_km === 'number') sub.push(p.length_km + ' km');
    if (name === 'events' && p.event_type) sub.push(p.event_type);
    if (name === 'provinces' && p.country) sub.push(p.country);
    if (sub.length) d.appendChild(h('div', {cls: 'tip-sub', text: sub.join(' · ')}));
    return d;
  }

  function sourceList(ids) {
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

  function verdictBadge(v) {
    return h('span', {cls: 'verdict verdict-' + String(v || 'unknown').replace(/[^a-z]+/gi, '-').toLowerCase(), text: v || 'no verdict'});
  }

  // A quote is shown between “ ” unless it already is one; double quotes inside a wrapped quote
  // become single ones, so quote marks are never doubled.
  function quoted(q) {
    q = String(q);
    if (/^\s*[“"]/.test(q) && /[”"][\s.,;:!?)…]*$/.test(q)) return q;
    return '“' + q.replace(/“/g, '‘').replace(/”/g, '’') + '”';
  }
  A.quoted = quoted;

  function quoteBlock(obj) {
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

  // A few plain facts lead; ids, vertices, methods and notes go into "data details".
  var PLAIN = {
    border: ['length_km', 'published_length_km_factbook'],
    provinces: ['country', 'capital', 'area_km2'],
    pipeline: ['status', 'status_note', 'length_known_km', 'capacity_reported', 'start_location', 'end_location'],
    markets: ['name_pk', 'name_ir', 'status', 'opened_date'],
    crossings: ['name_pk', 'name_ir', 'status', 'opened_date'],
    places: ['admin1', 'population'],
    events: ['display_date', 'event_type', 'location', 'fatalities']
  };
  function factRows(p, fields) {
    var tb = h('table', {cls: 'facts'});
    fields.forEach(function (fl) {
      var v = p[fl[0]];
      if (isEmpty(v) || typeof v === 'object') return;
      tb.appendChild(h('tr', null, [h('th', {text: fl[1]}), h('td', {text: fmt(v)})]));
    });
    return tb.firstChild ? tb : null;
  }
  function popupContent(name, f) {
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
      box.appendChild(h('div', {cls: 'warn', text: name === 'pipeline' && f.geometry && !/Point/.test(f.geometry.type)
        ? 'Route approximate: not traced from a source that gives it.' : 'Location approximate: no source gives this coordinate.'}));
    }
    // 3. a few plain facts
    var declared = fieldsOf(name);
    var all = declared.length ? declared : Object.keys(p).filter(function (k) { return !SKIP[k]; }).map(function (k) { return [k, k]; });
    var plain = PLAIN[name] || [];
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

  // ---------------------------------------------------------------- selection, deep links
  function anchorFor(layer) {
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

  function ensureVisible(rec) {
    var map = A.map;
    if (rec.group && !map.hasLayer(rec.group)) rec.group.addTo(map);
    if (rec.layerName === 'events' && A.time && A.time.include) A.time.include(rec.feature);
  }

  // Each selection the reader makes is a history entry (Back and Forward step through them); a
  // selection made by the address itself (a deep link, Back) replaces nothing and adds nothing.
  var applying = false;
  function setHash(h2) {
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
  var hl = null;
  function clearHighlight() {
    if (hl) { A.map.removeLayer(hl); hl = null; }
    A.highlighted = null;
    A.highlightFor = null;
  }
  // one id, or a list of ids (a passage that names several features highlights them all)
  function highlight(id) {
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

  var flySeq = 0;
  function openFor(rec, target) {
    var layer = rec.layer;
    if (!A.map.hasLayer(layer)) return;
    if (rec.site) layer.atlasFirst = rec.id;
    layer.openPopup(target);
    A.highlightFor = layer.getPopup();
    A.lastOpened = rec.id;
  }
  function select(id, opts) {
    opts = opts || {};
    var rec = has(A.features, id) ? A.features[id] : null;
    if (!rec) { if (has(A.claimsById, id)) return showClaim(id, opts.fly !== false); notFound('feature', id); return false; }
    var map = A.map;
    A.selected = id;
    setHash('feature=' + encodeURIComponent(id));
    highlightPassage(id, opts.from !== 'article');
    ensureVisible(rec);
    highlight(id);
    if (opts.fly === false) {
      flySeq++;
      if (rec.site) rec.layer.atlasFirst = id;
      A.highlightFor = rec.layer.getPopup && rec.layer.getPopup();
      return true;
    }
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
  function flyThen(latlng, bounds, z, done, pad) {
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
  function notFound(kind, id) {
    var box = document.getElementById('atlas-notice');
    if (!box) return;
    while (box.firstChild) box.removeChild(box.firstChild);
    box.appendChild(h('span', {text: 'Not found: no ' + kind + ' has the id “' + String(id).slice(0, 80) + '”. The map shows everything instead.'}));
    box.appendChild(h('button', {type: 'button', cls: 'notice-close', text: 'OK', onclick: function () { box.hidden = true; }}));
    box.hidden = false;
    A.notFound = String(id);
  }
  A.showNotFound = notFound;

  function highlightPassage(id, scroll) {
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

  function showPassage(id, scroll) { openPanel(); highlightPassage(id, scroll); }

  function showClaim(id, fly) {
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
  function applyHash() {
    if (A._ignoreHash) { A._ignoreHash = false; return; }
    applying = true;
    try { applyHashNow(); } finally { applying = false; }
  }
  function applyHashNow() {
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

  // ---------------------------------------------------------------- panel (tabs filled by the panel elements)
  function openPanel() {
    if (!document.body.classList.contains('panel-closed')) return;
    document.body.classList.remove('panel-closed');
    var t = document.getElementById('atlas-toggle');
    if (t) t.setAttribute('aria-expanded', 'true');
    if (A.layoutHead) A.layoutHead(); else A.map.invalidateSize();
  }
  function showTab(name) {
    var tabs = document.querySelectorAll('#atlas-panel .tab');
    for (var i = 0; i < tabs.length; i++) {
      var on = tabs[i].getAttribute('data-tab') === name;
      tabs[i].classList.toggle('active', on);
      tabs[i].setAttribute('aria-selected', on ? 'true' : 'false');
      tabs[i].setAttribute('tabindex', on ? '0' : '-1');
    }
    var secs = document.querySelectorAll('#atlas-panel .tab-body');
    for (var j = 0; j < secs.length; j++) secs[j].hidden = secs[j].id !== 'tab-' + name;
    // a tab's content is built the first time it is shown (hidden tabs cost nothing at start-up)
    if (has(builders, name)) { var b = builders[name]; delete builders[name]; b(); }
  }
  var builders = Object.create(null);
  // a panel element adds its tab: returns the tab's body
  A.addTab = function (name, label, build) {
    var tabs = document.getElementById('atlas-tabs'), body = document.getElementById('atlas-panel-body');
    if (!tabs || !body) return null;
    var btn = h('button', {cls: 'tab', role: 'tab', 'data-tab': name, type: 'button', id: 'tab-' + name + '-label',
      'aria-controls': 'tab-' + name, text: label, onclick: function () { showTab(name); }});
    tabs.appendChild(btn);
    var sec = h('section', {cls: 'tab-body', id: 'tab-' + name, role: 'tabpanel', 'aria-labelledby': 'tab-' + name + '-label', hidden: 'hidden'});
    body.appendChild(sec);
    if (build) builders[name] = function () { build(sec); };
    if (tabs.children.length === 1) showTab(name);
    return sec;
  };

  function refKind(id) {
    return has(A.claimsById, id) && !has(A.features, id) ? 'claim' : (has(A.features, id) ? A.features[id].layerName : 'missing');
  }
  function refLabel(id) {
    var r = has(A.features, id) ? A.features[id] : null, c = has(A.claimsById, id) ? A.claimsById[id] : null;
    if (r) return featureTitle(r.feature, r.layerName);
    if (c) return c.claim || c.topic || id;   // a claim is named by what it says
    return id;
  }
  var KIND_LABEL = {claim: 'Claim', events: 'Event', places: 'Place', pipeline: 'Pipeline', markets: 'Border market',
    crossings: 'Crossing', border: 'Border', provinces: 'Province', context: 'Country', missing: 'Missing'};

  // ---------------------------------------------------------------- counts (what Leaflet really drew)
  function isDrawn(l) {
    var onCanvas = function (x) { return x._renderer && x._renderer instanceof L.Canvas && A.map.hasLayer(x); };
    return A.map.hasLayer(l) && !!(l._path || l._icon || onCanvas(l) ||
      (l.getLayers && l.getLayers().some(function (x) { return x._path || onCanvas(x); })));
  }
  // ids of the features of a layer that are on the map now (SVG, canvas or marker)
  A.drawnIds = function (layerName) {
    return A.records.filter(function (r) { return r.layerName === layerName && isDrawn(r.layer); })
      .map(function (r) { return r.id; });
  };
  A.counts = function () {
    var out = {};
    A.records.forEach(function (r) { if (isDrawn(r.layer)) out[r.layerName] = (out[r.layerName] || 0) + 1; });
    return out;
  };
  A.showAllOverlays = function () {
    Object.keys(A.groups).forEach(function (n) { if (n !== 'context' && !A.map.hasLayer(A.groups[n])) A.groups[n].addTo(A.map); });
    if (A.time && A.time.bounds) A.time.set(A.time.bounds()[0], A.time.bounds()[1]);
  };

  // the document never scrolls: everything scrolls inside its own box
  function pinDocument() {
    var fix = function () { if (window.scrollY || window.scrollX) window.scrollTo(0, 0); };
    window.addEventListener('scroll', fix, {passive: true});
  }

  // full screen shows the whole page (the article with the map), not the map alone
  A.fullscreen = function (map) {
    if (!L.Control.FullScreen) return;
    A.fullscreenElement = document.documentElement;
    new L.Control.FullScreen({position: 'topleft', title: 'Full screen', titleCancel: 'Exit full screen',
      fullscreenElement: A.fullscreenElement}).addTo(map);
  };

  // ---------------------------------------------------------------- start / finish
  A.marks = {};
  A.mark = function (k) { A.marks[k] = Math.round(performance.now()); };
  A.start = function (map) {
    A.t0 = performance.now();
    readPalette();
    readData();
    A.mark('data');
    A._ = {esc: esc, h: h, svg: svg, safeUrl: safeUrl, isEmpty: isEmpty, fmt: fmt, plural: plural, merge: merge,
      withTypeColor: withTypeColor, pipeStyle: pipeStyle, borderStyle: borderStyle, eventShape: eventShape,
      featureTitle: featureTitle, pathStyle: pathStyle, sourceList: sourceList, verdictBadge: verdictBadge, quoted: quoted,
      quoteBlock: quoteBlock, select: select, showClaim: showClaim, highlightPassage: highlightPassage, showPassage: showPassage,
      openPanel: openPanel, showTab: showTab, refKind: refKind, refLabel: refLabel, flyThen: flyThen, layerLabel: layerLabel,
      scrollWithin: scrollWithin, claimsByFeature: claimsByFeature, P: P, PIPE_STATUS: PIPE_STATUS, ACCURACY: ACCURACY,
      MARKET_STATUS: MARKET_STATUS, CROSSING_STATUS: CROSSING_STATUS, PROVINCE_COLORS: PROVINCE_COLORS, LG: LG,
      eventTypeColor: eventTypeColor, EVENT_SHAPE_LABEL: EVENT_SHAPE_LABEL, data: data, KIND_LABEL: KIND_LABEL, has: has,
      eventAreaStyle: eventAreaStyle, LABEL: LABEL};
    // on phones and tablets the article starts folded away; decide before the map measures itself
    if (A.narrow()) document.body.classList.add('panel-closed');
    pinDocument();
    map.invalidateSize({animate: false});
    init(map);
    A.mark('layers');
  };
  A.finish = function (map) {
    A.mark('elements');
    if (A.fitInitial) A.fitInitial();
    A.mark('fit');
    (A.initialOn || []).forEach(function (g) { g.addTo(map); });
    A.mark('drawn');
    layoutLabels();
    A.mark('labels');
    window.addEventListener('hashchange', applyHash);
    try { applyHash(); } catch (e) { notFound('feature', location.hash.slice(1)); }
    A.readyMs = performance.now();
    A.initMs = A.readyMs - A.t0;
    A.ready = true;
    document.body.setAttribute('data-atlas-ready', 'true');
  };
})();
