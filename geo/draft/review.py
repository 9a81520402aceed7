"""review.html: one offline page to review a draft in a browser.

The article with every place mention and date highlighted (tap one: what it resolved to and why),
the candidate events and claims, and a small Leaflet map of the resolved places. Inlined like the
story map: Leaflet from the pinned PyPI package (geo.render.assets), no network at all, and the
same Content-Security-Policy (scripts allowed by hash only).
"""

from __future__ import annotations

import html
import json
from typing import Any

from geo.render import assets

CSS = """
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;background:#fafaf7}
header{padding:12px 16px;border-bottom:1px solid #ddd;background:#fff}h1{font-size:1.25rem;margin:0 0 4px}
.meta{color:#555;font-size:.9rem}.legend{margin-top:6px;font-size:.85rem;display:flex;flex-wrap:wrap;gap:6px}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;padding:16px;max-width:1400px;margin:auto}
#side{grid-column:2;grid-row:1;position:sticky;top:8px;align-self:start}#text{grid-column:1;grid-row:1}
@media (max-width:800px){main{grid-template-columns:1fr;padding:10px}#side,#text{grid-column:1;grid-row:auto;position:static}#map{height:240px}
#detail.open{position:fixed;left:6px;right:6px;bottom:6px;z-index:1000;max-height:45vh;overflow:auto;box-shadow:0 2px 12px rgba(0,0,0,.35);margin:0}}
#close{float:right;border:0;background:none;font-size:1.3rem;line-height:1;cursor:pointer;padding:0 4px}
article p{margin:0 0 .8em}article p.title{font-weight:600}
mark{border-radius:3px;padding:0 2px;cursor:pointer;background:none;color:inherit;border-bottom:2px solid}
mark.country{background:#e3ecf7;border-color:#3a6ea5}mark.admin1{background:#e6f2e6;border-color:#3b7d3b}
mark.place{background:#fff1cc;border-color:#b8860b}mark.feature{background:#f6dfef;border-color:#9b3d84}
mark.unresolved{background:#eee;border-color:#999;border-bottom-style:dashed}
mark.date{background:#e9e4f7;border-color:#5b4a9e}mark.date.unres{border-bottom-style:dashed}
mark.flag{outline:2px solid #c0392b}
mark:focus{outline:3px solid #1d232a}
#map{height:320px;border:1px solid #ccc;border-radius:6px;background:#dfe9f2}
#detail{background:#fff;border:1px solid #ccc;border-radius:6px;padding:10px;margin-bottom:12px;min-height:3em;font-size:.92rem}
section h2{font-size:1.05rem;margin:16px 0 6px}ol,ul{padding-left:1.2em;margin:0}li{margin-bottom:6px;font-size:.92rem}
.k{font-weight:600}.muted{color:#666}.tag{display:inline-block;font-size:.75rem;border:1px solid #bbb;border-radius:3px;padding:0 4px;margin-right:4px}
"""

