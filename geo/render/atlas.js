/* Iran–Pakistan frontier atlas: the story map's entry module (our own code, MIT).
 *
 * geo/render/assets.py bundles this module and every module it imports into the one script the
 * AtlasLayers element of geo/render/elements.py inlines; that element starts it as atlas.start(map)
 * and the Finish element calls atlas.finish(map). The panels register their starters on window.atlas
 * (atlas.storyPanel, atlas.legend, ...) when imported here; their elements call them. Each call
 * queues a start-up step (util.js later/queueStep): the steps run in order, a few per task, so the
 * page paints and answers taps while it starts.
 */
import {readData} from './data.js';
import {layoutLabels} from './labels.js';
import {init, restSteps} from './layers.js';
import {openPanel, showTab} from './panel.js';
import {applyHash, notFound, select, showClaim} from './select.js';
import {readPalette, symbology} from './symbology.js';
import {A, h, later, numberFormat, queueNext, queueStep} from './util.js';
import {fitInitial} from './view.js';
// the panels, each its own module; importing one registers its starter on window.atlas
import './details.js';
import './story.js';
import './claims.js';
import './about.js';
import './legend.js';
import './timefilter.js';
import './search.js';
import './measure.js';
import './steps.js';
import './locator.js';
// ---------------------------------------------------------------- counts (what Leaflet really drew)
export function isDrawn(l) {
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
  Object.keys(A.groups).forEach(function (n) { if (!symbology(n).basemap && !A.map.hasLayer(A.groups[n])) A.groups[n].addTo(A.map); });
  if (A.time && A.time.bounds) A.time.set(A.time.bounds()[0], A.time.bounds()[1]);
};

// the document never scrolls: everything scrolls inside its own box
export function pinDocument() {
  var fix = function () { if (window.scrollY || window.scrollX) window.scrollTo(0, 0); };
  window.addEventListener('scroll', fix, {passive: true});
}

// full screen shows the whole page (the article with the map), not the map alone
A.fullscreen = later(function (map) {
  if (!L.Control.FullScreen) return;
  A.fullscreenElement = document.documentElement;
  new L.Control.FullScreen({position: 'topleft', title: 'Full screen', titleCancel: 'Exit full screen',
    fullscreenElement: A.fullscreenElement}).addTo(map);
});

// ---------------------------------------------------------------- start / finish
A.marks = {};
A.mark = function (k) { A.marks[k] = Math.round(performance.now()); };
A.start = function (map, opts) {
  A.t0 = performance.now();
  A.map = map;
  A.frameLayers = (opts && opts.frame) || [];
  readPalette();
  // a few entry points for notebooks and the browser tests (the modules import what they use)
  A._ = {openPanel: openPanel, showTab: showTab, select: select, showClaim: showClaim, h: h};
  // on phones and tablets the article starts folded away; decide before the map measures itself
  if (A.narrow()) document.body.classList.add('panel-closed');
  pinDocument();
  map.invalidateSize({animate: false});
  // the first view, fitted now from the bounds the page gives: the map is painted where it will
  // stay, and a finger that aims at a province while the layers are drawn finds it there
  if (A.frameLayers.length) { fitInitial(map); A.mark('fit-start'); }
  // the data and the layers are start-up steps, before the panels' (they use both)
  queueStep(function () { readData(); A.mark('data'); });
  queueStep(function () { init(map); A.mark('layers'); });
  queueStep(function () { firstView(map); });
};
// Every layer is drawn in a start-up step of its own. Those that frame the first view (the
// provinces, the border, the pipeline) are decoded, made and drawn before the other layers are
// decoded and made and before the panels are built, in a first view fitted to the controls the map
// has then: a tap on a province opens it while the rest is still being made. Once the panels are
// built, the view is fitted again to the room they leave (unless the reader has selected something
// meanwhile), and the other layers are drawn.
function drawSteps(map, items) {
  return items.map(function (x) { return function () { x.layer.addTo(map); A.mark('drawn-' + x.name); }; });
}
function firstView(map) {
  if (A.fitInitial) A.fitInitial();
  A.mark('fit-first');
  // then the other layers are decoded and made (before the panels, which use them): a tap
  // waiting between two of those steps is answered first
  queueNext(drawSteps(map, (A.initialOn || []).filter(function (x) { return x.first; })).concat(restSteps(map)));
}
A.finish = later(function (map) {
  A.mark('elements');
  if (A.fitInitial && A.selected === null && !map._popup) A.fitInitial();
  A.mark('fit');
  queueNext(drawSteps(map, (A.initialOn || []).filter(function (x) { return !x.first; })).concat([function () {
    // the page is ready, and the deep link applied, once every layer is drawn
    A.mark('drawn');
    layoutLabels();
    A.mark('labels');
    numberFormat();   // made now, not in the reader's first tap
    window.addEventListener('hashchange', applyHash);
    try { applyHash(); } catch (e) { notFound('feature', location.hash.slice(1)); }
    A.readyMs = performance.now();
    A.initMs = A.readyMs - A.t0;
    A.ready = true;
    document.body.setAttribute('data-atlas-ready', 'true');
  }]));
});
