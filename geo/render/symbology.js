/* Iran–Pakistan frontier atlas: how each layer is drawn (our own code, MIT). */
import {featureTitle} from './data.js';
import {A, h, merge} from './util.js';
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


export function symbolFor(name, p) {
  var colors = name === 'markets' ? MARKET_STATUS : CROSSING_STATUS;
  var c = colors[p.status] || P.status_default;
  var sym = h('span', {cls: 'sym ' + (name === 'markets' ? 'sym-square' : 'sym-diamond') + (p.verified === false ? ' sym-unverified' : '')});
  sym.style.borderColor = c;
  sym.style.backgroundColor = p.verified === false ? P.symbol_unverified_fill : c;
  return sym;
}
export function pointLayer(name, f, latlng) {
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

export function pathStyle(name, f) {
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
