<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd" version="1.0.0">
 <NamedLayer>
  <Name>provinces</Name>
  <UserStyle>
   <Name>provinces (atlas default)</Name>
   <Title>Balochistan (PK-BA) and Sistan and Baluchestan (IR-11)</Title>
   <Abstract>Balochistan (PK-BA) and Sistan and Baluchestan (IR-11). Iran-Pakistan frontier atlas, data version 2026.12.1. Licence: Open Data Commons Open Database License 1.0 (ODbL-1.0, https://opendatacommons.org/licenses/odbl/1-0/). Border and coast edges derived from OpenStreetMap (ODbL 1.0); inner edges from Natural Earth admin-1 (public domain). ODbL share-alike: a database derived from this layer must be offered under the ODbL 1.0; maps made from it need only the attribution. Attribution: © OpenStreetMap contributors (ODbL 1.0), via geo-maps countries-land-10m; Made with Natural Earth (public domain).</Abstract>
   <FeatureTypeStyle>
    <Rule>
     <Name>rule-00</Name>
     <Title>Province (PK)</Title>
     <ogc:Filter>
      <ogc:PropertyIsEqualTo>
       <ogc:PropertyName>id</ogc:PropertyName>
       <ogc:Literal>PK-BA</ogc:Literal>
      </ogc:PropertyIsEqualTo>
     </ogc:Filter>
     <PolygonSymbolizer>
      <Fill>
       <CssParameter name="fill">#1b7837</CssParameter>
       <CssParameter name="fill-opacity">0.071</CssParameter>
      </Fill>
      <Stroke>
       <CssParameter name="stroke">#1b7837</CssParameter>
       <CssParameter name="stroke-opacity">0.8</CssParameter>
       <CssParameter name="stroke-width">1.5</CssParameter>
      </Stroke>
     </PolygonSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-01</Name>
     <Title>Province (IR)</Title>
     <ogc:Filter>
      <ogc:PropertyIsEqualTo>
       <ogc:PropertyName>id</ogc:PropertyName>
       <ogc:Literal>IR-11</ogc:Literal>
      </ogc:PropertyIsEqualTo>
     </ogc:Filter>
     <PolygonSymbolizer>
      <Fill>
       <CssParameter name="fill">#762a83</CssParameter>
       <CssParameter name="fill-opacity">0.071</CssParameter>
      </Fill>
      <Stroke>
       <CssParameter name="stroke">#762a83</CssParameter>
       <CssParameter name="stroke-opacity">0.8</CssParameter>
       <CssParameter name="stroke-width">1.5</CssParameter>
      </Stroke>
     </PolygonSymbolizer>
    </Rule>
   </FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
