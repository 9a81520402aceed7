/* Iran–Pakistan frontier atlas: the first view and popups kept clear of the controls (our own code, MIT). */
import {ORDER} from './data.js';
import {symbology} from './symbology.js';
import {A} from './util.js';
// ---------------------------------------------------------------- map set-up
export var NARROW = 1023;   // below this width the panel is a bottom sheet (phones and tablets)
A.narrow = function () { return window.innerWidth <= NARROW; };

// ---------------------------------------------------------------- popups on small screens
// On a phone the controls cover much of the map: while a popup is open the date and legend
// panels fold to their titles, and the popup is kept clear of every control (its × too).
export var folded = [];
export function restorePanels() {
  document.body.classList.remove('popup-small');
  folded.forEach(function (d) { d.open = true; });
  folded = [];
}
export function controlRoom(map) {
  var mr = map.getContainer().getBoundingClientRect();
  var room = {top: 10, bottom: 10, left: 10, right: 10};
  var els = Array.prototype.slice.call(map.getContainer().querySelectorAll('.leaflet-control'));
  var head = document.getElementById('atlas-head');
  if (head) els.push(head);
  els.forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.bottom <= mr.top || r.top >= mr.bottom || r.right <= mr.left || r.left >= mr.right) return;
    var inLeftColumn = r.right - mr.left < 70 && r.top - mr.top < mr.height / 2;
    if (inLeftColumn) { room.left = Math.max(room.left, r.right - mr.left + 6); return; }
    if (r.top - mr.top < mr.height / 2) room.top = Math.max(room.top, r.bottom - mr.top + 6);
    else room.bottom = Math.max(room.bottom, mr.bottom - r.top + 6);
  });
  return room;
}
A.controlRoom = function () { return controlRoom(A.map); };
export function fitPopup(map, popup) {
  var size = map.getSize();
  var room = controlRoom(map);
  var o = popup.options;
  o.autoPan = true;
  o.autoPanPaddingTopLeft = L.point(room.left, room.top);
  o.autoPanPaddingBottomRight = L.point(room.right, room.bottom);
  o.keepInView = false;
  if (Math.min(size.x, window.innerWidth) > 760) { popup.update(); return; }
  ['atlas-time', 'atlas-legend'].forEach(function (id) {
    var d = document.getElementById(id);
    if (d && d.open) { d.open = false; folded.push(d); }
  });
  // and step aside while the popup is open (the header's step bar leaves a short map)
  document.body.classList.add('popup-small');
  room = controlRoom(map);
  o.autoPanPaddingTopLeft = L.point(room.left, room.top);
  o.autoPanPaddingBottomRight = L.point(room.right, room.bottom);
  o.maxWidth = Math.max(160, Math.min(280, size.x - room.left - room.right - 34));
  o.minWidth = Math.min(o.minWidth || 0, o.maxWidth);
  o.maxHeight = Math.max(90, size.y - room.top - room.bottom - 44);
  popup.update();
}

export function groupBounds(names) {
  var b = null;
  names.forEach(function (n) {
    var g = A.groups[n];
    if (g && g.getLayers().length) {
      var gb = g.getBounds();
      b = b ? b.extend(gb) : L.latLngBounds(gb.getSouthWest(), gb.getNorthEast());
    }
  });
  return b;
}
// The first view shows the whole frontier: the border, both provinces and the pipeline from its
// field to its end, inside the room the controls leave; on a phone, the two provinces and the border.
// The layers' bounds as the page gives them (story.frame_layers: known before the data are read,
// so the first view is fitted in the page's first script and every later fit gives the same view),
// else from the layers drawn.
function frameBounds(names) {
  var given = A.frameLayers || [], b = null;
  if (!given.length) return groupBounds(names);
  given.forEach(function (o) {
    if (names.indexOf(o.name) < 0) return;
    var ob = L.latLngBounds([o.bounds[0], o.bounds[1]], [o.bounds[2], o.bounds[3]]);
    b = b ? b.extend(ob) : ob;
  });
  return b;
}
export function fitInitial(map) {
  // the layers the catalog marks as the frame (map_frame), else every layer within the atlas extent
  var layers = A.frameLayers && A.frameLayers.length ? A.frameLayers : ORDER;
  var names = function (key) { return layers.filter(function (o) { return o[key]; }).map(function (o) { return o.name; }); };
  var b = frameBounds(names('frame')) || frameBounds(names('extent'));
  // Keep the view inside the offline basemap, so no edge of its land ever shows.
  var cb = frameBounds(['context']);
  var room = controlRoom(map);
  var padTL = L.point(room.left + 4, room.top + 4), padBR = L.point(room.right + 4, room.bottom + 4);
  // the lowest zoom: the view inside the basemap, unless the frontier needs to zoom out further
  // (a tall phone): then the sea-coloured background shows beyond the basemap's edge
  var frame = b, framePad = padTL.add(padBR);
  var clamp = function () {
    var z = Math.max(3, map.getBoundsZoom(cb, true));
    if (frame && frame.isValid()) z = Math.min(z, map.getBoundsZoom(frame, false, framePad));
    map.setMinZoom(z);
  };
  // a phone (a narrow, tall map): the two frontier provinces fill the width (beside the controls'
  // column on the left), the zoom unsnapped so that they do; the pipeline's far end may be outside
  var phoneNames = layers.filter(function (o) { return symbology(o.name).phoneFrame; }).map(function (o) { return o.name; });
  var phone = map.getSize().x < 600 && phoneNames.length && frameBounds(phoneNames);
  if (phone) {
    b = phone;
    padTL = L.point(room.left, room.top + 4); padBR = L.point(4, room.bottom + 4);
  }
  if (cb) clamp();
  if (b && b.isValid()) {
    var snap = map.options.zoomSnap;
    if (phone) map.options.zoomSnap = 0;
    map.fitBounds(b, {paddingTopLeft: padTL, paddingBottomRight: padBR, animate: false});
    map.options.zoomSnap = snap;
  }
  if (cb) {
    map.panInsideBounds(cb, {animate: false});
    map.setMaxBounds(cb);
    map.options.maxBoundsViscosity = 1.0;
    // one listener, however often the view is fitted
    if (onResize) map.off('resize', onResize);
    map.on('resize', onResize = clamp);
  }
  A.fitInitial = function () { fitInitial(map); };
  if (!onZoom) map.on('zoomend', onZoom = function () { map.getContainer().classList.toggle('zoom-low', map.getZoom() < 7); });
  onZoom();
}
var onResize = null, onZoom = null;
