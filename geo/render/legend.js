/* Iran–Pakistan frontier atlas: the legend (our own code, MIT).
 * A folium element of geo/render/elements.py; started by its script as atlas.legend(map, options)
 * after atlas.start(map) has drawn the layers. Data strings go into the page as text, never as HTML.
 */
import {data} from './data.js';
import {ACCURACY, borderStyle, EVENT_SHAPE_LABEL, eventShape, eventTypeColor, LG, P, pathStyle, PIPE_STATUS, symbology} from './symbology.js';
import {A, h, later, merge, svg} from './util.js';
A.legend = later(function (map, opts) {

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
      // folded on every screen: one click away, never in the way of the story
      var det = h('details', {cls: 'atlas-legend leaflet-bar', id: 'atlas-legend'});
      det.appendChild(h('summary', {text: 'Legend'}));
      var box = h('div', {cls: 'lg-body'});
      det.appendChild(box);
      // filled when first opened; then its event counts follow the date filter
      var filled = false;
      var fillOnce = function () { if (!filled) { filled = true; fill(box); } };
      det.firstChild.addEventListener('click', fillOnce);
      // on a phone the open legend is a low sheet across the foot of the map (atlas.css): the map
      // moves up by half its height so the frontier stays in view, and back when it folds
      var shifted = 0;
      det.addEventListener('toggle', function () {
        if (det.open) fillOnce();
        if (det.open && A.narrow() && !shifted) { shifted = Math.round(det.getBoundingClientRect().height / 2); map.panBy([0, shifted], {animate: false}); }
        else if (!det.open && shifted) { map.panBy([0, -shifted], {animate: false}); shifted = 0; }
      });
      A.fillLegend = fillOnce;
      document.addEventListener('atlas:time', function () {
        if (!filled) return;
        while (box.firstChild) box.removeChild(box.firstChild);
        fill(box);
      });
      L.DomEvent.disableClickPropagation(det);
      L.DomEvent.disableScrollPropagation(det);
      return det;
    };
    function fill(box) {
      var L_ = {};
      Object.keys(data.layers).forEach(function (n) { L_[n] = data.layers[n]; });
      if (L_.events && A.time && A.time.visible) {
        L_.events = {features: L_.events.features.filter(function (f) { return A.time.visible(f); })};
      }
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
          area: swatchArea(merge(LG.event_shape.area, {color: 'none', dashArray: null})),
          line: swatchLine(LG.event_shape.line)
        };
        ['exact', 'near', 'hollow', 'area', 'line'].forEach(function (k) { if (bp.counts[k]) box.appendChild(legendRow(shapeSw[k], EVENT_SHAPE_LABEL[k], bp.counts[k])); });
      }
      // every layer drawn as symbols (markets, crossings): its symbol and status colours from the symbology
      (data.order || []).forEach(function (o) {
        var m = symbology(o.name).marker;
        if (!m || !L_[o.name] || !(fs = L_[o.name].features).length) return;
        section(m.legend);
        var colors = m.status();
        var bs2 = countBy(fs, function (f) { return f.properties.status; });
        bs2.order.forEach(function (k) { box.appendChild(legendRow(swatchSym(m.cls, colors[k] || P.status_default, false), String(k), bs2.counts[k])); });
        var nu = fs.filter(function (f) { return f.properties.verified === false; }).length;
        if (nu) box.appendChild(legendRow(swatchSym(m.cls, P.status_default, true), 'hollow: location approximate (unverified)', nu));
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
      box.appendChild(h('div', {cls: 'lg-h2', text: 'Numbers are feature counts' + (A.time && A.time.range ? ' (events: ' + A.time.range().join(' – ') + ')' : '') + '.'}));
    }
    ctl.addTo(map);
  }

    addLegend(map);
    A.mark && A.mark('legend');
});