JS = r"""
(function(){
var data=JSON.parse(document.getElementById('draft-data').textContent);
var detail=document.getElementById('detail');
function esc(s){return String(s==null?'':s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
function show(kind,i){
  var h='';
  if(kind==='p'){var m=data.places[i];
    h='<span class="k">'+esc(m.text)+'</span> &rarr; '+(m.id?('<span class="tag">'+esc(m.kind)+'</span>'+esc(m.name)+' <span class="muted">('+esc(m.id)+', '+esc(m.country)+(m.admin1?', '+esc(m.admin1):'')+')</span>'+(m.lat!=null?'<br>'+m.lat+', '+m.lon:'<br><i>no coordinates</i>')+'<br>confidence '+m.confidence):'<i>unresolved: no coordinates, not guessed</i>')+'<br><span class="muted">why: '+esc(m.reason)+'</span>';
    if(map&&m.lat!=null){map.setView([m.lat,m.lon],Math.max(map.getZoom(),6));}
  } else {var d=data.dates[i];
    h='<span class="k">'+esc(d.text)+'</span> &rarr; '+(d.value?esc(d.value):'<i>unresolved</i>')+'<br><span class="muted">why: '+esc(d.reason)+'</span>'+(d.flag?'<br><b>flag: '+esc(d.flag)+'</b>':'');
  }
  detail.innerHTML='<button id="close" type="button" aria-label="Close">&times;</button>'+h;
  detail.classList.add('open');
  document.getElementById('close').addEventListener('click',function(){detail.classList.remove('open');});
}
document.querySelectorAll('mark[data-k]').forEach(function(el){
  function go(){show(el.getAttribute('data-k'),+el.getAttribute('data-i'));}
  el.addEventListener('click',go);el.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});
});
var map=null;
if(window.L){
  map=L.map('map',{zoomControl:true,attributionControl:true,zoomSnap:0.5}).setView([28.5,61.5],4);
  L.geoJSON(data.countries,{style:{color:'#888',weight:1,fillColor:'#f4f1ea',fillOpacity:1},interactive:false}).addTo(map);
  map.attributionControl.setPrefix(false);map.attributionControl.addAttribution('Made with Natural Earth; GeoNames');
  var colors={country:'#3a6ea5',admin1:'#3b7d3b',place:'#b8860b',feature:'#9b3d84'};
  var pts=[];var seen={};
  data.places.forEach(function(m,i){ if(m.lat==null||seen[m.id])return; seen[m.id]=1;
    var mk=L.circleMarker([m.lat,m.lon],{radius:m.kind==='country'?5:7,color:'#fff',weight:1.5,fillColor:colors[m.kind]||'#555',fillOpacity:.95}).addTo(map);
    mk.bindTooltip(esc(m.name)+' ('+esc(m.kind)+')');mk.on('click',function(){show('p',i);});
    if(m.kind!=='country')pts.push([m.lat,m.lon]);});
  data.events.forEach(function(e){ if(e.lat==null)return;
    L.circleMarker([e.lat,e.lon],{radius:11,color:'#c0392b',weight:2,fill:false}).addTo(map).bindTooltip(esc(e.date)+' '+esc(e.sub_event_type));});
  if(pts.length){map.fitBounds(L.latLngBounds(pts),{padding:[24,24],maxZoom:7});}
}
})();
"""


def _spans(d: Any) -> list[tuple[int, int, str, int]]:
    """Non-overlapping highlight spans (start, end, kind p|d, index), places first."""
    spans: list[tuple[int, int, str, int]] = []
    occupied: list[tuple[int, int]] = []
    for i, m in enumerate(d.mentions):
        spans.append((m.start, m.end, "p", i))
        occupied.append((m.start, m.end))
    for i, dm in enumerate(d.dates):
        if not any(a < dm.end and dm.start < b for a, b in occupied):
            spans.append((dm.start, dm.end, "d", i))
    return sorted(spans)


def _mark(d: Any, kind: str, i: int, body: str) -> str:
    if kind == "p":
        m = d.mentions[i]
        cls = m.kind if m.resolved else "unresolved"
        tip = f"{m.name} ({m.kind}, {m.id})" if m.resolved else "unresolved"
    else:
        dm = d.dates[i]
        cls = "date" + ("" if dm.value else " unres") + (" flag" if dm.flag else "")
        tip = dm.value or "unresolved"
    return (f'<mark class="{cls}" data-k="{kind}" data-i="{i}" tabindex="0" '
            f'title="{html.escape(tip)}">{body}</mark>')


def article_html(d: Any) -> str:
    text = d.text
    spans = _spans(d)
    lines = []
    pos = 0
    first = True
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        if not line.strip():
            continue
        out = []
        cur = a
        for s, e, kind, i in spans:
            if s < a or e > b or s < cur:
                continue
            out.append(html.escape(text[cur:s]))
            out.append(_mark(d, kind, i, html.escape(text[s:e])))
            cur = e
        out.append(html.escape(text[cur:b]))
        lines.append(f'<p{" class=title" if first else ""}>{"".join(out)}</p>')
        first = False
    return "\n".join(lines)


