/* Iran–Pakistan frontier atlas: the story map's behaviour (our own code, MIT).
 *
 * Reads the JSON embedded by geo/render (script#atlas-data), draws every layer on the
 * folium-created Leaflet map, and wires the article panel, claims panel, legend, time
 * control, geodesic measure tool, search and deep links.
 *
 * Safety rule: every string that comes from the data is put into the page with
 * textContent / createTextNode / setAttribute, never with innerHTML. Where Leaflet itself
 * uses innerHTML (layer-control names, attribution) the text goes through esc() first.
 */
(function () {
  'use strict';

  var A = (window.atlas = window.atlas || {});
  A.ready = false;
  A.features = {};        // id -> {id, layerName, feature, layer, group}
  A.claimsById = {};
  A.selected = null;

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

  // ---------------------------------------------------------------- styles
  // Every colour, dash, width and symbol of the data layers comes from geo/palette.py, embedded
  // by geo/render as script#atlas-palette (the QGIS styles are generated from the same palette).
  var P = JSON.parse(document.getElementById('atlas-palette').textContent);
  A.palette = P;
  var PIPE_STATUS = P.pipeline.status;
  var ACCURACY = P.pipeline.accuracy;
  var MARKET_STATUS = P.markets.status;
  var CROSSING_STATUS = P.crossings.status;
  var PROVINCE_COLORS = P.provinces.country;
  var LG = P.legend;
  var eventTypeColor = P.events.type_colors;

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
  var EVENT_SHAPE_LABEL = P.events.shape_label;

  // ---------------------------------------------------------------- data
  var data = JSON.parse(document.getElementById('atlas-data').textContent);
  A.data = data;
  var LAYER_ORDER = ['context', 'provinces', 'border', 'pipeline', 'events', 'markets', 'crossings', 'places'];
  var LAYER_LABEL = {
    context: 'Countries (offline basemap)', provinces: 'Provinces', border: 'Border',
    pipeline: 'Gas pipeline', markets: 'Border markets', crossings: 'Border crossings',
    places: 'Places', events: 'Events'
  };
  var PANES = {
    context: 250, provinces: 360, border: 420, pipeline: 430, events: 450, markets: 610, crossings: 620, places: 630
  };

  // geometries shared by several features are embedded once: {"geometry": null, "geometry_ref": [layer, index]}
  Object.keys(data.layers).forEach(function (n) {
    data.layers[n].features.forEach(function (f) {
      if (f.geometry_ref) { f.geometry = data.layers[f.geometry_ref[0]].features[f.geometry_ref[1]].geometry; delete f.geometry_ref; }
    });
  });
  (data.claims || []).forEach(function (c) { A.claimsById[c.id] = c; });
  var claimsByFeature = {};
  (data.claims || []).forEach(function (c) {
    (c.feature_ids || []).forEach(function (fid) { (claimsByFeature[fid] = claimsByFeature[fid] || []).push(c); });
  });

  function featureTitle(f, layerName) {
    var p = f.properties || {};
    if (layerName === 'events') {
      var t = p.sub_event_type || p.event_type || 'Event';
      return (p.display_date || p.event_date || '') + ' · ' + t + (p.location ? ' · ' + p.location : '');
    }
    return p.name || p.location || String(f.id);
  }

  // ---------------------------------------------------------------- map set-up
  function init(map) {
    A.map = map;
    map.attributionControl.setPrefix('<span>Leaflet</span>');
    var bgBase = L.layerGroup();
    var baseLayers = {};
    var overlays = {};
    A.groups = {};

    LAYER_ORDER.concat(Object.keys(data.layers).filter(function (n) { return LAYER_ORDER.indexOf(n) < 0; }))
      .forEach(function (name) {
        var fc = data.layers[name];
        if (!fc || !fc.features || !fc.features.length) return;
        map.createPane('pane-' + name).style.zIndex = PANES[name] || 440;
        if (name === 'events') map.createPane('pane-event-areas').style.zIndex = 400;  // areas, bands: under lines
        if (name === 'border') {
          // the Natural Earth variant is a separate overlay, off by default
          var ne = fc.features.filter(function (f) {
            return (f.properties || {}).variant === 'natural_earth_10m' || /ne10m/.test(f.id);
          });
          var main = fc.features.filter(function (f) { return ne.indexOf(f) < 0; });
          if (main.length) {
            A.groups.border = makeLayer('border', main);
            overlays[layerLabel('border', main.length, 'Border (OpenStreetMap, bridged stretches)')] = A.groups.border;
            A.groups.border.addTo(map);
          }
          if (ne.length) {
            A.groups['border-ne'] = makeLayer('border', ne);
            overlays[layerLabel('border', ne.length, 'Border (Natural Earth 1:10m)')] = A.groups['border-ne'];
          }
          return;
        }
        var g = makeLayer(name, fc.features);
        A.groups[name] = g;
        if (name === 'context') {
          var labels = contextLabels(fc.features);
          var base = L.layerGroup([g, labels]);
          baseLayers['Offline basemap: countries (no network)'] = base;
          base.addTo(map);
        } else {
          overlays[layerLabel(name, fc.features.length)] = g;
          g.addTo(map);
        }
        var md = fc.metadata || {};
        if (md.attribution) String(md.attribution).split(/\s*;\s*/).forEach(function (a) { if (a) map.attributionControl.addAttribution(esc(a)); });
      });

    if (!Object.keys(baseLayers).length) baseLayers['Plain background (no network)'] = bgBase.addTo(map);
    baseLayers['OpenStreetMap (online)'] = L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {
      maxZoom: 19, attribution: '&copy; OpenStreetMap contributors'
    });
    baseLayers['Satellite: Esri World Imagery (online)'] = L.tileLayer(
      'https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}', {
        maxZoom: 18, attribution: 'Imagery &copy; Esri, Maxar, Earthstar Geographics'
      });
    var attr = map.attributionControl.getContainer();
    attr.setAttribute('title', 'Sources of the map data (click to expand)');
    L.DomEvent.on(attr, 'click', function () { attr.classList.toggle('expanded'); });
    A.layerControl = L.control.layers(baseLayers, overlays, {collapsed: true, position: 'topright'}).addTo(map);

    L.control.scale({metric: true, imperial: true, position: 'bottomleft'}).addTo(map);
    if (L.Control.FullScreen) {
      new L.Control.FullScreen({position: 'topleft', title: 'Full screen', titleCancel: 'Exit full screen'}).addTo(map);
    }
    addMeasure(map);
    addSearch(map);
    addTimeControl(map);
    addLegend(map);
    fitInitial(map);
    map.on('popupopen', function (e) { fitPopup(map, e.popup); });
    map.on('popupclose', function () { restorePanels(); });
  }

  // ---------------------------------------------------------------- popups on small screens
  // On a phone the controls cover much of the map: while a popup is open the date and legend
  // panels fold to their titles, and the popup is kept clear of every control (its × too):
  // auto-pan padding and the popup's size come from where the controls really are.
  var NARROW = 760;
  var folded = [];
  function restorePanels() {
    folded.forEach(function (d) { d.open = true; });
    folded = [];
  }
  function controlRoom(map) {
    var mr = map.getContainer().getBoundingClientRect();
    var room = {top: 10, bottom: 10, left: 10, right: 10};
    var els = Array.prototype.slice.call(map.getContainer().querySelectorAll('.leaflet-control'));
    var tog = document.getElementById('atlas-toggle');
    if (tog) els.push(tog);
    els.forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (!r.width || !r.height || r.bottom <= mr.top || r.top >= mr.bottom || r.right <= mr.left || r.left >= mr.right) return;
      var inLeftColumn = r.right - mr.left < 60 && r.top - mr.top < mr.height / 2;
      if (inLeftColumn) { room.left = Math.max(room.left, r.right - mr.left + 6); return; }
      if (r.top - mr.top < mr.height / 2) room.top = Math.max(room.top, r.bottom - mr.top + 6);
      else room.bottom = Math.max(room.bottom, mr.bottom - r.top + 6);
    });
    return room;
  }
  A.controlRoom = function () { return controlRoom(A.map); };
  function fitPopup(map, popup) {
    var size = map.getSize();
    if (Math.min(size.x, window.innerWidth) > NARROW) return;
    ['atlas-time', 'atlas-legend'].forEach(function (id) {
      var d = document.getElementById(id);
      if (d && d.open) { d.open = false; folded.push(d); }
    });
    var room = controlRoom(map);
    var o = popup.options;
    o.autoPan = true;
    o.autoPanPaddingTopLeft = L.point(room.left, room.top);
    o.autoPanPaddingBottomRight = L.point(room.right, room.bottom);
    o.keepInView = false;
    o.maxWidth = Math.max(160, Math.min(260, size.x - room.left - room.right - 34));
    o.minWidth = Math.min(o.minWidth || 0, o.maxWidth);
    // the popup's tip and frame take about 40 px besides the content
    o.maxHeight = Math.max(90, size.y - room.top - room.bottom - 44);
    popup.update();
  }

  function layerLabel(name, n, label) {
    return esc((label || LAYER_LABEL[name] || name) + ' (' + n + ')');
  }

  function fitInitial(map) {
    var b = null;
    ['border', 'provinces', 'pipeline'].forEach(function (n) {
      var g = A.groups[n];
      if (g && g.getLayers().length) b = b ? b.extend(g.getBounds()) : L.latLngBounds(g.getBounds().getSouthWest(), g.getBounds().getNorthEast());
    });
    if (!b) {
      Object.keys(A.groups).forEach(function (n) {
        var g = A.groups[n];
        if (n !== 'context' && g.getLayers().length) b = b ? b.extend(g.getBounds()) : L.latLngBounds(g.getBounds().getSouthWest(), g.getBounds().getNorthEast());
      });
    }
    var wide = map.getSize().x > 760;
    // Keep the view inside the offline basemap, so no edge of its land ever shows: the basemap's
    // bounds are the pan limit, and the lowest zoom is the one at which the view fits inside them.
    // Every start-up move is unanimated, so no pan is still running when the page is ready (a
    // running pan, stopped by the reader's first flight, would cut that flight short).
    var ctx = A.groups.context;
    var cb = ctx && ctx.getLayers().length ? ctx.getBounds() : null;
    var clamp = function () { map.setMinZoom(Math.max(3, map.getBoundsZoom(cb, true))); };
    if (cb) clamp();
    if (b && b.isValid()) map.fitBounds(b, {paddingTopLeft: [20, 60], paddingBottomRight: [wide ? 300 : 20, 20], animate: false});
    if (cb) {
      map.panInsideBounds(cb, {animate: false});
      map.setMaxBounds(cb);
      map.options.maxBoundsViscosity = 1.0;
      map.on('resize', clamp);
    }
    var zc = function () { map.getContainer().classList.toggle('zoom-low', map.getZoom() < 7); };
    map.on('zoomend', zc);
    zc();
  }

  function contextLabels(features) {
    var g = L.layerGroup();
    features.forEach(function (f) {
      var p = f.properties || {};
      if (typeof p.label_lat !== 'number' || typeof p.label_lon !== 'number' || !p.name) return;
      var lab = h('span', {cls: 'ctx-label' + (p.role === 'focus' ? ' focus' : ''), text: p.name});
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

  function pointLayer(name, f, latlng) {
    var p = f.properties || {};
    var pane = 'pane-' + name;
    if (name === 'pipeline') {   // the South Pars field
      return L.circleMarker(latlng, merge({pane: pane}, P.pipeline.gas_field));
    }
    if (name === 'markets' || name === 'crossings') {
      var colors = name === 'markets' ? MARKET_STATUS : CROSSING_STATUS;
      var c = colors[p.status] || P.status_default;
      var sym = h('span', {cls: 'sym ' + (name === 'markets' ? 'sym-square' : 'sym-diamond') + (p.verified === false ? ' sym-unverified' : '')});
      sym.style.borderColor = c;
      sym.style.backgroundColor = p.verified === false ? P.symbol_unverified_fill : c;
      return L.marker(latlng, {pane: pane, icon: L.divIcon({className: 'sym-icon', html: sym, iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -8]}), title: featureTitle(f, name), alt: featureTitle(f, name)});
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
    if (name === 'context') return merge(p.role === 'focus' ? P.context.focus : P.context.other, {interactive: true});
    if (name === 'provinces') {
      var c = PROVINCE_COLORS[p.country_iso] || P.provinces.default;
      return merge({color: c}, P.provinces.style, {fillColor: c});
    }
    if (name === 'border') return borderStyle(p, f.id);
    if (name === 'pipeline') return pipeStyle(p);
    if (name === 'events') {
      var col = eventTypeColor[p.event_type] || P.events.default;
      return withTypeColor(/LineString/.test(f.geometry.type) ? P.events.line : P.events.area, col);
    }
    return merge(P.fallback.path);
  }

  function makeLayer(name, features) {
    var g = L.geoJSON({type: 'FeatureCollection', features: features}, {
      pane: name === 'events' ? 'pane-event-areas' : 'pane-' + name,
      pointToLayer: function (f, latlng) { return pointLayer(name, f, latlng); },
      onEachFeature: function (f, layer) {
        var isPoint = f.geometry && (f.geometry.type === 'Point' || f.geometry.type === 'MultiPoint');
        if (!isPoint) {
          if (layer.setStyle) layer.setStyle(pathStyle(name, f));
        }
        var id = String(f.id);
        A.features[id] = {id: id, layerName: name, feature: f, layer: layer};
        tag(layer, name, id);
        if (name === 'places') {
          var pp = f.properties || {};
          var major = pp.in_article === true || (typeof pp.population === 'number' && pp.population >= 200000);
          layer.bindTooltip(h('span', {text: pp.name || id}), {
            permanent: true, direction: 'right', offset: [6, 0], className: 'place-label' + (major ? '' : ' minor')
          });
        } else if (name !== 'context' || true) {
          layer.bindTooltip(function () { return tooltipContent(name, f); }, {sticky: !isPoint, direction: 'top', className: 'atlas-tip'});
        }
        layer.bindPopup(function () { return popupContent(name, f); }, {maxWidth: window.innerWidth > 760 ? 360 : 260, minWidth: window.innerWidth > 760 ? 240 : 200, autoPanPaddingTopLeft: [50, 60], autoPanPaddingBottomRight: [window.innerWidth > 760 ? 320 : 20, 40]});
        layer.on('click', function () { select(id, {fly: false, from: 'map'}); });
      }
    });
    g.eachLayer(function (l) {
      var id = l.feature && String(l.feature.id);
      if (id && A.features[id]) A.features[id].group = g;
    });
    return g;
  }

  // ---------------------------------------------------------------- tooltips and popups
  var FIELDS = {
    border: [['variant', 'Variant'], ['length_km', 'Length (km, geodesic)'], ['vertex_count', 'Vertices'], ['resolution', 'Resolution'],
      ['published_length_km_factbook', 'Published (CIA Factbook), km'], ['published_length_km_older', 'Published (older), km'],
      ['bridged_km', 'Bridged (km)'], ['bridges', 'Bridges'], ['method', 'Method'], ['license', 'Licence'], ['attribution', 'Attribution']],
    provinces: [['name_local', 'Local name'], ['country', 'Country'], ['iso_3166_2', 'ISO 3166-2'], ['capital', 'Capital'],
      ['area_km2', 'Area (km², geodesic)'], ['area_km2_published', 'Area published (km²)'], ['area_source', 'Area source'],
      ['edge_derivation', 'Border edge'], ['license', 'Licence']],
    context: [['iso_a3', 'ISO 3166-1'], ['role', 'Role'], ['source', 'Source'], ['license', 'Licence']],
    pipeline: [['segment', 'Segment'], ['status', 'Status'], ['status_date', 'Status date'], ['status_note', 'Status note'],
      ['route_accuracy', 'Route accuracy'], ['route_method', 'Route method'], ['route_note', 'Route note'],
      ['diameter_in', 'Diameter (in)'], ['capacity_reported', 'Capacity (reported)'], ['capacity_units', 'Capacity units'],
      ['capacity_mmcfd', 'Capacity (mmcfd)'], ['capacity_mcm_d', 'Capacity (mcm/d)'], ['length_known_km', 'Length known (km)'],
      ['length_known_source', 'Length source'], ['length_route_km', 'Length of drawn route (km, geodesic)'],
      ['wiggle_factor', 'Wiggle factor'], ['countries', 'Countries'], ['start_location', 'From'], ['end_location', 'To'],
      ['verified', 'Location verified']],
    markets: [['name_pk', 'Pakistan side'], ['name_ir', 'Iran side'], ['status', 'Status'], ['status_date', 'Status date'],
      ['opened_date', 'Opened'], ['agreed_date', 'Agreed'], ['district_pk', 'District (PK)'], ['county_ir', 'County (IR)'],
      ['geo_precision', 'Geo precision'], ['verified', 'Location verified'], ['location_note', 'Location'],
      ['distance_to_border_km', 'Drawn point to border (km, geodesic)'],
      ['source_distance_to_border_km', 'Distance to border per source (km)'],
      ['border_flag', 'Source position off the border line (drawn on it)'], ['notes', 'Notes']],
    places: [['name_alt', 'Other names'], ['country_iso', 'Country'], ['admin1', 'Province'], ['geonames_id', 'GeoNames id'],
      ['population', 'Population'], ['feature_class', 'Feature class'], ['role', 'Role in the atlas'],
      ['verified', 'Location verified'], ['location_note', 'Location']],
    events: [['display_date', 'Date'], ['date_precision', 'Date precision'], ['event_type', 'Event type'],
      ['sub_event_type', 'Sub-event type'], ['actor1', 'Actor 1'], ['actor2', 'Actor 2'], ['location', 'Location'],
      ['admin1', 'Province'], ['geo_precision', 'Geo precision'], ['geometry_basis', 'Drawn at'], ['fatalities', 'Fatalities'],
      ['notes', 'Notes'], ['verified', 'Location verified']]
  };
  FIELDS.crossings = FIELDS.markets;
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
      var s = (data.sources || {})[sid];
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

  // A quote is shown between “ ” unless it already is one (“We must …,”); double quotes inside a
  // wrapped quote become single ones (“… the ‘Peace Pipeline.’”), so quote marks are never doubled.
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
      bq.appendChild(h('a', {href: '#', cls: 'to-passage', text: ' ¶' + obj.article_paragraph, onclick: function (e) {
        e.preventDefault(); showPassage(obj.id || obj._fid, true);
      }}));
    }
    return bq;
  }

  function popupContent(name, f) {
    var p = f.properties || {};
    var id = String(f.id);
    var box = h('div', {cls: 'popup', 'data-feature-id': id, 'data-layer': name});
    box.appendChild(h('div', {cls: 'popup-layer', text: (LAYER_LABEL[name] || name)}));
    box.appendChild(h('h3', {text: featureTitle(f, name)}));
    if (p.verified === false) {
      box.appendChild(h('div', {cls: 'warn', text: name === 'pipeline' && f.geometry && !/Point/.test(f.geometry.type)
        ? 'Route approximate: not traced from a source that gives it.' : 'Location approximate: no source gives this coordinate.'}));
    }
    var tb = h('table', {cls: 'facts'});
    var fields = FIELDS[name] || Object.keys(p).filter(function (k) { return !SKIP[k]; }).map(function (k) { return [k, k]; });
    fields.forEach(function (fl) {
      var v = p[fl[0]];
      if (isEmpty(v) || typeof v === 'object') return;
      tb.appendChild(h('tr', null, [h('th', {text: fl[1]}), h('td', {text: fmt(v)})]));
    });
    box.appendChild(tb);
    var q = quoteBlock({article_quote: p.article_quote, article_paragraph: p.article_paragraph, _fid: id});
    if (q) box.appendChild(h('div', {cls: 'popup-sec'}, [h('div', {cls: 'sec-h', text: 'The article says'}), q]));
    var cls = claimsByFeature[id] || [];
    if (cls.length) {
      var sec = h('div', {cls: 'popup-sec'}, [h('div', {cls: 'sec-h', text: 'Claims checked'})]);
      cls.forEach(function (c) {
        sec.appendChild(h('div', {cls: 'popup-claim'}, [verdictBadge(c.verdict), ' ',
          h('a', {href: '#claim=' + encodeURIComponent(c.id), text: c.topic || c.claim || c.id, onclick: function (e) {
            e.preventDefault(); showClaim(c.id, true);
          }})]));
      });
      box.appendChild(sec);
    }
    if (p.sources) box.appendChild(h('div', {cls: 'popup-sec'}, [h('div', {cls: 'sec-h', text: 'Sources'}), sourceList(p.sources)]));
    box.appendChild(h('div', {cls: 'popup-id'}, [h('span', {text: 'id: '}), h('code', {text: id}), ' ',
      h('a', {href: '#feature=' + encodeURIComponent(id), text: 'link'})]));
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
    if (rec.layerName === 'events' && !map.hasLayer(rec.layer)) A.time.include(rec.feature);
  }

  function setHash(h2) {
    try { history.replaceState(null, '', h2 ? '#' + h2 : location.pathname + location.search); }
    catch (e) { A._ignoreHash = true; location.hash = h2; }
  }

  var flySeq = 0;
  function select(id, opts) {
    opts = opts || {};
    var rec = A.features[id];
    if (!rec) { if (A.claimsById[id]) return showClaim(id, opts.fly !== false); return false; }
    var map = A.map;
    A.selected = id;
    setHash('feature=' + encodeURIComponent(id));
    highlightPassage(id, opts.from !== 'article');
    if (opts.fly === false) { flySeq++; return true; }
    ensureVisible(rec);
    var layer = rec.layer;
    var target = anchorFor(layer);
    var open = function () { if (map.hasLayer(layer)) layer.openPopup(target); A.lastOpened = id; };
    // only the latest selection opens its popup: a stale one (the reader clicked on) must not
    // open during the next flight, which would close the popup Leaflet is placing
    if (layer.getLatLng) flyThen(layer.getLatLng(), null, Math.max(map.getZoom(), 8), open);
    else flyThen(null, layer.getBounds(), 9, open);
    return true;
  }

  // Fly to a point (at zoom z) or to bounds (at most zoom z), then call done() once: at the end of
  // the flight, or after 1.6 s if no flight ends (an unanimated move). Only the latest flight calls
  // back: a stale one must not open its popup during the next, closing the popup Leaflet places.
  // The flight may be cut short by the pan that keeps the view inside the base map (it answers the
  // 'moveend' of a pan the flight stops): then it is flown again, at most twice.
  function flyThen(latlng, bounds, z, done) {
    var map = A.map;
    var my = ++flySeq, called = false, tries = 0, timer = null;
    var zoom = latlng ? z : Math.min(z, map.getBoundsZoom(bounds, false, L.point(80, 80)));
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
      else map.flyToBounds(bounds, {padding: [40, 40], maxZoom: z, duration: 0.6});
      // listen only once the flight has begun: flyTo first stops any running pan, which fires
      // that pan's 'moveend' (it is not the end of this flight)
      map.once('moveend', onEnd);
    };
    fly();
  }
  A.select = select;

  function highlightPassage(id, scroll) {
    var all = document.querySelectorAll('.passage.hl');
    for (var i = 0; i < all.length; i++) all[i].classList.remove('hl');
    var hits = document.querySelectorAll('.passage[data-refs~="' + CSS.escape(id) + '"]');
    for (var j = 0; j < hits.length; j++) hits[j].classList.add('hl');
    if (scroll && hits.length) {
      showTab('article');
      hits[0].scrollIntoView({block: 'center', behavior: 'auto'});
    }
    return hits.length;
  }

  function showPassage(id, scroll) { openPanel(); highlightPassage(id, scroll); }

  function showClaim(id, fly) {
    var c = A.claimsById[id];
    if (!c) return false;
    openPanel();
    showTab('claims');
    var all = document.querySelectorAll('.claim.hl');
    for (var i = 0; i < all.length; i++) all[i].classList.remove('hl');
    var card = document.getElementById('claim-' + id);
    if (card) { card.hidden = false; card.classList.add('hl'); card.scrollIntoView({block: 'nearest'}); }
    setHash('claim=' + encodeURIComponent(id));
    A.selected = id;
    var ids = (c.feature_ids || []).filter(function (f) { return A.features[f]; });
    if (!ids.length) {
      // nothing on the map: no popup or highlight of an unrelated feature may stay open
      flySeq++;
      A.map.closePopup();
      A.lastOpened = null;
      highlightPassage(id, false);
      return true;
    }
    if (fly && ids.length) {
      var rec = A.features[ids[0]];
      ids.forEach(function (f) { ensureVisible(A.features[f]); });
      var b = null;
      ids.forEach(function (f) {
        var l = A.features[f].layer;
        var lb = l.getBounds ? l.getBounds() : L.latLngBounds(l.getLatLng(), l.getLatLng());
        b = b ? b.extend(lb) : L.latLngBounds(lb.getSouthWest(), lb.getNorthEast());
      });
      flyThen(null, b, 8, function () { rec.layer.openPopup(anchorFor(rec.layer)); A.lastOpened = ids[0]; });
    }
    return true;
  }
  A.showClaim = showClaim;

  function applyHash() {
    if (A._ignoreHash) { A._ignoreHash = false; return; }
    var m = /^#(feature|claim)=(.+)$/.exec(location.hash || '');
    if (!m) return;
    var id = decodeURIComponent(m[2]);
    if (m[1] === 'feature') select(id, {fly: true, from: 'hash'});
    else showClaim(id, true);
  }

  // ---------------------------------------------------------------- panels
  function openPanel() { document.body.classList.remove('panel-closed'); setTimeout(function () { A.map.invalidateSize(); }, 0); }
  function showTab(name) {
    var tabs = document.querySelectorAll('#atlas-panel .tab');
    for (var i = 0; i < tabs.length; i++) {
      var on = tabs[i].getAttribute('data-tab') === name;
      tabs[i].classList.toggle('active', on);
      tabs[i].setAttribute('aria-selected', on ? 'true' : 'false');
    }
    var secs = document.querySelectorAll('#atlas-panel .tab-body');
    for (var j = 0; j < secs.length; j++) secs[j].hidden = secs[j].id !== 'tab-' + name;
  }

  function refKind(id) {
    return A.claimsById[id] && !A.features[id] ? 'claim' : ((A.features[id] || {}).layerName || 'missing');
  }
  function refLabel(id) {
    var r = A.features[id], c = A.claimsById[id];
    if (r) return featureTitle(r.feature, r.layerName);
    if (c) return c.topic || c.claim || id;
    return id;
  }
  var KIND_LABEL = {claim: 'Claim', events: 'Event', places: 'Place', pipeline: 'Pipeline', markets: 'Border market',
    crossings: 'Crossing', border: 'Border', provinces: 'Province', context: 'Country', missing: 'Missing'};

  // follow one annotation of a passage: a feature flies the map, a claim shows its card
  function followRef(id, passage) {
    if (refKind(id) === 'claim') { showClaim(id, true); highlightPassage(id, false); }
    else select(id, {fly: true, from: 'article'});
    A.lastPassage = passage || null;
    if (passage) keepPassageInView(passage);
  }

  // The passage the reader clicked stays in view (on a phone the sheet opens, the map flies and
  // a popup opens after the click): checked again once those have settled, unless the reader has
  // scrolled the article or clicked something else since.
  var keepTimers = [];
  function keepPassageInView(a) {
    keepTimers.forEach(clearTimeout);
    keepTimers = [];
    var body = document.getElementById('tab-article');
    var fix = function () {
      if (!a.isConnected || body.hidden) return;
      var br = body.getBoundingClientRect(), ar = a.getBoundingClientRect();
      if (ar.top < br.top || ar.bottom > br.bottom) body.scrollTop += ar.top - br.top - Math.max(8, (br.height - ar.height) / 3);
    };
    fix();
    [0, 700, 1700].forEach(function (ms) { keepTimers.push(setTimeout(fix, ms)); });
  }
  function stopKeeping() { keepTimers.forEach(clearTimeout); keepTimers = []; }

  function hideChooser() {
    var old = document.getElementById('passage-chooser');
    if (old) old.parentNode.removeChild(old);
    var open = document.querySelectorAll('a.passage[aria-expanded]');
    for (var i = 0; i < open.length; i++) open[i].removeAttribute('aria-expanded');
  }
  // a small menu listing every feature and claim a passage annotates
  function showChooser(a, refs, current) {
    hideChooser();
    var box = h('div', {id: 'passage-chooser', cls: 'passage-chooser', role: 'menu', 'aria-label': 'This passage is about'});
    var head = h('div', {cls: 'chooser-h'}, [h('span', {text: 'This passage is about ' + refs.length + ' items:'}),
      h('button', {type: 'button', cls: 'chooser-close', 'aria-label': 'Close', title: 'Close', text: '×', onclick: function () { hideChooser(); a.focus(); }})]);
    box.appendChild(head);
    refs.forEach(function (id) {
      var kind = refKind(id);
      var r = A.features[id], c = A.claimsById[id];
      var q = r ? (r.feature.properties || {}).article_quote : (c ? c.article_quote : null);
      var item = h('button', {type: 'button', role: 'menuitem', cls: 'chooser-item passage-' + kind, 'data-id': id,
        'aria-current': id === current ? 'true' : null}, [
        h('span', {cls: 'kind', text: KIND_LABEL[kind] || kind}), ' ',
        c && !r ? verdictBadge(c.verdict) : null, c && !r ? ' ' : null,
        h('span', {cls: 'chooser-label', text: refLabel(id)}),
        isEmpty(q) ? null : h('span', {cls: 'chooser-quote', text: quoted(q)})]);
      item.addEventListener('click', function () {
        var items = box.querySelectorAll('.chooser-item');
        for (var i = 0; i < items.length; i++) items[i].removeAttribute('aria-current');
        item.setAttribute('aria-current', 'true');
        followRef(id, a);
      });
      box.appendChild(item);
    });
    box.addEventListener('keydown', function (e) { if (e.key === 'Escape') { hideChooser(); a.focus(); } });
    // at the foot of the panel, so it stays visible when a claim's card is shown in the Claims tab
    document.getElementById('atlas-panel').appendChild(box);
    a.setAttribute('aria-expanded', 'true');
    keepPassageInView(a);
    return box;
  }
  A.hideChooser = hideChooser;

  function buildPanel() {
    var art = data.article || {};
    document.getElementById('atlas-title').textContent = art.title || 'Iran–Pakistan frontier atlas';
    document.getElementById('atlas-publisher').textContent = art.publisher ? 'Article: ' + art.publisher : '';
    var body = document.getElementById('tab-article');
    var nlinks = 0;
    body.appendChild(h('div', {cls: 'passage-key'}, ['Click a highlighted passage to see it on the map: ',
      h('span', {cls: 'passage passage-events', text: 'event'}), ' ', h('span', {cls: 'passage passage-places', text: 'place'}), ' ',
      h('span', {cls: 'passage passage-claim', text: 'checked claim'}), ' ', h('span', {cls: 'passage', text: 'other feature'}), ' ',
      h('span', {cls: 'passage passage-multi', text: 'several (a list opens)'})]));
    (art.paragraphs || []).forEach(function (segs, i) {
      var plain = segs.map(function (sg) { return sg[0]; }).join('');
      var subhead = plain.length < 90 && !/[.!?:;”"’')]\s*$/.test(plain);
      var para = h('p', {id: 'para-' + (i + 1), 'data-paragraph': i + 1, cls: subhead ? 'subhead' : null}, [h('span', {cls: 'pnum', text: '¶' + (i + 1)})]);
      segs.forEach(function (seg) {
        var text = seg[0], refs = seg[1] || [];
        if (!refs.length) { para.appendChild(document.createTextNode(text)); return; }
        nlinks++;
        var primary = refs[0];
        var kind = refKind(primary);
        var a = h('a', {cls: 'passage passage-' + kind + (refs.length > 1 ? ' passage-multi' : ''),
          href: (kind === 'claim' ? '#claim=' : '#feature=') + encodeURIComponent(primary),
          'data-refs': refs.join(' '), 'data-ref': primary,
          title: refs.length > 1 ? refs.length + ' annotations (click to choose): ' + refs.map(refLabel).join('; ') : refLabel(primary),
          'aria-haspopup': refs.length > 1 ? 'menu' : null, text: text});
        a.addEventListener('click', function (e) {
          e.preventDefault();
          // the first annotation acts at once; a passage with several also lists them all
          followRef(primary, a);
          if (refs.length > 1) showChooser(a, refs, primary); else hideChooser();
        });
        para.appendChild(a);
      });
      body.appendChild(para);
    });
    if ((data.unlinked || []).length) {
      var ul = h('ul');
      data.unlinked.forEach(function (u) { ul.appendChild(h('li', {text: u})); });
      body.appendChild(h('div', {cls: 'unlinked'}, [h('div', {cls: 'sec-h', text: 'Annotations whose quote was not found in the article'}), ul]));
    }
    A.passageCount = nlinks;
    ['wheel', 'touchstart', 'keydown'].forEach(function (ev) { body.addEventListener(ev, stopKeeping, {passive: true}); });

    var cl = document.getElementById('tab-claims');
    var claims = data.claims || [];
    var counts = {};
    claims.forEach(function (c) { counts[c.verdict] = (counts[c.verdict] || 0) + 1; });
    var summary = h('div', {cls: 'claims-summary'}, [h('strong', {text: plural(claims.length, 'claim') + ' checked: '})]);
    var activeVerdict = null;
    function filterClaims(v) {
      activeVerdict = activeVerdict === v ? null : v;
      var cards = cl.querySelectorAll('.claim');
      for (var i = 0; i < cards.length; i++) cards[i].hidden = !!activeVerdict && cards[i].getAttribute('data-verdict') !== activeVerdict;
      var btns = summary.querySelectorAll('button.vfilter');
      for (var j = 0; j < btns.length; j++) btns[j].setAttribute('aria-pressed', btns[j].getAttribute('data-verdict') === activeVerdict ? 'true' : 'false');
    }
    Object.keys(counts).sort().forEach(function (v) {
      summary.appendChild(h('button', {type: 'button', cls: 'vfilter', 'data-verdict': v, 'aria-pressed': 'false',
        title: 'Show only claims judged ' + v + ' (click again for all)', onclick: function () { filterClaims(v); }},
        [verdictBadge(v), ' ' + counts[v]]));
    });
    cl.appendChild(summary);
    claims.forEach(function (c) {
      var card = h('div', {cls: 'claim', id: 'claim-' + c.id, 'data-claim-id': c.id, 'data-verdict': c.verdict || ''}, [
        h('div', {cls: 'claim-head'}, [verdictBadge(c.verdict), ' ', h('strong', {text: c.topic || c.id})]),
        h('div', {cls: 'claim-text'}, [h('span', {cls: 'lbl', text: 'Claim: '}), c.claim || '']),
        quoteBlock(c),
        isEmpty(c.what_sources_say) ? null : h('div', {cls: 'claim-text'}, [h('span', {cls: 'lbl', text: 'What sources say: '}), c.what_sources_say])
      ]);
      if (!isEmpty(c.measured_value)) {
        card.appendChild(h('div', {cls: 'measured'}, [h('span', {cls: 'lbl', text: 'Measured: '}),
          h('strong', {text: fmt(c.measured_value) + (c.measured_unit ? ' ' + c.measured_unit : '')}),
          isEmpty(c.measured_note) ? null : h('span', {cls: 'note', text: ' — ' + c.measured_note})]));
      }
      var fids = (c.feature_ids || []);
      if (fids.length) {
        var fl = h('div', {cls: 'claim-features'}, [h('span', {cls: 'lbl', text: 'On the map: '})]);
        fids.forEach(function (fid) {
          var rec = A.features[fid];
          fl.appendChild(h('a', {href: '#feature=' + encodeURIComponent(fid), cls: 'feat-link', text: rec ? featureTitle(rec.feature, rec.layerName) : fid,
            onclick: function (e) { e.preventDefault(); select(fid, {fly: true, from: 'claims'}); }}));
          fl.appendChild(document.createTextNode(' '));
        });
        card.appendChild(fl);
      }
      if (c.sources) card.appendChild(sourceList(c.sources));
      cl.appendChild(card);
    });
    document.getElementById('tab-claims-label').textContent = 'Claims (' + claims.length + ')';

    var ab = document.getElementById('tab-about');
    ab.appendChild(h('p', {text: 'Click a highlighted passage to fly to what it talks about; click a feature to find its passage. ' +
      'The layer switcher (top right) turns layers on and off and offers online base maps; the default base map is drawn from the ' +
      'atlas’s own country layer and needs no network. Lengths measured with the ruler are geodesics on the WGS84 ellipsoid.'}));
    var ll = h('ul', {cls: 'layer-meta'});
    Object.keys(data.layers).forEach(function (n) {
      var md = (data.layers[n] || {}).metadata || {};
      var li = h('li', null, [h('strong', {text: md.title || n}), ' ', h('span', {text: '(' + (data.layers[n].features || []).length + ' features, layers/' + n + '.geojson)'})]);
      if (md.description) li.appendChild(h('div', {text: md.description}));
      if (md.license) li.appendChild(h('div', {cls: 'note', text: 'Licence: ' + md.license}));
      if (md.attribution) li.appendChild(h('div', {cls: 'note', text: 'Attribution: ' + md.attribution}));
      ll.appendChild(li);
    });
    ab.appendChild(h('div', {cls: 'sec-h', text: 'Layers'}));
    ab.appendChild(ll);
    var sids = Object.keys(data.sources || {});
    if (sids.length) {
      ab.appendChild(h('div', {cls: 'sec-h', text: 'Sources'}));
      ab.appendChild(sourceList(sids.join(';')));
    }
    ab.appendChild(h('p', {cls: 'note', text: 'Boundaries are drawn as mapped in the sources named above (de facto); they imply no position on any claim.'}));

    var tabs = document.querySelectorAll('#atlas-panel .tab');
    for (var i = 0; i < tabs.length; i++) {
      tabs[i].addEventListener('click', function () { showTab(this.getAttribute('data-tab')); });
    }
    document.getElementById('atlas-toggle').addEventListener('click', function () {
      document.body.classList.toggle('panel-closed');
      this.setAttribute('aria-expanded', document.body.classList.contains('panel-closed') ? 'false' : 'true');
      setTimeout(function () { A.map.invalidateSize(); }, 0);
    });
    showTab('article');
  }

  // ---------------------------------------------------------------- legend
  function swatchLine(style) {
    var s = svg('svg', {width: 34, height: 14, 'aria-hidden': 'true'});
    s.appendChild(svg('line', {x1: 2, y1: 7, x2: 32, y2: 7, stroke: style.color, 'stroke-width': Math.min(style.weight || 2, 7),
      'stroke-opacity': style.opacity === undefined ? 1 : style.opacity, 'stroke-dasharray': style.dashArray || 'none',
      'stroke-linecap': style.lineCap || 'butt'}));
    return s;
  }
  function swatchArea(style) {
    var s = svg('svg', {width: 34, height: 14, 'aria-hidden': 'true'});
    s.appendChild(svg('rect', {x: 2, y: 1, width: 30, height: 12, fill: style.fillColor, 'fill-opacity': Math.max(style.fillOpacity || 0, 0.2),
      stroke: style.color, 'stroke-width': 1.5, 'stroke-dasharray': style.dashArray || 'none'}));
    return s;
  }
  function swatchCircle(o) {
    var s = svg('svg', {width: 34, height: 24, 'aria-hidden': 'true'});
    s.appendChild(svg('circle', {cx: 17, cy: 12, r: Math.min(o.radius || 6, 10), fill: o.fill === false ? 'none' : (o.fillColor || o.color),
      'fill-opacity': o.fillOpacity === undefined ? 1 : o.fillOpacity, stroke: o.color, 'stroke-width': o.weight || 1, 'stroke-dasharray': o.dashArray || 'none'}));
    return s;
  }
  function swatchSym(shape, color, hollow) {
    var sp = h('span', {cls: 'sym ' + shape + (hollow ? ' sym-unverified' : '')});
    sp.style.borderColor = color;
    sp.style.backgroundColor = hollow ? P.symbol_unverified_fill : color;
    return h('span', {cls: 'sym-wrap'}, [sp]);
  }
  function legendRow(sw, label, n) {
    return h('div', {cls: 'lg-row'}, [h('span', {cls: 'lg-sw'}, [sw]), h('span', {cls: 'lg-label', text: label}),
      n === null || n === undefined ? null : h('span', {cls: 'lg-n', text: String(n)})]);
  }
  function countBy(features, fn) {
    var out = {}, order = [];
    features.forEach(function (f) { var k = fn(f); if (!(k in out)) { out[k] = 0; order.push(k); } out[k]++; });
    return {counts: out, order: order};
  }

  function addLegend(map) {
    var ctl = L.control({position: 'bottomright'});
    ctl.onAdd = function () {
      var det = h('details', {cls: 'atlas-legend leaflet-bar', id: 'atlas-legend', open: window.innerWidth > 760 ? 'open' : null});
      det.appendChild(h('summary', {text: 'Legend'}));
      var box = h('div', {cls: 'lg-body'});
      det.appendChild(box);
      var L_ = data.layers;
      function section(title) { box.appendChild(h('div', {cls: 'lg-h', text: title})); }
      var fs;
      if (L_.border && (fs = L_.border.features).length) {
        section('Border');
        var cb = countBy(fs, function (f) {
          var p = f.properties || {};
          return p.kind === 'bridged_stretch' || p.variant === 'bridge' ? 'bridge' : (p.variant === 'natural_earth_10m' || /ne10m/.test(f.id) ? 'ne' : 'osm');
        });
        var lab = {osm: 'OpenStreetMap-derived border (~10 m)', ne: 'Natural Earth 1:10m (off by default)', bridge: 'bridged stretch (gap in the source, bridged)'};
        var sty = {osm: borderStyle({}, 'x'), ne: borderStyle({variant: 'natural_earth_10m'}, ''), bridge: borderStyle({kind: 'bridged_stretch'}, '')};
        cb.order.forEach(function (k) { box.appendChild(legendRow(swatchLine(sty[k]), lab[k], cb.counts[k])); });
      }
      if (L_.pipeline && (fs = L_.pipeline.features).length) {
        section('Gas pipeline: colour and dash = status');
        var lines = fs.filter(function (f) { return f.geometry && f.geometry.type !== 'Point'; });
        var bs = countBy(lines, function (f) { return f.properties.status; });
        bs.order.forEach(function (k) { var st = PIPE_STATUS[k] || P.pipeline.status_default; box.appendChild(legendRow(swatchLine({color: st.color, dashArray: st.dash, weight: LG.pipeline_status_weight}), k, bs.counts[k])); });
        box.appendChild(h('div', {cls: 'lg-h2', text: 'width and opacity = route accuracy (GEM)'}));
        var ba = countBy(lines, function (f) { return f.properties.route_accuracy; });
        Object.keys(ACCURACY).forEach(function (k) { if (ba.counts[k]) box.appendChild(legendRow(swatchLine({color: LG.accuracy_color, weight: ACCURACY[k].weight, opacity: ACCURACY[k].opacity}), ACCURACY[k].label, ba.counts[k])); });
        ba.order.forEach(function (k) { if (!ACCURACY[k]) box.appendChild(legendRow(swatchLine(LG.accuracy_unknown), String(k), ba.counts[k])); });
        var fields = fs.filter(function (f) { return f.geometry && f.geometry.type === 'Point'; });
        if (fields.length) box.appendChild(legendRow(swatchCircle(merge(P.pipeline.gas_field, {radius: LG.gas_field_radius})), 'gas field (South Pars)', fields.length));
      }
      if (L_.events && (fs = L_.events.features).length) {
        section('Events: colour = type');
        var bt = countBy(fs, function (f) { return f.properties.event_type; });
        bt.order.forEach(function (k) { box.appendChild(legendRow(swatchCircle(merge(LG.event_type, {fillColor: eventTypeColor[k]})), String(k), bt.counts[k])); });
        box.appendChild(h('div', {cls: 'lg-h2', text: 'symbol = location precision (ACLED)'}));
        var bp = countBy(fs, eventShape);
        var shapeSw = {
          exact: swatchCircle(LG.event_shape.exact),
          near: swatchCircle(LG.event_shape.near),
          hollow: swatchCircle(LG.event_shape.hollow),
          area: swatchArea(LG.event_shape.area),
          line: swatchLine(LG.event_shape.line)
        };
        ['exact', 'near', 'hollow', 'area', 'line'].forEach(function (k) { if (bp.counts[k]) box.appendChild(legendRow(shapeSw[k], EVENT_SHAPE_LABEL[k], bp.counts[k])); });
      }
      [['markets', 'Border markets (■)', MARKET_STATUS, 'sym-square'], ['crossings', 'Border crossings (◆)', CROSSING_STATUS, 'sym-diamond']].forEach(function (d) {
        if (!L_[d[0]] || !(fs = L_[d[0]].features).length) return;
        section(d[1]);
        var bs2 = countBy(fs, function (f) { return f.properties.status; });
        bs2.order.forEach(function (k) { box.appendChild(legendRow(swatchSym(d[3], d[2][k] || P.status_default, false), String(k), bs2.counts[k])); });
        var nu = fs.filter(function (f) { return f.properties.verified === false; }).length;
        if (nu) box.appendChild(legendRow(swatchSym(d[3], P.status_default, true), 'hollow: location approximate (unverified)', nu));
      });
      if (L_.provinces && (fs = L_.provinces.features).length) {
        section('Provinces');
        fs.forEach(function (f) { box.appendChild(legendRow(swatchArea(pathStyle('provinces', f)), (f.properties.name || f.id) + (f.properties.country ? ', ' + f.properties.country : ''), 1)); });
      }
      if (L_.places && (fs = L_.places.features).length) {
        section('Places');
        var plc = P.places.style;
        box.appendChild(legendRow(swatchCircle({radius: plc.radius, color: plc.color, weight: plc.weight, fillColor: plc.fillColor}), 'place', fs.filter(function (f) { return f.properties.verified !== false; }).length));
        var pu = fs.filter(function (f) { return f.properties.verified === false; }).length;
        if (pu) box.appendChild(legendRow(swatchCircle({radius: plc.radius, color: plc.color, weight: plc.weight, fillColor: P.places.unverified_fill}), 'place, location approximate', pu));
      }
      if (L_.context && (fs = L_.context.features).length) {
        section('Base map (offline)');
        box.appendChild(legendRow(swatchArea(LG.context_focus), 'Iran and Pakistan', fs.filter(function (f) { return f.properties.role === 'focus'; }).length));
        box.appendChild(legendRow(swatchArea(LG.context_other), 'neighbouring countries', fs.filter(function (f) { return f.properties.role !== 'focus'; }).length));
        box.appendChild(legendRow(swatchArea({color: P.context.sea, fillColor: P.context.sea, fillOpacity: 1}), 'sea', null));
      }
      box.appendChild(h('div', {cls: 'lg-h2', text: 'Numbers are feature counts.'}));
      L.DomEvent.disableClickPropagation(det);
      L.DomEvent.disableScrollPropagation(det);
      return det;
    };
    ctl.addTo(map);
  }

  // ---------------------------------------------------------------- time control
  function parseDate(s, end) {
    if (typeof s !== 'string') return null;
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(s);
    if (!m) return null;
    var y = +m[1], mo = m[2] ? +m[2] - 1 : (end ? 11 : 0);
    var d = m[3] ? +m[3] : (end ? new Date(Date.UTC(y, mo + 1, 0)).getUTCDate() : 1);
    return Date.UTC(y, mo, d) / 86400000;
  }
  function dayToIso(day) { return new Date(day * 86400000).toISOString().slice(0, 10); }
  function eventSpan(f) {
    var p = f.properties || {};
    var s = parseDate(p.event_date, false);
    var e = parseDate(p.event_date_end || p.event_date, true);
    return s === null ? null : [s, e === null ? s : e];
  }

  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  // Presets from the data: all dates; the years before the busiest year; each month of the busiest
  // year that has events; the years after it.
  function timePresets(spans, lo, hi) {
    var byYear = {};
    spans.forEach(function (sp) { var y = new Date(sp[0] * 86400000).getUTCFullYear(); byYear[y] = (byYear[y] || 0) + 1; });
    var years = Object.keys(byYear).map(Number).sort(function (x, y) { return x - y; });
    var busy = years.reduce(function (best, y) { return byYear[y] > byYear[best] ? y : best; }, years[0]);
    var out = [{label: 'All', from: lo, to: hi}];
    if (byYear[busy] < 2) return out;
    var yearLabel = function (y0, y1) { return y0 === y1 ? String(y0) : y0 + '–' + y1; };
    var before = years.filter(function (y) { return y < busy; }), after = years.filter(function (y) { return y > busy; });
    if (before.length) out.push({label: yearLabel(before[0], busy - 1), from: lo, to: Date.UTC(busy, 0, 1) / 86400000 - 1});
    var months = {};
    spans.forEach(function (sp) {
      var d = new Date(sp[0] * 86400000);
      if (d.getUTCFullYear() === busy) months[d.getUTCMonth()] = 1;
    });
    Object.keys(months).map(Number).sort(function (x, y) { return x - y; }).forEach(function (m) {
      out.push({label: MONTHS[m] + ' ' + busy, from: Date.UTC(busy, m, 1) / 86400000, to: Date.UTC(busy, m + 1, 1) / 86400000 - 1});
    });
    if (after.length) out.push({label: yearLabel(busy + 1, after[after.length - 1]), from: Date.UTC(busy + 1, 0, 1) / 86400000, to: hi});
    return out;
  }

  function addTimeControl(map) {
    var g = A.groups.events;
    var evs = g ? g.getLayers() : [];
    var spans = evs.map(function (l) { return eventSpan(l.feature); }).filter(Boolean);
    A.time = {include: function () {}, set: function () {}};
    if (!spans.length) return;
    var lo = Math.min.apply(null, spans.map(function (s) { return s[0]; }));
    var hi = Math.max.apply(null, spans.map(function (s) { return s[1]; }));
    // The sliders step over the dates at which events begin or end, in order (not over days):
    // 25 events over 30 years with most in four months would leave one day per pixel otherwise.
    var seen = {};
    var stops = [];
    spans.forEach(function (sp) { [sp[0], sp[1]].forEach(function (d) { if (!seen[d]) { seen[d] = 1; stops.push(d); } }); });
    stops.sort(function (x, y) { return x - y; });
    var last = stops.length - 1;
    function firstStopFrom(day) { for (var i = 0; i <= last; i++) if (stops[i] >= day) return i; return last; }
    function lastStopUntil(day) { for (var i = last; i >= 0; i--) if (stops[i] <= day) return i; return 0; }
    var state = {lo: lo, hi: hi, from: lo, to: hi};
    var presets = timePresets(spans, lo, hi);
    var ctl = L.control({position: 'bottomleft'});
    var inFrom, inTo, label, countEl, ctlSummary, presetBtns = [];
    function apply() {
      var shown = 0;
      evs.forEach(function (l) {
        var sp = eventSpan(l.feature);
        var vis = !sp || (sp[0] <= state.to && sp[1] >= state.from);
        if (vis && !g.hasLayer(l)) g.addLayer(l);
        if (!vis && g.hasLayer(l)) { if (l.isPopupOpen && l.isPopupOpen()) l.closePopup(); g.removeLayer(l); }
        if (vis) shown++;
      });
      label.textContent = dayToIso(state.from) + ' – ' + dayToIso(state.to);
      ctlSummary.textContent = 'Events by date (' + shown + '/' + evs.length + ')';
      countEl.textContent = shown + ' of ' + evs.length + ' events shown';
      inFrom.value = String(firstStopFrom(state.from));
      inTo.value = String(lastStopUntil(state.to));
      inFrom.setAttribute('aria-valuetext', dayToIso(state.from));
      inTo.setAttribute('aria-valuetext', dayToIso(state.to));
      presetBtns.forEach(function (b) {
        b.setAttribute('aria-pressed', b._from === state.from && b._to === state.to ? 'true' : 'false');
      });
      A.time.shown = shown;
    }
    function setRange(from, to) { state.from = from; state.to = to; apply(); }
    ctl.onAdd = function () {
      var det = h('details', {cls: 'atlas-time leaflet-bar', id: 'atlas-time', open: window.innerWidth > 760 ? 'open' : null});
      var sum = ctlSummary = h('summary', {cls: 'time-h', text: 'Events by date'});
      det.appendChild(sum);
      var box = h('div', {cls: 'time-body'});
      det.appendChild(box);
      label = h('div', {cls: 'time-label'});
      inFrom = h('input', {type: 'range', min: 0, max: last, step: 1, value: 0, cls: 'time-from', 'aria-label': 'Show events from',
        title: 'Steps from one event date to the next'});
      inTo = h('input', {type: 'range', min: 0, max: last, step: 1, value: last, cls: 'time-to', 'aria-label': 'Show events until',
        title: 'Steps from one event date to the next'});
      inFrom.setAttribute('data-stops', stops.map(dayToIso).join(' '));
      inTo.setAttribute('data-stops', stops.map(dayToIso).join(' '));
      countEl = h('div', {cls: 'time-count'});
      inFrom.addEventListener('input', function () { state.from = stops[+inFrom.value]; if (state.from > state.to) state.to = state.from; apply(); });
      inTo.addEventListener('input', function () { state.to = stops[+inTo.value]; if (state.to < state.from) state.from = state.to; apply(); });
      var reset = h('button', {type: 'button', cls: 'time-reset', text: 'all dates', onclick: function () { setRange(lo, hi); }});
      if (presets.length > 1) {
        var pr = h('div', {cls: 'time-presets', role: 'group', 'aria-label': 'Date presets'});
        presets.forEach(function (p) {
          var from = Math.max(lo, p.from), to = Math.min(hi, p.to);
          var b = h('button', {type: 'button', cls: 'time-preset', text: p.label, 'aria-pressed': 'false',
            title: dayToIso(from) + ' – ' + dayToIso(to), onclick: function () { setRange(from, to); }});
          b._from = from; b._to = to;
          presetBtns.push(b);
          pr.appendChild(b);
        });
        box.appendChild(pr);
      }
      box.appendChild(label);
      // one tick per event, coloured by type, placed on the sliders' steps so they line up with them
      var W = 1000, strip = svg('svg', {viewBox: '0 0 ' + W + ' 12', preserveAspectRatio: 'none', cls: 'time-strip', 'aria-hidden': 'true'});
      strip.setAttribute('class', 'time-strip');
      var xOf = function (day) { return last ? stops.indexOf(day) / last * W : W / 2; };
      evs.forEach(function (l) {
        var sp = eventSpan(l.feature);
        if (!sp) return;
        var x0 = xOf(sp[0]), x1 = xOf(sp[1]);
        strip.appendChild(svg('rect', {x: Math.min(x0, W - 6).toFixed(1), y: 1, width: Math.max(6, x1 - x0).toFixed(1), height: 10,
          fill: eventTypeColor[l.feature.properties.event_type] || P.events.strip_default, 'fill-opacity': 0.7}));
      });
      box.appendChild(h('div', {cls: 'time-row'}, [h('span'), strip]));
      box.appendChild(h('div', {cls: 'time-row'}, [h('span', {text: 'from'}), inFrom]));
      box.appendChild(h('div', {cls: 'time-row'}, [h('span', {text: 'to'}), inTo]));
      box.appendChild(h('div', {cls: 'time-foot'}, [countEl, reset]));
      L.DomEvent.disableClickPropagation(det);
      L.DomEvent.disableScrollPropagation(det);
      return det;
    };
    ctl.addTo(map);
    apply();
    A.time = {
      range: function () { return [dayToIso(state.from), dayToIso(state.to)]; },
      bounds: function () { return [dayToIso(lo), dayToIso(hi)]; },
      stops: function () { return stops.map(dayToIso); },
      presets: function () { return presets.map(function (p) { return p.label; }); },
      set: function (a, b) {
        state.from = Math.max(lo, Math.min(hi, parseDate(a, false)));
        state.to = Math.max(state.from, Math.min(hi, parseDate(b, true)));
        apply();
      },
      include: function (f) {
        var sp = eventSpan(f);
        if (!sp) return;
        state.from = Math.min(state.from, sp[0]);
        state.to = Math.max(state.to, sp[1]);
        apply();
      },
      shown: A.time.shown
    };
    apply();
  }

  // ---------------------------------------------------------------- geodesic measure tool
  function addMeasure(map) {
    var G = window.geodesic && window.geodesic.Geodesic ? window.geodesic.Geodesic.WGS84 : null;
    var state = {on: false, pts: [], layer: L.featureGroup()};
    A.measure = state;
    function geodesicPath(a, b) {
      var line = G.InverseLine(a.lat, a.lng, b.lat, b.lng);
      var n = Math.max(1, Math.ceil(line.s13 / 5000));
      var out = [];
      for (var i = 0; i <= n; i++) {
        var r = line.Position(line.s13 * i / n, window.geodesic.Geodesic.STANDARD | window.geodesic.Geodesic.LONG_UNROLL);
        out.push([r.lat2, r.lon2]);
      }
      return {s: line.s13, pts: out};
    }
    function redraw() {
      state.layer.clearLayers();
      var total = 0, path = [];
      for (var i = 1; i < state.pts.length; i++) {
        var seg = geodesicPath(state.pts[i - 1], state.pts[i]);
        total += seg.s;
        path = path.concat(seg.pts);
      }
      if (path.length) L.polyline(path, {color: '#000', weight: 2.5, dashArray: '6 4', interactive: false}).addTo(state.layer);
      state.pts.forEach(function (p) { L.circleMarker(p, {radius: 4, color: '#000', weight: 2, fillColor: '#ff0', fillOpacity: 1, interactive: false}).addTo(state.layer); });
      state.distance_m = total;
      out.textContent = state.pts.length < 2 ? (state.on ? 'Click points on the map' : '') :
        (total / 1000).toFixed(total < 10000 ? 2 : 1) + ' km · ' + (total / 1852).toFixed(1) + ' nmi (WGS84 geodesic)';
    }
    function onClick(e) { state.pts.push(e.latlng); redraw(); }
    var out, btn;
    function toggle() {
      state.on = !state.on;
      btn.classList.toggle('on', state.on);
      btn.setAttribute('aria-pressed', state.on ? 'true' : 'false');
      if (state.on) {
        state.pts = [];
        map.closePopup();
        map.on('click', onClick);
        map.doubleClickZoom.disable();
        map.getContainer().classList.add('measuring');
        state.layer.addTo(map);
      } else {
        map.off('click', onClick);
        map.doubleClickZoom.enable();
        map.getContainer().classList.remove('measuring');
      }
      redraw();
    }
    var ctl = L.control({position: 'topleft'});
    ctl.onAdd = function () {
      var box = h('div', {cls: 'atlas-measure leaflet-bar'});
      btn = h('a', {href: '#', role: 'button', title: 'Measure a geodesic distance (WGS84): click points, click the ruler again to stop',
        'aria-label': 'Measure distance', cls: 'measure-btn'});
      var ic = svg('svg', {width: 18, height: 18, viewBox: '0 0 24 24', 'aria-hidden': 'true'});
      ic.appendChild(svg('path', {d: 'M2 16.5 16.5 2 22 7.5 7.5 22z', fill: 'none', stroke: '#333', 'stroke-width': 2, 'stroke-linejoin': 'round'}));
      ic.appendChild(svg('path', {d: 'M6 13l2 2M9 10l3 3M12 7l2 2M15 4l3 3', stroke: '#333', 'stroke-width': 1.6}));
      btn.appendChild(ic);
      btn.addEventListener('click', function (e) { e.preventDefault(); toggle(); });
      var clear = h('a', {href: '#', role: 'button', title: 'Clear the measurement', cls: 'measure-clear', text: '✕'});
      clear.addEventListener('click', function (e) { e.preventDefault(); state.pts = []; redraw(); });
      out = h('div', {cls: 'measure-out'});
      box.appendChild(btn); box.appendChild(clear); box.appendChild(out);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    if (!G) return;
    ctl.addTo(map);
    state.toggle = toggle;
    state.addPoint = function (lat, lng) { state.pts.push(L.latLng(lat, lng)); redraw(); return state.distance_m; };
  }

  // ---------------------------------------------------------------- search
  function addSearch(map) {
    // Each entry is searched in two tiers: its names (title, names, id) first, then its text
    // (a claim's claim, quote and what the sources say; a feature's quote, notes and other values).
    // A hit in the text shows the words around it, so the reader sees why it matched.
    var NOT_TEXT = {sources: 1, source_urls: 1, license: 1, attribution: 1, article_paragraph: 1, article_start: 1, article_end: 1};
    var index = [];
    function tier(parts) { return parts.filter(function (v) { return !isEmpty(v); }).map(String).join(' \u2016 '); }
    Object.keys(A.features).forEach(function (id) {
      var r = A.features[id];
      var p = r.feature.properties || {};
      var title = featureTitle(r.feature, r.layerName);
      var names = tier([title, p.name, p.name_alt, p.name_pk, p.name_ir, p.name_local, p.location, id]);
      var text = tier(Object.keys(p).sort().filter(function (k) {
        return !NOT_TEXT[k] && (typeof p[k] === 'string' || typeof p[k] === 'number');
      }).map(function (k) { return p[k]; }));
      index.push({id: id, label: title, kind: LAYER_LABEL[r.layerName] || r.layerName, names: names, text: text});
    });
    (data.claims || []).forEach(function (c) {
      index.push({id: c.id, label: c.topic || c.claim || c.id, kind: 'Claim', claim: true,
        names: tier([c.topic, c.id]), text: tier([c.claim, c.article_quote, c.what_sources_say, c.measured_note,
          isEmpty(c.measured_value) ? null : c.measured_value + (c.measured_unit ? ' ' + c.measured_unit : '')])});
    });
    index.forEach(function (it) { it.namesL = it.names.toLowerCase(); it.textL = it.text.toLowerCase(); });
    function snippet(text, at, n) {
      var a = Math.max(0, at - 30), b = Math.min(text.length, at + n + 30);
      var s = text.slice(a, b).split(' \u2016 ').join(' · ');
      return (a > 0 ? '…' : '') + s + (b < text.length ? '…' : '');
    }
    A.search = function (q) {
      q = String(q || '').trim().toLowerCase();
      if (!q) return [];
      var hits = [];
      index.forEach(function (it, i) {
        if (it.namesL.indexOf(q) >= 0) hits.push({it: it, rank: 0, i: i});
        else {
          var at = it.textL.indexOf(q);
          if (at >= 0) hits.push({it: it, rank: 1, i: i, at: at});
        }
      });
      hits.sort(function (x, y) { return x.rank - y.rank || x.i - y.i; });
      return hits.map(function (x) {
        return {id: x.it.id, label: x.it.label, kind: x.it.kind, claim: !!x.it.claim,
          context: x.rank ? snippet(x.it.text, x.at, q.length) : null};
      });
    };
    var ctl = L.control({position: 'topright'});
    ctl.onAdd = function () {
      var box = h('div', {cls: 'atlas-search leaflet-bar', role: 'search'});
      var inp = h('input', {type: 'search', placeholder: 'Search places, events, claims…', 'aria-label': 'Search features by name', id: 'atlas-search-input'});
      var list = h('ul', {cls: 'search-results', role: 'listbox'});
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

  // ---------------------------------------------------------------- counts (what Leaflet really drew)
  A.counts = function () {
    var out = {};
    var nodes = document.querySelectorAll('.leaflet-pane [data-layer][data-feature-id]');
    var seen = {};
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (!document.body.contains(n)) continue;
      var ln = n.getAttribute('data-layer'), fid = n.getAttribute('data-feature-id');
      seen[ln] = seen[ln] || {};
      seen[ln][fid] = 1;
    }
    Object.keys(seen).forEach(function (ln) { out[ln] = Object.keys(seen[ln]).length; });
    return out;
  };
  A.showAllOverlays = function () {
    Object.keys(A.groups).forEach(function (n) { if (n !== 'context' && !A.map.hasLayer(A.groups[n])) A.groups[n].addTo(A.map); });
    if (A.time && A.time.bounds) A.time.set(A.time.bounds()[0], A.time.bounds()[1]);
  };

  // ---------------------------------------------------------------- start
  A.start = function (map) {
    var t0 = performance.now();
    // on a phone the article starts folded away; decide before the map measures itself
    if (window.matchMedia && window.matchMedia('(max-width: 760px)').matches) document.body.classList.add('panel-closed');
    map.invalidateSize({animate: false});
    init(map);
    buildPanel();
    window.addEventListener('hashchange', applyHash);
    applyHash();
    A.readyMs = performance.now();
    A.initMs = A.readyMs - t0;
    A.ready = true;
    document.body.setAttribute('data-atlas-ready', 'true');
  };
})();
