<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.34.0-Prizren" styleCategories="Symbology|Labeling">
 <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">
  <rules key="{renderer-root}">
   <rule key="{rule-00}" filter="&quot;kind&quot; = 'segment' AND (&quot;status&quot; = 'operating') AND (&quot;route_accuracy&quot; IN ('very high', 'high'))" label="Pipeline operating, route accuracy high" symbol="0"/>
   <rule key="{rule-01}" filter="&quot;kind&quot; = 'segment' AND (&quot;status&quot; = 'operating') AND (&quot;route_accuracy&quot; = 'medium')" label="Pipeline operating, route accuracy medium" symbol="1"/>
   <rule key="{rule-02}" filter="&quot;kind&quot; = 'segment' AND (&quot;status&quot; = 'operating') AND (&quot;route_accuracy&quot; IN ('low', 'very low') OR &quot;route_accuracy&quot; IS NULL)" label="Pipeline operating, route accuracy low / very low (schematic)" symbol="2"/>
   <rule key="{rule-03}" filter="&quot;kind&quot; = 'segment' AND (&quot;status&quot; IN ('proposed', 'construction')) AND (&quot;route_accuracy&quot; IN ('very high', 'high'))" label="Pipeline proposed / construction, route accuracy high" symbol="3"/>
   <rule key="{rule-04}" filter="&quot;kind&quot; = 'segment' AND (&quot;status&quot; IN ('proposed', 'construction')) AND (&quot;route_accuracy&quot; = 'medium')" label="Pipeline proposed / construction, route accuracy medium" symbol="4"/>
   <rule key="{rule-05}" filter="&quot;kind&quot; = 'segment' AND (&quot;status&quot; IN ('proposed', 'construction')) AND (&quot;route_accuracy&quot; IN ('low', 'very low') OR &quot;route_accuracy&quot; IS NULL)" label="Pipeline proposed / construction, route accuracy low / very low (schematic)" symbol="5"/>
   <rule key="{rule-06}" filter="&quot;kind&quot; = 'segment' AND (&quot;status&quot; NOT IN ('operating', 'proposed', 'construction')) AND (&quot;route_accuracy&quot; IN ('very high', 'high'))" label="Pipeline idle, shelved, cancelled..., route accuracy high" symbol="6"/>
   <rule key="{rule-07}" filter="&quot;kind&quot; = 'segment' AND (&quot;status&quot; NOT IN ('operating', 'proposed', 'construction')) AND (&quot;route_accuracy&quot; = 'medium')" label="Pipeline idle, shelved, cancelled..., route accuracy medium" symbol="7"/>
   <rule key="{rule-08}" filter="&quot;kind&quot; = 'segment' AND (&quot;status&quot; NOT IN ('operating', 'proposed', 'construction')) AND (&quot;route_accuracy&quot; IN ('low', 'very low') OR &quot;route_accuracy&quot; IS NULL)" label="Pipeline idle, shelved, cancelled..., route accuracy low / very low (schematic)" symbol="8"/>
   <rule key="{rule-09}" filter="&quot;kind&quot; = 'field'" label="Gas field (South Pars)" symbol="9"/>
  </rules>
  <symbols>
   <symbol type="line" name="0" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round"/>
      <Option name="joinstyle" type="QString" value="round"/>
      <Option name="line_color" type="QString" value="106,61,154,255"/>
      <Option name="line_style" type="QString" value="solid"/>
      <Option name="line_width" type="QString" value="1.4"/>
      <Option name="line_width_unit" type="QString" value="MM"/>
      <Option name="offset" type="QString" value="0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="use_custom_dash" type="QString" value="0"/>
      <Option name="customdash" type="QString" value="5;2"/>
      <Option name="customdash_unit" type="QString" value="MM"/>
      <Option name="draw_inside_polygon" type="QString" value="0"/>
      <Option name="ring_filter" type="QString" value="0"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="1" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round"/>
      <Option name="joinstyle" type="QString" value="round"/>
      <Option name="line_color" type="QString" value="106,61,154,230"/>
      <Option name="line_style" type="QString" value="solid"/>
      <Option name="line_width" type="QString" value="1.1"/>
      <Option name="line_width_unit" type="QString" value="MM"/>
      <Option name="offset" type="QString" value="0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="use_custom_dash" type="QString" value="0"/>
      <Option name="customdash" type="QString" value="5;2"/>
      <Option name="customdash_unit" type="QString" value="MM"/>
      <Option name="draw_inside_polygon" type="QString" value="0"/>
      <Option name="ring_filter" type="QString" value="0"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="2" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round"/>
      <Option name="joinstyle" type="QString" value="round"/>
      <Option name="line_color" type="QString" value="106,61,154,150"/>
      <Option name="line_style" type="QString" value="solid"/>
      <Option name="line_width" type="QString" value="0.9"/>
      <Option name="line_width_unit" type="QString" value="MM"/>
      <Option name="offset" type="QString" value="0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="use_custom_dash" type="QString" value="0"/>
      <Option name="customdash" type="QString" value="5;2"/>
      <Option name="customdash_unit" type="QString" value="MM"/>
      <Option name="draw_inside_polygon" type="QString" value="0"/>
      <Option name="ring_filter" type="QString" value="0"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="3" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round"/>
      <Option name="joinstyle" type="QString" value="round"/>
      <Option name="line_color" type="QString" value="106,61,154,255"/>
      <Option name="line_style" type="QString" value="dash"/>
      <Option name="line_width" type="QString" value="1.4"/>
      <Option name="line_width_unit" type="QString" value="MM"/>
      <Option name="offset" type="QString" value="0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="use_custom_dash" type="QString" value="1"/>
      <Option name="customdash" type="QString" value="4;2"/>
      <Option name="customdash_unit" type="QString" value="MM"/>
      <Option name="draw_inside_polygon" type="QString" value="0"/>
      <Option name="ring_filter" type="QString" value="0"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="4" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round"/>
      <Option name="joinstyle" type="QString" value="round"/>
      <Option name="line_color" type="QString" value="106,61,154,230"/>
      <Option name="line_style" type="QString" value="dash"/>
      <Option name="line_width" type="QString" value="1.1"/>
      <Option name="line_width_unit" type="QString" value="MM"/>
      <Option name="offset" type="QString" value="0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="use_custom_dash" type="QString" value="1"/>
      <Option name="customdash" type="QString" value="4;2"/>
      <Option name="customdash_unit" type="QString" value="MM"/>
      <Option name="draw_inside_polygon" type="QString" value="0"/>
      <Option name="ring_filter" type="QString" value="0"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="5" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round"/>
      <Option name="joinstyle" type="QString" value="round"/>
      <Option name="line_color" type="QString" value="106,61,154,150"/>
      <Option name="line_style" type="QString" value="dash"/>
      <Option name="line_width" type="QString" value="0.9"/>
      <Option name="line_width_unit" type="QString" value="MM"/>
      <Option name="offset" type="QString" value="0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="use_custom_dash" type="QString" value="1"/>
      <Option name="customdash" type="QString" value="4;2"/>
      <Option name="customdash_unit" type="QString" value="MM"/>
      <Option name="draw_inside_polygon" type="QString" value="0"/>
      <Option name="ring_filter" type="QString" value="0"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="6" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round"/>
      <Option name="joinstyle" type="QString" value="round"/>
      <Option name="line_color" type="QString" value="106,61,154,255"/>
      <Option name="line_style" type="QString" value="dash"/>
      <Option name="line_width" type="QString" value="1.4"/>
      <Option name="line_width_unit" type="QString" value="MM"/>
      <Option name="offset" type="QString" value="0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="use_custom_dash" type="QString" value="1"/>
      <Option name="customdash" type="QString" value="1;2"/>
      <Option name="customdash_unit" type="QString" value="MM"/>
      <Option name="draw_inside_polygon" type="QString" value="0"/>
      <Option name="ring_filter" type="QString" value="0"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="7" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round"/>
      <Option name="joinstyle" type="QString" value="round"/>
      <Option name="line_color" type="QString" value="106,61,154,230"/>
      <Option name="line_style" type="QString" value="dash"/>
      <Option name="line_width" type="QString" value="1.1"/>
      <Option name="line_width_unit" type="QString" value="MM"/>
      <Option name="offset" type="QString" value="0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="use_custom_dash" type="QString" value="1"/>
      <Option name="customdash" type="QString" value="1;2"/>
      <Option name="customdash_unit" type="QString" value="MM"/>
      <Option name="draw_inside_polygon" type="QString" value="0"/>
      <Option name="ring_filter" type="QString" value="0"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="line" name="8" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="round"/>
      <Option name="joinstyle" type="QString" value="round"/>
      <Option name="line_color" type="QString" value="106,61,154,150"/>
      <Option name="line_style" type="QString" value="dash"/>
      <Option name="line_width" type="QString" value="0.9"/>
      <Option name="line_width_unit" type="QString" value="MM"/>
      <Option name="offset" type="QString" value="0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="use_custom_dash" type="QString" value="1"/>
      <Option name="customdash" type="QString" value="1;2"/>
      <Option name="customdash_unit" type="QString" value="MM"/>
      <Option name="draw_inside_polygon" type="QString" value="0"/>
      <Option name="ring_filter" type="QString" value="0"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol type="marker" name="9" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="angle" type="QString" value="0"/>
      <Option name="color" type="QString" value="106,61,154,255"/>
      <Option name="horizontal_anchor_point" type="QString" value="1"/>
      <Option name="joinstyle" type="QString" value="miter"/>
      <Option name="name" type="QString" value="star"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="255,255,255,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0.4"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="scale_method" type="QString" value="diameter"/>
      <Option name="size" type="QString" value="5"/>
      <Option name="size_unit" type="QString" value="MM"/>
      <Option name="vertical_anchor_point" type="QString" value="1"/>
     </Option>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
  </symbols>
 </renderer-v2>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
</qgis>
