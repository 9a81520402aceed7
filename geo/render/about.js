/* Iran–Pakistan frontier atlas: the about panel (our own code, MIT).
 * A folium element of geo/render/elements.py; started by its script as atlas.aboutPanel(map, options)
 * after atlas.start(map) has drawn the layers. Data strings go into the page as text, never as HTML.
 */
import {data} from './data.js';
import {sourceList} from './popups.js';
import {A, h, later} from './util.js';
A.aboutPanel = later(function (map, opts) {
    opts = opts || {};

  function buildAbout() {
    A.addTab('about', 'About & data', fill);
  }
  function fill(ab) {
    if (opts.data_version) ab.appendChild(h('p', {cls: 'data-version'}, [h('strong', {text: 'Data version '}), h('span', {id: 'atlas-data-version', text: String(opts.data_version)})]));
    var art = (data.articles || [])[0] || {};
    ab.appendChild(h('p', {cls: 'article-meta'}, [h('strong', {text: 'The article: '}),
      (art.title || '') + (art.publisher ? ', ' + art.publisher : '') + ', ' + (art.date || 'undated') +
      (art.note ? '. ' + art.note : '')]));
    ab.appendChild(h('p', {text: 'Click a highlighted passage to fly to what it talks about; click a feature to find its passage. ' +
      'The layer switcher (top right) turns layers on and off; the base map is drawn from the ' +
      'atlas’s own country layer: the page needs no network and asks for nothing from it. Lengths measured with the ruler are geodesics on the WGS84 ellipsoid.'}));
    var ll = h('ul', {cls: 'layer-meta'});
    Object.keys(data.layers).forEach(function (n) {
      var md = (data.layers[n] || {}).metadata || {};
      var li = h('li', null, [h('strong', {text: md.title || n}), ' ', h('span', {text: '(' + (data.layers[n].features || []).length + ' features, layers/' + n + '.geojson)'})]);
      if (md.description) li.appendChild(h('div', {text: md.description}));
      if (md.license) li.appendChild(h('div', {cls: 'note', text: 'Licence: ' + md.license}));
      if (md.attribution) li.appendChild(h('div', {cls: 'note', text: 'Attribution: ' + md.attribution}));
      ll.appendChild(li);
    });
    // the data, the still maps and the citation, as links relative to maps/frontier.html in a checkout
    // or a release (they open when the files sit beside the page, as geo build writes them)
    var dl = h('ul', {cls: 'data-links'});
    var link = function (href, text, note) {
      dl.appendChild(h('li', null, [h('a', {href: href, text: text}), note ? ' ' + note : null]));
    };
    link('../layers/frontier.gpkg', 'frontier.gpkg', '(GeoPackage: every layer, the claims and events, for QGIS)');
    Object.keys(data.layers).forEach(function (n) { link('../layers/' + n + '.geojson', n + '.geojson', null); });
    link('../layers/claims.json', 'claims.json', '(the claims ledger)');
    link('../layers/events.csv', 'events.csv', '(events, one row each)');
    link('../layers/datapackage.json', 'datapackage.json', '(Frictionless data package: every file, its schema and licence)');
    link('frontier.pdf', 'frontier.pdf', '(the still map, A4, vector)');
    link('frontier-social.png', 'frontier-social.png', '(1600×900)');
    link('frontier-square.png', 'frontier-square.png', '(1080×1080)');
    link('../CITATION.cff', 'CITATION.cff', '(how to cite the atlas)');
    ab.appendChild(h('div', {cls: 'sec-h', id: 'about-data', text: 'Data, maps and citation'}));
    ab.appendChild(dl);
    ab.appendChild(h('div', {cls: 'sec-h', text: 'Layers'}));
    ab.appendChild(ll);
    var sids = Object.keys(data.sources || {});
    if (sids.length) {
      ab.appendChild(h('div', {cls: 'sec-h', text: 'Sources'}));
      ab.appendChild(sourceList(sids.join(';')));
    }
    ab.appendChild(h('p', {cls: 'note', text: 'Boundaries are drawn as mapped in the sources named above (de facto); they imply no position on any claim.'}));


  }
    buildAbout();
    A.mark && A.mark('about');
});