def _countries(gaz: Any, codes: set[str]) -> dict[str, Any]:
    """The basemap countries to draw: Iran, Pakistan, Afghanistan and any country mentioned, as
    Natural Earth outlines rounded to 0.01 degree (a background, not data)."""
    data = gaz.admin0
    feats = []

    def rnd(c: Any) -> Any:
        if isinstance(c, list) and c and isinstance(c[0], (int, float)):
            return [round(c[0], 2), round(c[1], 2)]
        return [rnd(x) for x in c]

    for f in data.get("features", []):
        code = (f.get("properties") or {}).get("iso_a2")
        if code in codes | {"IR", "PK", "AF"}:
            feats.append({"type": "Feature", "properties": {"iso": code},
                          "geometry": {"type": f["geometry"]["type"], "coordinates": rnd(f["geometry"]["coordinates"])}})
    return {"type": "FeatureCollection", "features": feats}


def review_html(d: Any, gaz: Any) -> str:
    a = d.article
    payload = d.as_json()
    payload["countries"] = _countries(gaz, {m.country for m in d.mentions if m.resolved and len(m.country) == 2})
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")
    unresolved = sum(1 for m in d.mentions if not m.resolved)
    events = []
    for e in d.events:
        events.append(f"<li><span class='k'>{html.escape(e.date.value or '')}</span> "
                      f"<span class='tag'>{html.escape(e.sub_event_type)}</span>{html.escape(e.place.name)} "
                      f"<span class='muted'>({html.escape(e.event_type)}; {html.escape(e.actor1 or 'actor ?')}"
                      f"{' vs ' + html.escape(e.actor2) if e.actor2 else ''}; precision geo {e.geo_precision}, "
                      f"time {e.time_precision})</span><br><q>{html.escape(e.quote[:240])}</q></li>")
    claims = [f"<li><span class='tag'>{html.escape(c.kind)}</span><span class='k'>{html.escape(c.text)}</span>: "
              f"<q>{html.escape(c.quote[:200])}</q> <span class='muted'>unreviewed</span></li>" for c in d.claims]
    body = f"""<header><h1>Draft: {html.escape(a['title'])}</h1>
<div class="meta">{html.escape(a['outlet'] or 'outlet not given')} &middot; {html.escape(a['date'])} &middot; id <code>{html.escape(a['id'])}</code>
&middot; {len(d.mentions)} place mentions ({unresolved} unresolved), {len(d.dates)} dates, {len(d.events)} candidate events, {len(d.claims)} candidate claims. Status: draft, nothing accepted yet.</div>
<div class="legend"><mark class="country">country</mark><mark class="admin1">admin-1</mark><mark class="place">town</mark><mark class="feature">atlas feature</mark><mark class="unresolved">unresolved</mark><mark class="date">date</mark><mark class="date flag">flagged date</mark></div>
</header>
<main><div id="side"><div id="detail" aria-live="polite">Tap a highlighted name or date to see what it resolved to and why.</div>
<div id="map" role="img" aria-label="Map of the resolved places"></div></div>
<div id="text"><article>{article_html(d)}</article>
<section><h2>Candidate events ({len(d.events)})</h2><ol>{''.join(events) or '<li class=muted>none</li>'}</ol></section>
<section><h2>Candidate claims ({len(d.claims)})</h2><ol>{''.join(claims) or '<li class=muted>none</li>'}</ol></section>
</div></main>"""
    scripts = [assets.script_safe(assets.leaflet_js()), JS]
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
            f"<title>Draft review: {html.escape(a['title'])}</title>\n"
            f"<style>{assets.style_safe(assets.leaflet_css())}</style>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"{body}\n<script type=\"application/json\" id=\"draft-data\">{data}</script>\n"
            + "".join(f"<script>{s}</script>\n" for s in scripts) + "</body>\n</html>\n")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{assets.csp_for(page)}" />'
    return page.replace("<head>\n", "<head>\n" + meta + "\n", 1)
