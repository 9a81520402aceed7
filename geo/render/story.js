/* Iran–Pakistan frontier atlas: the story panel: the article and its passages (our own code, MIT).
 * A folium element of geo/render/elements.py; started by its script as atlas.storyPanel(map, options)
 * after atlas.start(map) has drawn the layers. Data strings go into the page as text, never as HTML.
 */
import {data} from './data.js';
import {kindLabelOf, openPanel, refKind, refLabel, showTab} from './panel.js';
import {quoted, verdictBadge} from './popups.js';
import {highlightPassage, select, showClaim} from './select.js';
import {A, h, isEmpty, later} from './util.js';
A.storyPanel = later(function (map, opts) {

  function followRef(id, passage) {
    if (refKind(id) === 'claim') { showClaim(id, true); highlightPassage(id, false); }
    else select(id, {fly: true, from: 'article'});
    A.lastPassage = passage || null;
    if (passage) keepPassageInView(passage);
  }

  // The passage the reader clicked stays in view (on a phone the sheet opens, the map flies and
  // a popup opens after the click): checked again once those have settled, unless the reader has
  // scrolled the article or clicked something else since.
  var keepTimers = [];
  function keepPassageInView(a) {
    keepTimers.forEach(clearTimeout);
    keepTimers = [];
    var body = document.getElementById('tab-article');
    var fix = function () {
      if (!a.isConnected || body.hidden) return;
      var br = body.getBoundingClientRect(), ar = a.getBoundingClientRect();
      if (ar.top < br.top || ar.bottom > br.bottom) body.scrollTop += ar.top - br.top - Math.max(8, (br.height - ar.height) / 3);
    };
    fix();
    [0, 700, 1700].forEach(function (ms) { keepTimers.push(setTimeout(fix, ms)); });
  }
  function stopKeeping() { keepTimers.forEach(clearTimeout); keepTimers = []; }

  function hideChooser() {
    var old = document.getElementById('passage-chooser');
    if (old) old.parentNode.removeChild(old);
    var open = document.querySelectorAll('a.passage[aria-expanded]');
    for (var i = 0; i < open.length; i++) open[i].removeAttribute('aria-expanded');
  }
  // a small menu listing every feature and claim a passage annotates
  function showChooser(a, refs, current) {
    hideChooser();
    var box = h('div', {id: 'passage-chooser', cls: 'passage-chooser', role: 'menu', 'aria-label': 'This passage is about'});
    var head = h('div', {cls: 'chooser-h'}, [h('span', {text: 'This passage is about ' + refs.length + ' items:'}),
      h('button', {type: 'button', cls: 'chooser-close', 'aria-label': 'Close', title: 'Close', text: '×', onclick: function () { hideChooser(); a.focus(); }})]);
    box.appendChild(head);
    refs.forEach(function (id) {
      var kind = refKind(id);
      var r = A.features[id], c = A.claimsById[id];
      var q = r ? (r.feature.properties || {}).article_quote : (c ? c.article_quote : null);
      var item = h('button', {type: 'button', role: 'menuitem', cls: 'chooser-item passage-' + kind, 'data-id': id,
        'aria-current': id === current ? 'true' : null}, [
        h('span', {cls: 'kind', text: kindLabelOf(kind)}), ' ',
        c && !r ? verdictBadge(c.verdict) : null, c && !r ? ' ' : null,
        h('span', {cls: 'chooser-label', text: refLabel(id)}),
        isEmpty(q) ? null : h('span', {cls: 'chooser-quote', text: quoted(q)})]);
      item.addEventListener('click', function () {
        var items = box.querySelectorAll('.chooser-item');
        for (var i = 0; i < items.length; i++) items[i].removeAttribute('aria-current');
        item.setAttribute('aria-current', 'true');
        followRef(id, a);
      });
      box.appendChild(item);
    });
    box.addEventListener('keydown', function (e) { if (e.key === 'Escape') { hideChooser(); a.focus(); } });
    // at the foot of the panel, so it stays visible when a claim's card is shown in the Claims tab
    document.getElementById('atlas-panel').appendChild(box);
    A.layoutPanel && A.layoutPanel();
    a.setAttribute('aria-expanded', 'true');
    keepPassageInView(a);
    return box;
  }
  A.hideChooser = hideChooser;

  function buildPanel() {
    var art = (data.articles || [])[0] || {};  // the newest article (the only one, with one)
    // the header says what the page is, for whom the article is dated (or that it is undated)
    document.getElementById('atlas-title').textContent = art.title || 'Iran–Pakistan frontier atlas';
    var when = art.date ? String(art.date) : 'undated';
    // an undated article: say what it is about in time, from its metadata note ("22-24 April 2024 visit")
    var about = !art.date && art.note && /(\d{1,2})\s*[-–]\s*(\d{1,2}) ([A-Z][a-z]+) (\d{4})(?: (visit|talks|meeting|summit|trip))?/.exec(String(art.note));
    if (about) when += '; on the ' + about[1] + '–' + about[2] + ' ' + about[3] + ' ' + about[4] + (about[5] ? ' ' + about[5] : '');
    document.getElementById('atlas-sub').textContent = 'A map of the places, crossings, pipeline and events in this article' +
      (art.publisher ? ' (' + art.publisher + ', ' + when + ')' : ' (' + when + ')') + ', each checked against sources.';
    var body = A.addTab('article', 'Article');
    document.getElementById('atlas-notice') || document.getElementById('atlas-head').appendChild(
      h('div', {id: 'atlas-notice', role: 'status', hidden: 'hidden'}));
    var nlinks = 0;
    body.appendChild(h('div', {cls: 'passage-key'}, ['Click a highlighted passage to see it on the map: ',
      h('span', {cls: 'passage passage-events', text: 'event'}), ' ', h('span', {cls: 'passage passage-places', text: 'place'}), ' ',
      h('span', {cls: 'passage passage-claim', text: 'checked claim'}), ' ', h('span', {cls: 'passage', text: 'other feature'}), ' ',
      h('span', {cls: 'passage passage-multi', text: 'several (a list opens)'})]));
    function renderParagraphs(paragraphs, target, prefix, aid) {
    (paragraphs || []).forEach(function (segs, i) {
      var plain = segs.map(function (sg) { return sg[0]; }).join('');
      var subhead = plain.length < 90 && !/[.!?:;”"’')]\s*$/.test(plain);
      var para = h('p', {id: prefix + (i + 1), 'data-paragraph': i + 1, cls: subhead ? 'subhead' : null}, [h('span', {cls: 'pnum', text: '¶' + (i + 1)})]);
      segs.forEach(function (seg) {
        var text = seg[0], refs = seg[1] || [];
        if (!refs.length) { para.appendChild(document.createTextNode(text)); return; }
        nlinks++;
        var primary = refs[0];
        var kind = refKind(primary);
        var a = h('a', {cls: 'passage passage-' + kind + (refs.length > 1 ? ' passage-multi' : ''),
          href: (kind === 'claim' ? '#claim=' : '#feature=') + encodeURIComponent(primary),
          'data-refs': refs.join(' '), 'data-ref': primary, 'data-article': aid || null,
          title: refs.length > 1 ? refs.length + ' annotations (click to choose): ' + refs.map(refLabel).join('; ') : refLabel(primary),
          'aria-haspopup': refs.length > 1 ? 'menu' : null, text: text});
        a.addEventListener('click', function (e) {
          e.preventDefault();
          // the first annotation acts at once; a passage with several also lists them all
          followRef(primary, a);
          if (refs.length > 1) showChooser(a, refs, primary); else hideChooser();
        });
        para.appendChild(a);
      });
      target.appendChild(para);
    });
    }
    var several = (data.articles || []).length > 1;
    if (!several) renderParagraphs(art.paragraphs, body, 'para-');
    else {
      // several articles: a chooser (newest first); each article's text is its own block, one shown
      var pick = h('select', {id: 'article-chooser', 'aria-label': 'Article'});
      data.articles.forEach(function (x, k) {
        pick.appendChild(h('option', {value: x.id, text: (x.date || 'undated') + ' · ' + (x.title || x.id) + (x.publisher ? ' (' + x.publisher + ')' : '')}));
        var block = h('div', {cls: 'article-text', 'data-article': x.id, hidden: k ? 'hidden' : null});
        renderParagraphs(x.paragraphs, block, x.id === art.id ? 'para-' : 'para-' + x.id + '-', x.id);
        body.appendChild(block);
      });
      body.insertBefore(h('label', {cls: 'article-pick'}, [h('span', {text: 'Article (' + data.articles.length + ', newest first): '}), pick]), body.firstChild);
      var showArticle = function (aid) {
        var blocks = body.querySelectorAll('.article-text');
        var found = false;
        for (var b = 0; b < blocks.length; b++) {
          var on = blocks[b].getAttribute('data-article') === aid;
          blocks[b].hidden = !on;
          found = found || on;
        }
        if (!found) return false;
        pick.value = aid;
        var x = data.articles.filter(function (y) { return y.id === aid; })[0];
        document.getElementById('atlas-title').textContent = x.title || 'Iran–Pakistan frontier atlas';
        A.currentArticle = aid;
        if (A.clearStep) A.clearStep();
        openPanel(); showTab('article');
        return true;
      };
      A.showArticle = showArticle;
      pick.addEventListener('change', function () { showArticle(pick.value); });
      A.currentArticle = data.articles[0].id;
      document.getElementById('atlas-title').textContent = data.articles[0].title || 'Iran–Pakistan frontier atlas';
    }
    if ((data.unlinked || []).length) {
      var ul = h('ul');
      data.unlinked.forEach(function (u) { ul.appendChild(h('li', {text: u})); });
      body.appendChild(h('div', {cls: 'unlinked'}, [h('div', {cls: 'sec-h', text: 'Annotations whose quote was not found in the article'}), ul]));
    }
    A.passageCount = nlinks;
    ['wheel', 'touchstart', 'keydown'].forEach(function (ev) { body.addEventListener(ev, stopKeeping, {passive: true}); });


    // the header's height decides where the map starts (phones, tablets) and where the panel starts
    var head = document.getElementById('atlas-head');
    function layoutHead() {
      document.documentElement.style.setProperty('--head-h', head.offsetHeight + 'px');
      map.invalidateSize({animate: false});
    }
    A.layoutHead = layoutHead;
    window.addEventListener('resize', layoutHead);
    document.getElementById('atlas-toggle').addEventListener('click', function () {
      document.body.classList.toggle('panel-closed');
      this.setAttribute('aria-expanded', document.body.classList.contains('panel-closed') ? 'false' : 'true');
      layoutHead();
    });
    layoutHead();
    var tg = document.getElementById('atlas-toggle');
    tg.setAttribute('aria-expanded', document.body.classList.contains('panel-closed') ? 'false' : 'true');
    // the skip link opens the panel (it may be a closed sheet) and focuses the article
    var skip = document.querySelector('.skip-link');
    if (skip) skip.addEventListener('click', function (e) {
      e.preventDefault(); openPanel(); showTab('article');
      var b = document.getElementById('tab-article'); b.setAttribute('tabindex', '-1'); b.focus({preventScroll: true});
    });
    showTab('article');
  }

    buildPanel();
    A.mark && A.mark('story');
});
