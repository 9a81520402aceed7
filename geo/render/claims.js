/* Iran–Pakistan frontier atlas: the claims panel (our own code, MIT).
 * A folium element of geo/render/elements.py; started by its script as atlas.claimsPanel(map, options)
 * after atlas.start(map) has drawn the layers. Data strings go into the page as text, never as HTML.
 */
import {data, featureTitle} from './data.js';
import {quoteBlock, sourceList, verdictBadge} from './popups.js';
import {select} from './select.js';
import {A, fmt, h, isEmpty, later, plural} from './util.js';
A.claimsPanel = later(function (map, opts) {

  function buildClaims() {
    var claims = data.claims || [];
    var sec = A.addTab('claims', 'Claims (' + claims.length + ')', fill);
    if (!sec) return;
  }
  function fill(cl) {
    var claims = data.claims || [];
    var counts = {};
    claims.forEach(function (c) { counts[c.verdict] = (counts[c.verdict] || 0) + 1; });
    var summary = h('div', {cls: 'claims-summary'}, [h('strong', {text: plural(claims.length, 'claim') + ' checked: '})]);
    var activeVerdict = null;
    function filterClaims(v) {
      activeVerdict = activeVerdict === v ? null : v;
      var cards = cl.querySelectorAll('.claim');
      for (var i = 0; i < cards.length; i++) cards[i].hidden = !!activeVerdict && cards[i].getAttribute('data-verdict') !== activeVerdict;
      var btns = summary.querySelectorAll('button.vfilter');
      for (var j = 0; j < btns.length; j++) btns[j].setAttribute('aria-pressed', btns[j].getAttribute('data-verdict') === activeVerdict ? 'true' : 'false');
    }
    Object.keys(counts).sort().forEach(function (v) {
      summary.appendChild(h('button', {type: 'button', cls: 'vfilter', 'data-verdict': v, 'aria-pressed': 'false',
        title: 'Show only claims judged ' + v + ' (click again for all)', onclick: function () { filterClaims(v); }},
        [verdictBadge(v), ' ' + counts[v]]));
    });
    cl.appendChild(summary);
    claims.forEach(function (c) {
      var card = h('div', {cls: 'claim', id: 'claim-' + c.id, 'data-claim-id': c.id, 'data-verdict': c.verdict || ''}, [
        h('div', {cls: 'claim-head'}, [verdictBadge(c.verdict), ' ', h('strong', {text: c.claim || c.topic || c.id})]),
        isEmpty(c.topic) ? null : h('div', {cls: 'claim-topic note', text: 'Topic: ' + c.topic}),
        quoteBlock(c),
        isEmpty(c.what_sources_say) ? null : h('div', {cls: 'claim-text'}, [h('span', {cls: 'lbl', text: 'What sources say: '}), c.what_sources_say])
      ]);
      if (!isEmpty(c.measured_value)) {
        card.appendChild(h('div', {cls: 'measured'}, [h('span', {cls: 'lbl', text: 'Measured: '}),
          h('strong', {text: fmt(c.measured_value) + (c.measured_unit ? ' ' + c.measured_unit : '')}),
          isEmpty(c.measured_note) ? null : h('span', {cls: 'note', text: ' — ' + c.measured_note})]));
      }
      var fids = (c.feature_ids || []);
      if (fids.length) {
        var fl = h('div', {cls: 'claim-features'}, [h('span', {cls: 'lbl', text: 'On the map: '})]);
        fids.forEach(function (fid) {
          var rec = A.features[fid];
          fl.appendChild(h('a', {href: '#feature=' + encodeURIComponent(fid), cls: 'feat-link', text: rec ? featureTitle(rec.feature, rec.layerName) : fid,
            onclick: function (e) { e.preventDefault(); select(fid, {fly: true, from: 'claims'}); }}));
          fl.appendChild(document.createTextNode(' '));
        });
        card.appendChild(fl);
      }
      if (c.sources) card.appendChild(sourceList(c.sources));
      cl.appendChild(card);
    });



  }
    buildClaims();
    A.mark && A.mark('claims');
});
