/* On a phone a tapped feature's popup content moves to the top of the sheet; the map above frames it. */
import {openPanel} from './panel.js';
import {flyThen} from './select.js';
import {A, h} from './util.js';
var PHONE = 600;
A.detailsInSheet = function () {
  return window.innerWidth < PHONE && (navigator.maxTouchPoints > 0 || 'ontouchstart' in window);
};

function box() {
  var b = document.getElementById('atlas-details');
  if (b) return b;
  b = h('section', {id: 'atlas-details', 'aria-label': 'Details', tabindex: '-1'}, [
    h('button', {type: 'button', cls: 'details-close', 'aria-label': 'Close details', title: 'Close details', text: '×',
      onclick: function () { A.hideDetails(true); }}),
    h('div', {cls: 'details-body'})]);
  var body = document.getElementById('atlas-panel-body');
  body.insertBefore(b, body.firstChild);
  return b;
}

A.hideDetails = function (clear) {
  var b = document.getElementById('atlas-details');
  if (b) b.parentNode.removeChild(b);
  document.body.classList.remove('popup-small');
  if (clear && A.clearHighlight) A.clearHighlight();
};

function boundsOf(layer) {
  if (layer.getBounds) return layer.getBounds();
  if (layer.getLatLng) { var ll = layer.getLatLng(); return L.latLngBounds(ll, ll); }
  return null;
}

// on 'popupopen': true when the content went to the sheet
A.popupToSheet = function (map, popup) {
  if (!A.detailsInSheet() || !popup._source || !popup._contentNode) return false;
  var content = popup._contentNode.firstChild;
  if (!content || !content.classList || !content.classList.contains('popup')) return false;
  var b = box(), body = b.querySelector('.details-body');
  while (body.firstChild) body.removeChild(body.firstChild);
  body.appendChild(content);
  var source = popup._source;
  // close it once Leaflet has opened it, keeping the highlight
  setTimeout(function () {
    if (A.highlightFor === popup) A.highlightFor = null;
    map.closePopup(popup);
    openPanel();
    document.body.classList.add('popup-small');
    ['atlas-time', 'atlas-legend'].forEach(function (id) { var d = document.getElementById(id); if (d) d.open = false; });
    map.invalidateSize({animate: false});
    var pb = document.getElementById('atlas-panel-body');
    if (pb) pb.scrollTop = 0;
    var bb = boundsOf(source);
    if (!bb || !bb.isValid()) return;
    var room = A.controlRoom();
    var pad = {tl: L.point(room.left + 12, room.top + 12), br: L.point(room.right + 12, room.bottom + 12)};
    flyThen(null, bb, 9, function () { A.detailsSettled = true; }, pad);
  }, 0);
  A.detailsSettled = false;
  return true;
};
