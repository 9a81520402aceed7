/* Iran–Pakistan frontier atlas: the embedded data, its TopoJSON decoded (our own code, MIT). */
import {symbology} from './symbology.js';
import {A, esc, has} from './util.js';
// ---------------------------------------------------------------- data
export var data, claimsByFeature = Object.create(null), ORDER = [], LABEL = Object.create(null);
export function readData() {
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
  // each layer's lines and areas are decoded in a start-up step of their own (layers.js decides
  // when: the layers that frame the first view before the others)
  (data.claims || []).forEach(function (c) { A.claimsById[c.id] = c; });
  (data.claims || []).forEach(function (c) {
    (c.feature_ids || []).forEach(function (fid) {
      if (!has(claimsByFeature, fid)) claimsByFeature[fid] = [];
      claimsByFeature[fid].push(c);
    });
  });
}

// the names of the layers whose lines and areas the topology holds, in its order
export function topoNames() {
  var topo = data.topology;
  return topo && topo.objects && window.topojson ? Object.keys(topo.objects) : [];
}
// decode one layer's lines and areas from the topology into its features
export function decodeLayer(name) {
  var topo = data.topology, fc = data.layers[name];
  if (!fc || !topo || !topo.objects || !topo.objects[name] || !window.topojson) return;
  window.topojson.feature(topo, topo.objects[name]).features.forEach(function (g) {
    var f = fc.features[g.properties.i];
    if (f) f.geometry = g.geometry;
  });
}

// an arc's string -> its [dx, dy] integer pairs (geo/render/display.py encode_arc)
export function decodeArc(str) {
  var out = [], vals = [], i = 0, n = str.length;
  while (i < n) {
    var shift = 0, v = 0, b;
    do { b = str.charCodeAt(i++) - 63; v |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
    vals.push(v & 1 ? ~(v >>> 1) : v >>> 1);
  }
  for (var k = 0; k + 1 < vals.length; k += 2) out.push([vals[k], vals[k + 1]]);
  return out;
}

export function featureTitle(f, layerName) {
  var p = f.properties || {};
  var title = symbology(layerName).title;
  if (title) return title(p);
  return p.name || p.location || String(f.id);
}
export function layerLabel(name, n, label) {
  return esc((label || LABEL[name] || name) + ' (' + n + ')');
}
