<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Iran-Pakistan frontier atlas, data version 2026.12.1 -->
<qgis version="3.34.0-Prizren" styleCategories="Symbology|Labeling">
 <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">
  <rules key="{renderer-root}">
   <rule key="{rule-00}" filter="&quot;kind&quot; = 'bridged_stretch' OR &quot;variant&quot; = 'bridge'" label="Bridged stretch (gap in the source, bridged)" symbol="0" />
   <rule key="{rule-01}" filter="&quot;variant&quot; = 'natural_earth_10m' AND &quot;kind&quot; = 'boundary'" label="Border, Natural Earth 1:10m (comparison)" symbol="1" />
   <rule key="{rule-02}" filter="ELSE" label="Border (OpenStreetMap-derived, ~10 m)" symbol="2" />
  </rules>
  <symbols>
   <symbol type="line" name="0" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="255,127,0,242" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="1.05" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.15;1.35" />
      <Option name="customdash_unit" type="QString" value="MM" />
      <Option name="draw_inside_polygon" type="QString" value="0" />
      <Option name="ring_filter" type="QString" value="0" />
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value="" />
       <Option name="properties" />
       <Option name="type" type="QString" value="collection" />
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="1" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="33,102,172,230" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.3" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.9;0.75" />
      <Option name="customdash_unit" type="QString" value="MM" />
      <Option name="draw_inside_polygon" type="QString" value="0" />
      <Option name="ring_filter" type="QString" value="0" />
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value="" />
       <Option name="properties" />
       <Option name="type" type="QString" value="collection" />
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="2" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="178,24,43,242" />
      <Option name="line_style" type="QString" value="solid" />
      <Option name="line_width" type="QString" value="0.45" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="0" />
      <Option name="customdash" type="QString" value="5;2" />
      <Option name="customdash_unit" type="QString" value="MM" />
      <Option name="draw_inside_polygon" type="QString" value="0" />
      <Option name="ring_filter" type="QString" value="0" />
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value="" />
       <Option name="properties" />
       <Option name="type" type="QString" value="collection" />
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerGeometryType>1</layerGeometryType>
</qgis>
