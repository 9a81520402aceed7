<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd" version="1.0.0">
 <NamedLayer>
  <Name>border</Name>
  <UserStyle>
   <Name>border (atlas default)</Name>
   <Title>Iran–Pakistan border</Title>
   <Abstract>Iran–Pakistan border. Iran-Pakistan frontier atlas, data version 2026.12.1. Licence: Open Data Commons Open Database License 1.0 (ODbL-1.0, https://opendatacommons.org/licenses/odbl/1-0/). border-osm and border-bridge-* are derived from OpenStreetMap (ODbL 1.0); border-ne10m is Natural Earth (public domain). ODbL share-alike: a database derived from this layer must be offered under the ODbL 1.0; maps made from it need only the attribution. Attribution: © OpenStreetMap contributors (ODbL 1.0), via geo-maps countries-land-10m; Made with Natural Earth (public domain).</Abstract>
   <FeatureTypeStyle>
    <Rule>
     <Name>rule-00</Name>
     <Title>Bridged stretch (gap in the source, bridged)</Title>
     <ogc:Filter>
      <ogc:Or>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>border-bridge-1</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>border-bridge-2</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>border-bridge-3</ogc:Literal>
       </ogc:PropertyIsEqualTo>
      </ogc:Or>
     </ogc:Filter>
     <LineSymbolizer>
      <Stroke>
       <CssParameter name="stroke">#ff7f00</CssParameter>
       <CssParameter name="stroke-opacity">0.949</CssParameter>
       <CssParameter name="stroke-width">7</CssParameter>
       <CssParameter name="stroke-dasharray">1 9</CssParameter>
       <CssParameter name="stroke-linecap">round</CssParameter>
      </Stroke>
     </LineSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-01</Name>
     <Title>Border, Natural Earth 1:10m (comparison)</Title>
     <ogc:Filter>
      <ogc:PropertyIsEqualTo>
       <ogc:PropertyName>id</ogc:PropertyName>
       <ogc:Literal>border-ne10m</ogc:Literal>
      </ogc:PropertyIsEqualTo>
     </ogc:Filter>
     <LineSymbolizer>
      <Stroke>
       <CssParameter name="stroke">#2166ac</CssParameter>
       <CssParameter name="stroke-opacity">0.902</CssParameter>
       <CssParameter name="stroke-width">2</CssParameter>
       <CssParameter name="stroke-dasharray">6 5</CssParameter>
       <CssParameter name="stroke-linecap">round</CssParameter>
      </Stroke>
     </LineSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-02</Name>
     <Title>Border (OpenStreetMap-derived, ~10 m)</Title>
     <ogc:Filter>
      <ogc:PropertyIsEqualTo>
       <ogc:PropertyName>id</ogc:PropertyName>
       <ogc:Literal>border-osm</ogc:Literal>
      </ogc:PropertyIsEqualTo>
     </ogc:Filter>
     <LineSymbolizer>
      <Stroke>
       <CssParameter name="stroke">#b2182b</CssParameter>
       <CssParameter name="stroke-opacity">0.949</CssParameter>
       <CssParameter name="stroke-width">3</CssParameter>
       <CssParameter name="stroke-linecap">round</CssParameter>
      </Stroke>
     </LineSymbolizer>
    </Rule>
   </FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
