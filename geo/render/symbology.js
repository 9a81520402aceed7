/* Iran–Pakistan frontier atlas: how each layer is drawn (our own code, MIT). */
import {featureTitle} from './data.js';
import {A, h, has, merge} from './util.js';
// ---------------------------------------------------------------- styles
// Every colour, dash, width and symbol of the data layers comes from geo/palette.py, embedded
// by geo/render as script#atlas-palette (the QGIS styles are generated from the same palette).
export var P, PIPE_STATUS, ACCURACY, MARKET_STATUS, CROSSING_STATUS, PROVINCE_COLORS, LG, eventTypeColor, EVENT_SHAPE_LABEL;
export function readPalette() {
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


// an event symbol: the palette's "type" placeholders become the event type's colour
export function withTypeColor(style, col) {
  var out = {};
  Object.keys(style).forEach(function (k) { out[k] = style[k] === 'type' ? col : style[k]; });
  return out;
}

export function pipeStyle(p) {
  var st = PIPE_STATUS[p.status] || P.pipeline.status_default;
  var acc = ACCURACY[p.route_accuracy] || ACCURACY[P.pipeline.accuracy_default];
  return {color: st.color, dashArray: st.dash, weight: acc.weight, opacity: acc.opacity, lineCap: P.pipeline.line_cap};
}
export function borderStyle(p, fid) {
  if (p.kind === 'bridged_stretch' || p.variant === 'bridge') return merge(P.border.bridged);
  if (p.variant === 'natural_earth_10m' || /ne10m/.test(fid)) return merge(P.border.natural_earth);
  return merge(P.border.main);
}
export function eventShape(f) {
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
export function eventAreaStyle(col) {
  // drawn on a canvas: they take no clicks and need no element of their own
  return merge(withTypeColor(P.events.area, col), {stroke: false, fillOpacity: 0.1, interactive: false,
    renderer: A.areaRenderer});
}


// ---------------------------------------------------------------- the symbology table
// Everything that differs from one layer to another is here, keyed by the payload's layer names
// (data.order and data.layers.<name>, from geo/catalog.py); a layer not listed is drawn with
// FALLBACK. Keys (all optional):
//   path(f)        Leaflet path style of a line or area feature
//   point(f, ll)   the Leaflet layer of a point feature (a circle marker or a 44 px symbol marker)
//   marker         {status(): palette colours by status, cls: symbol class, legend: its heading}:
//                  a layer drawn as symbol markers
//   canvas         drawn on one canvas of its own ('own') or the click-less event-area canvas
//   pane           the pane its paths go in (default pane-<name>)
//   basemap        the offline basemap: a base layer, no tooltip, popup or tab stop
//   noTooltip      hover shows nothing (places have permanent labels instead)
//   noTooltipArea  areas show no tooltip (event areas take no clicks)
//   tip(p)         the tooltip's second line
//   title(p)       a feature's title (default: its name)
//   plain          the popup's leading facts (the rest fold into "Data details")
//   kind           what one feature is called in the article's references
//   approxRoute    "verified: false" on a line means its route is approximate
//   dated          the date filter decides whether it is shown
//   phoneFrame     the phone's first view fits these layers
//   split(f)       a second overlay (off by default) for the features it picks, with labels
var SYMBOLOGY = {
  context: {
    basemap: true, canvas: 'own', kind: 'Country',
    path: function (f) { return merge((f.properties || {}).role === 'focus' ? P.context.focus : P.context.other, {interactive: false}); }
  },
  admin1: {   // every province of both countries: quiet, under the frontier provinces
    canvas: 'own', kind: 'Province',
    path: function (f) {
      var c = PROVINCE_COLORS[(f.properties || {}).country_iso] || P.provinces.default;
      return {color: c, weight: 0.8, opacity: 0.55, fillColor: c, fillOpacity: 0.03};
    }
  },
  provinces: {
    kind: 'Province', phoneFrame: true, plain: ['country', 'capital', 'area_km2'],
    path: function (f) {
      var c = PROVINCE_COLORS[(f.properties || {}).country_iso] || P.provinces.default;
      return merge({color: c}, P.provinces.style, {fillColor: c});
    },
    tip: function (p) { return p.country; }
  },
  border: {
    kind: 'Border', phoneFrame: true, plain: ['length_km', 'published_length_km_factbook'],
    path: function (f) { return borderStyle(f.properties || {}, f.id); },
    tip: function (p) { return typeof p.length_km === 'number' ? p.length_km + ' km' : null; },
    // the Natural Earth variant is a separate overlay, off by default
    split: {
      test: function (f) { return (f.properties || {}).variant === 'natural_earth_10m' || /ne10m/.test(f.id); },
      group: 'border-ne', label: 'Border (Natural Earth 1:10m, off by default)',
      mainLabel: 'Border (OpenStreetMap, bridged stretches)'
    }
  },
  pipeline: {
    kind: 'Pipeline', approxRoute: true,
    plain: ['status', 'status_note', 'length_known_km', 'capacity_reported', 'start_location', 'end_location'],
    path: function (f) { return pipeStyle(f.properties || {}); },
    point: function (f, ll) { return L.circleMarker(ll, merge({pane: 'pane-pipeline'}, P.pipeline.gas_field)); },
    tip: function (p) { return p.status ? p.status + (p.route_accuracy ? ', route accuracy ' + p.route_accuracy : '') : null; }
  },
  markets: {
    kind: 'Border market', plain: ['name_pk', 'name_ir', 'status', 'opened_date'],
    marker: {status: function () { return MARKET_STATUS; }, cls: 'sym-square', legend: 'Border markets (■)'},
    tip: statusTip
  },
  crossings: {
    kind: 'Crossing', plain: ['name_pk', 'name_ir', 'status', 'opened_date'],
    marker: {status: function () { return CROSSING_STATUS; }, cls: 'sym-diamond', legend: 'Border crossings (◆)'},
    tip: statusTip
  },
  places: {
    kind: 'Place', noTooltip: true, plain: ['admin1', 'population'],
    point: function (f, ll) {
      return L.circleMarker(ll, merge({pane: 'pane-places'}, P.places.style,
        (f.properties || {}).verified === false ? {fillColor: P.places.unverified_fill} : null));
    }
  },
  events: {
    kind: 'Event', dated: true, pane: 'pane-event-areas', noTooltipArea: true,
    plain: ['display_date', 'event_type', 'location', 'fatalities'],
    title: function (p) {
      var t = p.sub_event_type || p.event_type || 'Event';
      return (p.display_date || p.event_date || '') + ' · ' + t + (p.location ? ' · ' + p.location : '');
    },
    path: function (f) {
      var col = eventTypeColor[f.properties.event_type] || P.events.default;
      // (L.geoJSON styles its point markers too: an event point keeps its point symbol and takes
      // clicks; only areas get the click-less tint)
      if (/Point/.test(f.geometry.type)) return withTypeColor(P.events.point[eventShape(f)], col);
      return /LineString/.test(f.geometry.type) ? withTypeColor(P.events.line, col) : eventAreaStyle(col);
    },
    point: function (f, ll) {
      var col = eventTypeColor[f.properties.event_type] || P.events.default;
      return L.circleMarker(ll, merge({pane: 'pane-events'}, withTypeColor(P.events.point[eventShape(f)], col)));
    },
    tip: function (p) { return p.event_type; }
  }
};
var FALLBACK = {
  path: function () { return merge(P.fallback.path); },
  point: null
};
function statusTip(p) { return p.status ? p.status + (p.verified === false ? ' (location approximate)' : '') : null; }

// the symbology of layer `name` (a layer the table does not know gets the fallback)
export function symbology(name) { return has(SYMBOLOGY, name) ? SYMBOLOGY[name] : FALLBACK; }
// what one feature of a layer is called (a claim, a missing reference: the caller's words)
export function kindLabel(name) { return symbology(name).kind || null; }

// the symbol of a marker layer's feature (a coloured square or diamond, hollow when unverified)
export function symbolFor(name, p) {
  var m = symbology(name).marker;
  var c = m.status()[p.status] || P.status_default;
  var sym = h('span', {cls: 'sym ' + m.cls + (p.verified === false ? ' sym-unverified' : '')});
  sym.style.borderColor = c;
  sym.style.backgroundColor = p.verified === false ? P.symbol_unverified_fill : c;
  return sym;
}
export function pointLayer(name, f, latlng) {
  var s = symbology(name);
  if (s.marker) {
    // the icon is a 44 px touch target around the drawn symbol
    return L.marker(latlng, {pane: 'pane-' + name, icon: L.divIcon({className: 'sym-icon', html: h('span', {cls: 'sym-hit'}, [symbolFor(name, f.properties || {})]),
      iconSize: [44, 44], iconAnchor: [22, 22], popupAnchor: [0, -10]}), title: featureTitle(f, name), alt: featureTitle(f, name)});
  }
  if (s.point) return s.point(f, latlng);
  return L.circleMarker(latlng, merge({pane: 'pane-' + name}, P.fallback.point));
}

export function pathStyle(name, f) { return (symbology(name).path || FALLBACK.path)(f); }
A.pathStyle = pathStyle;
