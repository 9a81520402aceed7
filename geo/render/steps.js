/* Iran–Pakistan frontier atlas: step-through reading (our own code, MIT).
 * A folium element of geo/render/elements.py; started as atlas.steps(map, options) after the story
 * panel has written the article. Previous / Next buttons, ← / → keys, a swipe in the phone's sheet
 * and a play button step from one annotated passage to the next. Each step frames every feature
 * the passage names (and the features of the claims it names), highlights them, and shows what the
 * passage annotates in the article itself: a claim's verdict badge, its one line and its evidence
 * on demand. No popup opens on a step, so nothing covers the geometry it frames.
 * Each step is a history entry (#passage=N): Back and Forward step, a reload keeps the step.
 */
import {kindLabelOf, openPanel, refLabel, showTab} from './panel.js';
import {sourceList, verdictBadge} from './popups.js';
import {flyThen} from './select.js';
import {A, h, has, isEmpty, later, scrollWithin} from './util.js';
A.steps = later(function (map, opts) {
    opts = opts || {};
    var PLAY_MS = opts.play_ms || 4000;
    var passages = [], current = -1, timer = null;
    var bar, prevBtn, nextBtn, playBtn, progress;

    function list() {
      // the article shown (with several articles, the chosen one)
      passages = Array.prototype.slice.call(document.querySelectorAll('#tab-article a.passage'))
        .filter(function (a) { return !a.closest('.article-text[hidden]'); });
      return passages;
    }

    // the features a passage names: its own, and those of the claims it names, in order, once each
    function featuresOf(a) {
      var out = [];
      var add = function (id) { if (has(A.features, id) && out.indexOf(id) < 0) out.push(id); };
      String(a.getAttribute('data-refs') || '').split(' ').forEach(function (id) {
        if (has(A.features, id)) add(id);
        else if (has(A.claimsById, id)) (A.claimsById[id].feature_ids || []).forEach(add);
      });
      return out;
    }
    A.stepFeatures = function (i) { return list()[i] ? featuresOf(passages[i]) : []; };

    // the card under the passage's paragraph: what the passage annotates, claims with their verdict
    function card(a) {
      var box = h('div', {cls: 'step-card', id: 'step-card', role: 'note', 'aria-label': 'What this passage is about'});
      String(a.getAttribute('data-refs') || '').split(' ').forEach(function (id) {
        var c = has(A.claimsById, id) ? A.claimsById[id] : null;
        if (c && !has(A.features, id)) {
          var row = h('div', {cls: 'step-claim', 'data-claim': id}, [verdictBadge(c.verdict), ' ',
            h('span', {cls: 'step-line', text: c.claim || c.topic || id})]);
          var ev = h('details', {cls: 'step-evidence'}, [h('summary', {text: 'Evidence'})]);
          if (!isEmpty(c.what_sources_say)) ev.appendChild(h('p', {text: c.what_sources_say}));
          if (!isEmpty(c.measured_value)) ev.appendChild(h('p', {text: 'Measured: ' + c.measured_value + (c.measured_unit ? ' ' + c.measured_unit : '') + (c.measured_note ? ' (' + c.measured_note + ')' : '')}));
          if (!isEmpty(c.sources)) ev.appendChild(sourceList(c.sources));
          ev.appendChild(h('a', {href: '#claim=' + encodeURIComponent(id), cls: 'step-more', text: 'In the claims ledger'}));
          row.appendChild(ev);
          box.appendChild(row);
        }
      });
      var feats = featuresOf(a);
      if (feats.length) {
        var ul = h('ul', {cls: 'step-features', 'aria-label': 'On the map'});
        feats.forEach(function (id) {
          var kind = A.features[id].layerName;
          ul.appendChild(h('li', null, [h('span', {cls: 'kind', text: kindLabelOf(kind)}), ' ',
            h('a', {href: '#feature=' + encodeURIComponent(id), cls: 'step-feature', 'data-id': id, text: refLabel(id)})]));
        });
        box.appendChild(ul);
      } else {
        box.appendChild(h('p', {cls: 'note', text: 'Nothing this passage names is drawn on the map.'}));
      }
      return box;
    }

    function clearStep() {
      var old = document.getElementById('step-card');
      if (old) old.parentNode.removeChild(old);
      var cur = document.querySelectorAll('a.passage.step-current');
      for (var i = 0; i < cur.length; i++) { cur[i].classList.remove('step-current'); cur[i].removeAttribute('aria-current'); }
      current = -1;
      list();
      update();
    }
    A.clearStep = clearStep;

    function boundsOf(ids) {
      var b = null;
      ids.forEach(function (id) {
        var l = A.features[id].layer;
        var lb = l.getBounds ? l.getBounds() : (l.getLatLng ? L.latLngBounds(l.getLatLng(), l.getLatLng()) : null);
        if (!lb || !lb.isValid()) return;
        b = b ? b.extend(lb) : L.latLngBounds(lb.getSouthWest(), lb.getNorthEast());
      });
      return b;
    }

    // go to step i (0-based); false if there is no such step
    function go(i, how) {
      how = how || {};
      list();
      if (!(i >= 0 && i < passages.length)) return false;
      if (A.hideChooser) A.hideChooser();
      clearStep();
      current = i;
      var a = passages[i];
      a.classList.add('step-current');
      a.setAttribute('aria-current', 'step');
      var para = a.closest('p') || a;
      para.parentNode.insertBefore(card(a), para.nextSibling);
      var ids = featuresOf(a);
      A.selected = 'passage:' + (i + 1);
      document.body.classList.add('stepping');
      A.stepIndex = i;
      if (how.push !== false) A.setHash('passage=' + (i + 1));
      if (A.hideDetails) A.hideDetails(false);
      map.closePopup();
      ids.forEach(function (id) { A.ensureVisible(A.features[id]); });
      A.highlight(ids);
      openPanel();
      showTab('article');
      update();
      var body = document.getElementById('tab-article');
      scrollWithin(body, a, 'center');
      var b = boundsOf(ids);
      if (b) {
        var room = A.controlRoom();
        var pad = {tl: L.point(room.left + 12, room.top + 12), br: L.point(room.right + 12, room.bottom + 12)};
        A.stepSettled = false;
        flyThen(null, b, 9, function () { A.stepSettled = true; scrollWithin(body, a, 'nearest'); }, pad);
      } else A.stepSettled = true;
      return true;
    }
    A.goStep = function (i, how) { return go(i, {push: how && how.push}); };

    function step(d) {
      list();
      var i = current < 0 ? (d > 0 ? 0 : passages.length - 1) : current + d;
      if (i < 0 || i >= passages.length) return false;
      return go(i);
    }
    A.nextStep = function () { return step(1); };
    A.prevStep = function () { return step(-1); };

    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      update();
    }
    function play() {
      if (timer) { stop(); return; }
      if (current >= passages.length - 1) go(0); else step(1);
      timer = setInterval(function () { if (!step(1)) stop(); }, PLAY_MS);
      update();
    }
    A.stopPlay = stop;

    function update() {
      if (!bar) return;
      var n = passages.length;
      progress.textContent = '¶ ' + (current < 0 ? '–' : current + 1) + ' / ' + n;
      progress.setAttribute('aria-label', current < 0 ? n + ' passages' : 'Passage ' + (current + 1) + ' of ' + n);
      prevBtn.disabled = current <= 0;
      nextBtn.disabled = current >= n - 1;
      playBtn.setAttribute('aria-pressed', timer ? 'true' : 'false');
      playBtn.setAttribute('aria-label', timer ? 'Stop playing the story' : 'Play the story, one passage every ' + PLAY_MS / 1000 + ' s');
      playBtn.textContent = timer ? '■' : '▶';
    }

    // the address is the link: it names the passage, feature or claim shown
    function copyLink(status) {
      var url = location.href;
      var say = function (t) { status.textContent = t; setTimeout(function () { status.textContent = ''; }, 2500); };
      var fallback = function () {
        var inp = h('input', {type: 'text', readonly: 'readonly', value: url, 'aria-label': 'Link to this view', cls: 'copy-field'});
        document.body.appendChild(inp);
        inp.select();
        var ok;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        document.body.removeChild(inp);
        say(ok ? 'Link copied' : 'Copy the address bar: ' + url);
      };
      A.copiedLink = url;
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(function () { say('Link copied'); }, fallback);
      else fallback();
    }

    function build() {
      list();
      if (!passages.length) return;
      prevBtn = h('button', {type: 'button', cls: 'step-btn', id: 'step-prev', 'aria-label': 'Previous passage', title: 'Previous passage (←)', text: '‹ Prev',
        onclick: function () { stop(); step(-1); }});
      nextBtn = h('button', {type: 'button', cls: 'step-btn', id: 'step-next', 'aria-label': 'Next passage', title: 'Next passage (→)', text: 'Next ›',
        onclick: function () { stop(); step(1); }});
      playBtn = h('button', {type: 'button', cls: 'step-btn step-play', id: 'step-play', onclick: play});
      progress = h('span', {cls: 'step-progress', id: 'step-progress', role: 'status'});
      var copyStatus = h('span', {id: 'atlas-copy-status', role: 'status'});
      var copyBtn = h('button', {type: 'button', id: 'atlas-copy', 'aria-label': 'Copy link to this view', title: 'Copy a link to what the map shows now', text: 'Copy link',
        onclick: function () { copyLink(copyStatus); }});
      bar = h('div', {id: 'atlas-steps', role: 'group', 'aria-label': 'Step through the article'}, [prevBtn, progress, nextBtn, playBtn, copyBtn, copyStatus]);
      var head = document.getElementById('atlas-head');
      head.appendChild(bar);
      update();
      if (A.layoutHead) A.layoutHead();
      // ← / → step, unless the reader is typing, using a slider or moving the map with its keys
      document.addEventListener('keydown', function (e) {
        if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        var t = e.target;
        if (t && t.closest && (t.closest('input, textarea, select, [contenteditable], .leaflet-container, [role=tab]'))) return;
        stop();
        if (step(e.key === 'ArrowRight' ? 1 : -1)) e.preventDefault();
      });
      // a horizontal swipe in the phone's sheet steps (a vertical one scrolls the article)
      var panel = document.getElementById('atlas-panel'), sx = 0, sy = 0, st = 0;
      panel.addEventListener('touchstart', function (e) {
        if (e.touches.length !== 1) { st = 0; return; }
        sx = e.touches[0].clientX; sy = e.touches[0].clientY; st = Date.now();
      }, {passive: true});
      panel.addEventListener('touchend', function (e) {
        if (!st || !e.changedTouches.length) return;
        var dx = e.changedTouches[0].clientX - sx, dy = e.changedTouches[0].clientY - sy;
        var quick = Date.now() - st < 800;
        st = 0;
        if (quick && Math.abs(dx) > 50 && Math.abs(dy) < Math.abs(dx) / 2) { stop(); step(dx < 0 ? 1 : -1); }
      }, {passive: true});
      // a passage clicked in the article becomes the current step (the step bar follows)
      document.getElementById('tab-article').addEventListener('click', function (e) {
        var a = e.target.closest && e.target.closest('a.passage');
        if (!a) return;
        var i = passages.indexOf(a);
        if (i >= 0) { current = i; update(); }
      });
    }

    build();
    A.mark && A.mark('steps');
});
