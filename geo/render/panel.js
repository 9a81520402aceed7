/* Iran–Pakistan frontier atlas: the side panel's tabs and what a reference names (our own code, MIT). */
import {featureTitle, LABEL} from './data.js';
import {kindLabel} from './symbology.js';
import {A, h, has} from './util.js';
// ---------------------------------------------------------------- panel (tabs filled by the panel elements)
export function openPanel() {
  if (!document.body.classList.contains('panel-closed')) return;
  document.body.classList.remove('panel-closed');
  var t = document.getElementById('atlas-toggle');
  if (t) t.setAttribute('aria-expanded', 'true');
  if (A.layoutHead) A.layoutHead(); else A.map.invalidateSize();
}
export function showTab(name) {
  var tabs = document.querySelectorAll('#atlas-panel .tab');
  for (var i = 0; i < tabs.length; i++) {
    var on = tabs[i].getAttribute('data-tab') === name;
    tabs[i].classList.toggle('active', on);
    tabs[i].setAttribute('aria-selected', on ? 'true' : 'false');
    tabs[i].setAttribute('tabindex', on ? '0' : '-1');
  }
  var secs = document.querySelectorAll('#atlas-panel .tab-body');
  for (var j = 0; j < secs.length; j++) secs[j].hidden = secs[j].id !== 'tab-' + name;
  // a tab's content is built the first time it is shown (hidden tabs cost nothing at start-up)
  if (has(builders, name)) { var b = builders[name]; delete builders[name]; b(); }
}
export var builders = Object.create(null);
// a panel element adds its tab: returns the tab's body
A.addTab = function (name, label, build) {
  var tabs = document.getElementById('atlas-tabs'), body = document.getElementById('atlas-panel-body');
  if (!tabs || !body) return null;
  var btn = h('button', {cls: 'tab', role: 'tab', 'data-tab': name, type: 'button', id: 'tab-' + name + '-label',
    'aria-controls': 'tab-' + name, text: label, onclick: function () { showTab(name); }});
  tabs.appendChild(btn);
  var sec = h('section', {cls: 'tab-body', id: 'tab-' + name, role: 'tabpanel', 'aria-labelledby': 'tab-' + name + '-label', hidden: 'hidden'});
  body.appendChild(sec);
  if (build) builders[name] = function () { build(sec); };
  if (tabs.children.length === 1) showTab(name);
  return sec;
};

export function refKind(id) {
  return has(A.claimsById, id) && !has(A.features, id) ? 'claim' : (has(A.features, id) ? A.features[id].layerName : 'missing');
}
export function refLabel(id) {
  var r = has(A.features, id) ? A.features[id] : null, c = has(A.claimsById, id) ? A.claimsById[id] : null;
  if (r) return featureTitle(r.feature, r.layerName);
  if (c) return c.claim || c.topic || id;   // a claim is named by what it says
  return id;
}
// what a reference is called: a claim, a feature of a layer (its symbology's kind), or missing
export function kindLabelOf(kind) {
  if (kind === 'claim') return 'Claim';
  if (kind === 'missing') return 'Missing';
  return kindLabel(kind) || LABEL[kind] || kind;
}
