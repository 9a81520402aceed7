/* Iran–Pakistan frontier atlas: place labels without collisions (our own code, MIT). */
import {A, h} from './util.js';
// ---------------------------------------------------------------- labels without collisions
export var labels = [];
export function placeLabel(layer, f) {
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
export var minorLabels = [];
export function labelMinor() {
  if (!minorLabels.length || A.map.getZoom() < 7) return;
  var todo = minorLabels;
  minorLabels = [];
  todo.forEach(function (b) { b(); });
}
// Greedy placement, most important first (places in the article, then by population): a label
// that would overlap one already placed (or another site's symbol) is hidden at this zoom.
export function layoutLabels() {
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
export function side(x, dir) {
  var t = x.layer.getTooltip(), off = x.layer.atlasSite ? 20 : 6;
  if (t.options.direction === dir) return;
  t.options.direction = dir;
  t.options.offset = L.point(dir === 'left' ? -off : off, 0);
  t.update();
}
