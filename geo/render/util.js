/* Iran–Pakistan frontier atlas: the shared namespace (window.atlas) and DOM helpers (our own code, MIT).
 *
 * Safety rule: every string that comes from the data is put into the page with
 * textContent / createTextNode / setAttribute, never with innerHTML. Where Leaflet itself
 * uses innerHTML (layer-control names, attribution) the text goes through esc() first.
 */
export var A = (window.atlas = window.atlas || {});
A.ready = false;
A.tEval = performance.now();
A.features = Object.create(null);   // id -> {id, layerName, feature, layer, group, site}
A.records = [];                     // every feature's record, in drawing order
A.claimsById = Object.create(null);
A.selected = null;
export function has(obj, k) { return typeof k === 'string' && Object.prototype.hasOwnProperty.call(obj, k); }
A.has = has;

// ---------------------------------------------------------------- helpers
export function esc(s) {
  return String(s).replace(/[&<>"'`]/g, function (c) {
    return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;'}[c];
  });
}
export function h(tag, attrs, kids) {
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
export function svg(tag, attrs) {
  var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
  return e;
}
export function safeUrl(u) {
  return typeof u === 'string' && /^https?:\/\/[^\s"'<>`]+$/i.test(u) ? u : null;
}
export function isEmpty(v) { return v === null || v === undefined || v === ''; }
// one number format, made once (making one costs ~50 ms with a phone's CPU: the first popup paid it)
var NUMBER = null;
export function numberFormat() { return NUMBER || (NUMBER = new Intl.NumberFormat('en-US')); }
export function fmt(v) {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return Number.isInteger(v) ? numberFormat().format(v) : String(v);
  return String(v);
}
// A hover tooltip: where the screen cannot hover (a phone) a tap no longer opens it. Leaflet opens a
// tooltip on a tap (its click and emulated mouseover) together with the popup: a forced layout of the
// page (~120 ms at 4x CPU) in the tap's task, and nothing closed it again. It still opens on keyboard
// focus (Leaflet's focus listeners, which also make the shape focusable), as before.
export function hoverTooltip(layer, content, options) {
  layer.bindTooltip(content, options);
  if (!window.matchMedia('(hover: hover)').matches) {
    // the handlers Leaflet 1.9.4 (pinned) adds in bindTooltip (Layer._initTooltipInteractions)
    layer.off({click: layer._openTooltip, mouseover: layer._openTooltip});
  }
  return layer;
}
export function plural(n, w) { return n + ' ' + w + (n === 1 ? '' : 's'); }


// scroll el into view inside its scrolling container only: the document itself never scrolls
// (scrollIntoView would scroll every ancestor, the page too, even when the panel is hidden)
export function scrollWithin(container, el, where) {
  if (!container || !el || container.hidden) return;
  var cr = container.getBoundingClientRect(), er = el.getBoundingClientRect();
  if (!cr.height) return;
  if (where === 'nearest' && er.top >= cr.top && er.bottom <= cr.bottom) return;
  container.scrollTop += er.top - cr.top - (where === 'nearest' ? 8 : Math.max(8, (cr.height - er.height) / 3));
}

export function merge() {
  var out = {};
  for (var i = 0; i < arguments.length; i++) {
    var o = arguments[i] || {};
    Object.keys(o).forEach(function (k) { out[k] = o[k]; });
  }
  return out;
}

// ---------------------------------------------------------------- start-up in slices
// The page's script calls atlas.start, every panel's starter and atlas.finish one after the other:
// run at once they are one long task (about 1 s with a phone's CPU), during which the page can
// neither paint nor answer a tap. Instead each is a step, run in order, as many in one task as fit
// in SLICE_MS; the browser paints and answers taps between tasks.
var SLICE_MS = 40, steps = [], scheduled = false;
// a tap or a key waiting ends the slice at once (navigator.scheduling.isInputPending, Chromium)
var sched = navigator.scheduling;
function inputPending() { return !!(sched && sched.isInputPending && sched.isInputPending()); }
function runSteps() {
  scheduled = false;
  var t = performance.now();
  while (steps.length) {
    steps.shift()();
    if (steps.length && (performance.now() - t > SLICE_MS || inputPending())) { schedule(); return; }
  }
}
// the next task comes from a message, not setTimeout(0), which browsers hold back by 4 ms once
// timeouts nest five deep (a dozen yields cost ~50 ms on a fast machine)
var channel = null;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  if (!channel && typeof MessageChannel === 'function') {
    channel = new MessageChannel();
    channel.port1.onmessage = runSteps;
  }
  if (channel) channel.port2.postMessage(null);
  else setTimeout(runSteps, 0);
}
// queue fn (called with these arguments) as the next start-up step
export function queueStep(fn) { steps.push(fn); schedule(); }
// run these steps next, before the steps already queued (a step split into smaller ones)
export function queueNext(fns) { steps.unshift.apply(steps, fns); schedule(); }
// a starter whose work is a start-up step: atlas.<name>(map, opts) queues it
export function later(fn) {
  return function () {
    var args = arguments;
    queueStep(function () { fn.apply(null, args); });
  };
}
