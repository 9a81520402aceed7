/* Iran–Pakistan frontier atlas: the geodesic measure tool (our own code, MIT).
 * A folium element of geo/render/elements.py; started by its script as atlas.measure(map, options)
 * after atlas.start(map) has drawn the layers. Data strings go into the page as text, never as HTML.
 */
import {A, h, later, svg} from './util.js';
A.measure = later(function (map, opts) {

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

    addMeasure(map);
    A.mark && A.mark('measure');
});
