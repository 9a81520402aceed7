/* Iran–Pakistan frontier atlas: the events date filter (our own code, MIT).
 * A folium element of geo/render/elements.py; started by its script as atlas.dateFilter(map, options)
 * after atlas.start(map) has drawn the layers. Data strings go into the page as text, never as HTML.
 */
import {eventTypeColor, P} from './symbology.js';
import {A, h, later, svg} from './util.js';
A.dateFilter = later(function (map, opts) {

  function parseDate(s, end) {
    if (typeof s !== 'string') return null;
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(s);
    if (!m) return null;
    var y = +m[1], mo = m[2] ? +m[2] - 1 : (end ? 11 : 0);
    var d = m[3] ? +m[3] : (end ? new Date(Date.UTC(y, mo + 1, 0)).getUTCDate() : 1);
    return Date.UTC(y, mo, d) / 86400000;
  }
  function dayToIso(day) { return new Date(day * 86400000).toISOString().slice(0, 10); }
  function eventSpan(f) {
    var p = f.properties || {};
    var s = parseDate(p.event_date, false);
    var e = parseDate(p.event_date_end || p.event_date, true);
    return s === null ? null : [s, e === null ? s : e];
  }

  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  // Presets from the data: all dates; the years before the busiest year; each month of the busiest
  // year that has events; the years after it.
  function timePresets(spans, lo, hi) {
    var byYear = {};
    spans.forEach(function (sp) { var y = new Date(sp[0] * 86400000).getUTCFullYear(); byYear[y] = (byYear[y] || 0) + 1; });
    var years = Object.keys(byYear).map(Number).sort(function (x, y) { return x - y; });
    var busy = years.reduce(function (best, y) { return byYear[y] > byYear[best] ? y : best; }, years[0]);
    var out = [{label: 'All', from: lo, to: hi}];
    if (byYear[busy] < 2) return out;
    var yearLabel = function (y0, y1) { return y0 === y1 ? String(y0) : y0 + '–' + y1; };
    var before = years.filter(function (y) { return y < busy; }), after = years.filter(function (y) { return y > busy; });
    if (before.length) out.push({label: yearLabel(before[0], busy - 1), from: lo, to: Date.UTC(busy, 0, 1) / 86400000 - 1});
    var months = {};
    spans.forEach(function (sp) {
      var d = new Date(sp[0] * 86400000);
      if (d.getUTCFullYear() === busy) months[d.getUTCMonth()] = 1;
    });
    Object.keys(months).map(Number).sort(function (x, y) { return x - y; }).forEach(function (m) {
      out.push({label: MONTHS[m] + ' ' + busy, from: Date.UTC(busy, m, 1) / 86400000, to: Date.UTC(busy, m + 1, 1) / 86400000 - 1});
    });
    if (after.length) out.push({label: yearLabel(busy + 1, after[after.length - 1]), from: Date.UTC(busy + 1, 0, 1) / 86400000, to: hi});
    return out;
  }

  function addTimeControl(map) {
    var g = A.groups.events;
    var evs = g ? g.getLayers() : [];
    var spans = evs.map(function (l) { return eventSpan(l.feature); }).filter(Boolean);
    A.time = {include: function () {}, set: function () {}};
    if (!spans.length) return;
    var lo = Math.min.apply(null, spans.map(function (s) { return s[0]; }));
    var hi = Math.max.apply(null, spans.map(function (s) { return s[1]; }));
    // The sliders step over the dates at which events begin or end, in order (not over days):
    // 25 events over 30 years with most in four months would leave one day per pixel otherwise.
    var seen = {};
    var stops = [];
    spans.forEach(function (sp) { [sp[0], sp[1]].forEach(function (d) { if (!seen[d]) { seen[d] = 1; stops.push(d); } }); });
    stops.sort(function (x, y) { return x - y; });
    var last = stops.length - 1;
    function firstStopFrom(day) { for (var i = 0; i <= last; i++) if (stops[i] >= day) return i; return last; }
    function lastStopUntil(day) { for (var i = last; i >= 0; i--) if (stops[i] <= day) return i; return 0; }
    var state = {lo: lo, hi: hi, from: lo, to: hi};
    var presets = timePresets(spans, lo, hi);
    var ctl = L.control({position: 'bottomleft'});
    var inFrom, inTo, label, countEl, ctlSummary, presetBtns = [];
    function apply() {
      var shown = 0;
      evs.forEach(function (l) {
        var sp = eventSpan(l.feature);
        var vis = !sp || (sp[0] <= state.to && sp[1] >= state.from);
        if (vis && !g.hasLayer(l)) g.addLayer(l);
        if (!vis && g.hasLayer(l)) { if (l.isPopupOpen && l.isPopupOpen()) l.closePopup(); g.removeLayer(l); }
        if (vis) shown++;
      });
      label.textContent = dayToIso(state.from) + ' – ' + dayToIso(state.to);
      ctlSummary.textContent = 'Events by date (' + shown + '/' + evs.length + ')';
      countEl.textContent = shown + ' of ' + evs.length + ' events shown';
      inFrom.value = String(firstStopFrom(state.from));
      inTo.value = String(lastStopUntil(state.to));
      inFrom.setAttribute('aria-valuetext', dayToIso(state.from));
      inTo.setAttribute('aria-valuetext', dayToIso(state.to));
      presetBtns.forEach(function (b) {
        b.setAttribute('aria-pressed', b._from === state.from && b._to === state.to ? 'true' : 'false');
      });
      A.time.shown = shown;
      document.dispatchEvent(new CustomEvent('atlas:time'));
    }
    function setRange(from, to) { state.from = from; state.to = to; apply(); }
    ctl.onAdd = function () {
      var det = h('details', {cls: 'atlas-time leaflet-bar', id: 'atlas-time', open: null});
      var sum = ctlSummary = h('summary', {cls: 'time-h', text: 'Events by date'});
      det.appendChild(sum);
      var box = h('div', {cls: 'time-body'});
      det.appendChild(box);
      label = h('div', {cls: 'time-label'});
      inFrom = h('input', {type: 'range', min: 0, max: last, step: 1, value: 0, cls: 'time-from', 'aria-label': 'Show events from',
        title: 'Steps from one event date to the next'});
      inTo = h('input', {type: 'range', min: 0, max: last, step: 1, value: last, cls: 'time-to', 'aria-label': 'Show events until',
        title: 'Steps from one event date to the next'});
      inFrom.setAttribute('data-stops', stops.map(dayToIso).join(' '));
      inTo.setAttribute('data-stops', stops.map(dayToIso).join(' '));
      countEl = h('div', {cls: 'time-count'});
      inFrom.addEventListener('input', function () { state.from = stops[+inFrom.value]; if (state.from > state.to) state.to = state.from; apply(); });
      inTo.addEventListener('input', function () { state.to = stops[+inTo.value]; if (state.to < state.from) state.from = state.to; apply(); });
      var reset = h('button', {type: 'button', cls: 'time-reset', text: 'all dates', onclick: function () { setRange(lo, hi); }});
      if (presets.length > 1) {
        var pr = h('div', {cls: 'time-presets', role: 'group', 'aria-label': 'Date presets'});
        presets.forEach(function (p) {
          var from = Math.max(lo, p.from), to = Math.min(hi, p.to);
          var b = h('button', {type: 'button', cls: 'time-preset', text: p.label, 'aria-pressed': 'false',
            title: dayToIso(from) + ' – ' + dayToIso(to), onclick: function () { setRange(from, to); }});
          b._from = from; b._to = to;
          presetBtns.push(b);
          pr.appendChild(b);
        });
        box.appendChild(pr);
      }
      box.appendChild(label);
      // one tick per event, coloured by type, placed on the sliders' steps so they line up with them
      var W = 1000, strip = svg('svg', {viewBox: '0 0 ' + W + ' 12', preserveAspectRatio: 'none', cls: 'time-strip', 'aria-hidden': 'true'});
      strip.setAttribute('class', 'time-strip');
      var xOf = function (day) { return last ? stops.indexOf(day) / last * W : W / 2; };
      evs.forEach(function (l) {
        var sp = eventSpan(l.feature);
        if (!sp) return;
        var x0 = xOf(sp[0]), x1 = xOf(sp[1]);
        strip.appendChild(svg('rect', {x: Math.min(x0, W - 6).toFixed(1), y: 1, width: Math.max(6, x1 - x0).toFixed(1), height: 10,
          fill: eventTypeColor[l.feature.properties.event_type] || P.events.strip_default, 'fill-opacity': 0.7}));
      });
      box.appendChild(h('div', {cls: 'time-row'}, [h('span'), strip]));
      box.appendChild(h('div', {cls: 'time-row'}, [h('span', {text: 'from'}), inFrom]));
      box.appendChild(h('div', {cls: 'time-row'}, [h('span', {text: 'to'}), inTo]));
      box.appendChild(h('div', {cls: 'time-foot'}, [countEl, reset]));
      L.DomEvent.disableClickPropagation(det);
      L.DomEvent.disableScrollPropagation(det);
      return det;
    };
    ctl.addTo(map);
    apply();
    A.time = {
      range: function () { return [dayToIso(state.from), dayToIso(state.to)]; },
      bounds: function () { return [dayToIso(lo), dayToIso(hi)]; },
      stops: function () { return stops.map(dayToIso); },
      presets: function () { return presets.map(function (p) { return p.label; }); },
      set: function (a, b) {
        state.from = Math.max(lo, Math.min(hi, parseDate(a, false)));
        state.to = Math.max(state.from, Math.min(hi, parseDate(b, true)));
        apply();
      },
      visible: function (f) { var sp = eventSpan(f); return !sp || (sp[0] <= state.to && sp[1] >= state.from); },
      include: function (f) {
        var sp = eventSpan(f);
        if (!sp) return;
        state.from = Math.min(state.from, sp[0]);
        state.to = Math.max(state.to, sp[1]);
        apply();
      },
      shown: A.time.shown
    };
    apply();
  }

    addTimeControl(map);
    A.mark && A.mark('timefilter');
});
