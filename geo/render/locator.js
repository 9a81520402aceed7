/* Iran–Pakistan frontier atlas: the locator inset (our own code, MIT).
 * A folium element of geo/render/elements.py; started as atlas.locator(map, options). A small
 * SVG map of the region, drawn from the atlas's own country layer (layers/context.geojson), with
 * Iran and Pakistan shaded, the two frontier provinces in red and the map's current view as a
 * box, so a reader sees where in the world the frontier is, on every screen size. Drawn once the
 * page is idle; the box follows the map.
 */
import {A, h, later, svg} from './util.js';
A.locator = later(function (map) {
    var ctx = (A.data.layers || {}).context;
    if (!ctx || !ctx.features || !ctx.features.length) return;
    var W = 0, E = 0, S = 0, N = 0, first = true;
    ctx.features.forEach(function (f) {
      if (!f.geometry) return;
      walk(f.geometry.coordinates, function (c) {
        if (first) { W = E = c[0]; S = N = c[1]; first = false; return; }
        W = Math.min(W, c[0]); E = Math.max(E, c[0]); S = Math.min(S, c[1]); N = Math.max(N, c[1]);
      });
    });
    var k = Math.cos((S + N) / 2 * Math.PI / 180);
    var x = function (lon) { return ((lon - W) * k).toFixed(2); };
    var y = function (lat) { return (N - lat).toFixed(2); };
    function walk(c, fn) { if (typeof c[0] === 'number') fn(c); else c.forEach(function (cc) { walk(cc, fn); }); }
    // a ring as an SVG path, thinned to about 0.25° (the inset is 120 px wide)
    function ringPath(ring) {
      var out = [], last = null;
      ring.forEach(function (c) {
        if (last && Math.abs(c[0] - last[0]) < 0.25 && Math.abs(c[1] - last[1]) < 0.25) return;
        out.push(x(c[0]) + ' ' + y(c[1]));
        last = c;
      });
      return out.length > 2 ? 'M' + out.join('L') + 'Z' : '';
    }
    function geomPath(g) {
      var polys = g.type === 'Polygon' ? [g.coordinates] : (g.type === 'MultiPolygon' ? g.coordinates : []);
      return polys.map(function (p) { return p.map(ringPath).join(''); }).join('');
    }
    var box = h('div', {cls: 'atlas-locator leaflet-control', role: 'img',
      'aria-label': 'Locator: the Iran–Pakistan frontier in south-west Asia, between the Persian Gulf, the Arabian Sea and Afghanistan; the box is the map’s view'});
    var root = svg('svg', {viewBox: '0 0 ' + x(E) + ' ' + y(S), preserveAspectRatio: 'xMidYMid meet', 'aria-hidden': 'true', focusable: 'false'});
    box.appendChild(root);
    var view = svg('rect', {'class': 'loc-view', 'vector-effect': 'non-scaling-stroke'});
    var ctl = L.control({position: 'bottomleft'});
    ctl.onAdd = function () { L.DomEvent.disableClickPropagation(box); return box; };
    ctl.addTo(map);

    function draw() {
      ctx.features.forEach(function (f) {
        if (!f.geometry) return;
        var p = f.properties || {};
        root.appendChild(svg('path', {d: geomPath(f.geometry), 'class': 'loc-land' + (p.role === 'focus' ? ' loc-focus' : ''), 'vector-effect': 'non-scaling-stroke'}));
      });
      var prov = (A.data.layers || {}).provinces;
      ((prov && prov.features) || []).forEach(function (f) {
        if (f.geometry) root.appendChild(svg('path', {d: geomPath(f.geometry), 'class': 'loc-frontier', 'vector-effect': 'non-scaling-stroke'}));
      });
      root.appendChild(view);
      move();
    }
    function move() {
      var b = map.getBounds();
      var w = Math.max(W, b.getWest()), e = Math.min(E, b.getEast()), s = Math.max(S, b.getSouth()), n = Math.min(N, b.getNorth());
      view.setAttribute('x', x(w)); view.setAttribute('y', y(n));
      view.setAttribute('width', Math.max(0.3, (e - w) * k).toFixed(2)); view.setAttribute('height', Math.max(0.3, n - s).toFixed(2));
    }
    map.on('moveend', move);
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 50); };
    idle(draw, {timeout: 1500});
    A.mark && A.mark('locator');
});
