<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.34.0-Prizren" styleCategories="Symbology|Labeling">
 <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0" referencescale="-1">
  <rules key="{renderer-root}">
   <rule key="{rule-00}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'operating' AND &quot;route_accuracy&quot; = 'very high'" label="Pipeline operating, route accuracy very high (metres)" symbol="0" />
   <rule key="{rule-01}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'operating' AND &quot;route_accuracy&quot; = 'high'" label="Pipeline operating, route accuracy high" symbol="1" />
   <rule key="{rule-02}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'operating' AND coalesce(&quot;route_accuracy&quot;, '') NOT IN ('very high', 'high', 'low', 'very low')" label="Pipeline operating, route accuracy medium" symbol="2" />
   <rule key="{rule-03}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'operating' AND &quot;route_accuracy&quot; = 'low'" label="Pipeline operating, route accuracy low" symbol="3" />
   <rule key="{rule-04}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'operating' AND &quot;route_accuracy&quot; = 'very low'" label="Pipeline operating, route accuracy very low (schematic)" symbol="4" />
   <rule key="{rule-05}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'construction' AND &quot;route_accuracy&quot; = 'very high'" label="Pipeline construction, route accuracy very high (metres)" symbol="5" />
   <rule key="{rule-06}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'construction' AND &quot;route_accuracy&quot; = 'high'" label="Pipeline construction, route accuracy high" symbol="6" />
   <rule key="{rule-07}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'construction' AND coalesce(&quot;route_accuracy&quot;, '') NOT IN ('very high', 'high', 'low', 'very low')" label="Pipeline construction, route accuracy medium" symbol="7" />
   <rule key="{rule-08}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'construction' AND &quot;route_accuracy&quot; = 'low'" label="Pipeline construction, route accuracy low" symbol="8" />
   <rule key="{rule-09}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'construction' AND &quot;route_accuracy&quot; = 'very low'" label="Pipeline construction, route accuracy very low (schematic)" symbol="9" />
   <rule key="{rule-10}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'proposed' AND &quot;route_accuracy&quot; = 'very high'" label="Pipeline proposed, route accuracy very high (metres)" symbol="10" />
   <rule key="{rule-11}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'proposed' AND &quot;route_accuracy&quot; = 'high'" label="Pipeline proposed, route accuracy high" symbol="11" />
   <rule key="{rule-12}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'proposed' AND coalesce(&quot;route_accuracy&quot;, '') NOT IN ('very high', 'high', 'low', 'very low')" label="Pipeline proposed, route accuracy medium" symbol="12" />
   <rule key="{rule-13}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'proposed' AND &quot;route_accuracy&quot; = 'low'" label="Pipeline proposed, route accuracy low" symbol="13" />
   <rule key="{rule-14}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'proposed' AND &quot;route_accuracy&quot; = 'very low'" label="Pipeline proposed, route accuracy very low (schematic)" symbol="14" />
   <rule key="{rule-15}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('idle', 'mothballed') AND &quot;route_accuracy&quot; = 'very high'" label="Pipeline idle / mothballed, route accuracy very high (metres)" symbol="15" />
   <rule key="{rule-16}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('idle', 'mothballed') AND &quot;route_accuracy&quot; = 'high'" label="Pipeline idle / mothballed, route accuracy high" symbol="16" />
   <rule key="{rule-17}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('idle', 'mothballed') AND coalesce(&quot;route_accuracy&quot;, '') NOT IN ('very high', 'high', 'low', 'very low')" label="Pipeline idle / mothballed, route accuracy medium" symbol="17" />
   <rule key="{rule-18}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('idle', 'mothballed') AND &quot;route_accuracy&quot; = 'low'" label="Pipeline idle / mothballed, route accuracy low" symbol="18" />
   <rule key="{rule-19}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('idle', 'mothballed') AND &quot;route_accuracy&quot; = 'very low'" label="Pipeline idle / mothballed, route accuracy very low (schematic)" symbol="19" />
   <rule key="{rule-20}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'shelved' AND &quot;route_accuracy&quot; = 'very high'" label="Pipeline shelved, route accuracy very high (metres)" symbol="20" />
   <rule key="{rule-21}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'shelved' AND &quot;route_accuracy&quot; = 'high'" label="Pipeline shelved, route accuracy high" symbol="21" />
   <rule key="{rule-22}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'shelved' AND coalesce(&quot;route_accuracy&quot;, '') NOT IN ('very high', 'high', 'low', 'very low')" label="Pipeline shelved, route accuracy medium" symbol="22" />
   <rule key="{rule-23}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'shelved' AND &quot;route_accuracy&quot; = 'low'" label="Pipeline shelved, route accuracy low" symbol="23" />
   <rule key="{rule-24}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; = 'shelved' AND &quot;route_accuracy&quot; = 'very low'" label="Pipeline shelved, route accuracy very low (schematic)" symbol="24" />
   <rule key="{rule-25}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('cancelled', 'retired') AND &quot;route_accuracy&quot; = 'very high'" label="Pipeline cancelled / retired, route accuracy very high (metres)" symbol="25" />
   <rule key="{rule-26}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('cancelled', 'retired') AND &quot;route_accuracy&quot; = 'high'" label="Pipeline cancelled / retired, route accuracy high" symbol="26" />
   <rule key="{rule-27}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('cancelled', 'retired') AND coalesce(&quot;route_accuracy&quot;, '') NOT IN ('very high', 'high', 'low', 'very low')" label="Pipeline cancelled / retired, route accuracy medium" symbol="27" />
   <rule key="{rule-28}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('cancelled', 'retired') AND &quot;route_accuracy&quot; = 'low'" label="Pipeline cancelled / retired, route accuracy low" symbol="28" />
   <rule key="{rule-29}" filter="geometry_type($geometry) = 'Line' AND &quot;status&quot; IN ('cancelled', 'retired') AND &quot;route_accuracy&quot; = 'very low'" label="Pipeline cancelled / retired, route accuracy very low (schematic)" symbol="29" />
   <rule key="{rule-30}" filter="geometry_type($geometry) = 'Point'" label="Gas field (South Pars)" symbol="30" />
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
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="26,26,26,255" />
      <Option name="line_style" type="QString" value="solid" />
      <Option name="line_width" type="QString" value="0.9" />
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
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="26,26,26,242" />
      <Option name="line_style" type="QString" value="solid" />
      <Option name="line_width" type="QString" value="0.75" />
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
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="26,26,26,217" />
      <Option name="line_style" type="QString" value="solid" />
      <Option name="line_width" type="QString" value="0.675" />
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
   <symbol type="line" name="3" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="26,26,26,191" />
      <Option name="line_style" type="QString" value="solid" />
      <Option name="line_width" type="QString" value="0.525" />
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
   <symbol type="line" name="4" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="26,26,26,153" />
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
   <symbol type="line" name="5" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="215,48,31,255" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.9" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.8;0.75" />
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
   <symbol type="line" name="6" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="215,48,31,242" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.75" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.8;0.75" />
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
   <symbol type="line" name="7" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="215,48,31,217" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.675" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.8;0.75" />
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
   <symbol type="line" name="8" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="215,48,31,191" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.525" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.8;0.75" />
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
   <symbol type="line" name="9" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="215,48,31,153" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.45" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.8;0.75" />
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
   <symbol type="line" name="10" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="241,105,19,255" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.9" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.2;1.2" />
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
   <symbol type="line" name="11" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="241,105,19,242" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.75" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.2;1.2" />
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
   <symbol type="line" name="12" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="241,105,19,217" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.675" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.2;1.2" />
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
   <symbol type="line" name="13" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="241,105,19,191" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.525" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.2;1.2" />
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
   <symbol type="line" name="14" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="241,105,19,153" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.45" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="1.2;1.2" />
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
   <symbol type="line" name="15" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,255" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.9" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="16" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,242" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.75" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="17" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,217" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.675" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="18" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,191" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.525" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="19" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,153" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.45" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="20" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="201,161,0,255" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.9" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="21" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="201,161,0,242" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.75" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="22" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="201,161,0,217" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.675" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="23" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="201,161,0,191" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.525" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="24" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="201,161,0,153" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.45" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.45;0.9" />
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
   <symbol type="line" name="25" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,255" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.9" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.15;1.05" />
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
   <symbol type="line" name="26" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,242" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.75" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.15;1.05" />
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
   <symbol type="line" name="27" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,217" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.675" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.15;1.05" />
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
   <symbol type="line" name="28" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,191" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.525" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.15;1.05" />
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
   <symbol type="line" name="29" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleLine" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="capstyle" type="QString" value="flat" />
      <Option name="joinstyle" type="QString" value="round" />
      <Option name="line_color" type="QString" value="140,140,140,153" />
      <Option name="line_style" type="QString" value="dash" />
      <Option name="line_width" type="QString" value="0.45" />
      <Option name="line_width_unit" type="QString" value="MM" />
      <Option name="offset" type="QString" value="0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="use_custom_dash" type="QString" value="1" />
      <Option name="customdash" type="QString" value="0.15;1.05" />
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
   <symbol type="marker" name="30" alpha="1" clip_to_extent="1" force_rhr="0" frame_rate="10" is_animated="0">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value="" />
      <Option name="properties" />
      <Option name="type" type="QString" value="collection" />
     </Option>
    </data_defined_properties>
    <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
     <Option type="Map">
      <Option name="angle" type="QString" value="0" />
      <Option name="color" type="QString" value="253,184,99,217" />
      <Option name="horizontal_anchor_point" type="QString" value="1" />
      <Option name="joinstyle" type="QString" value="miter" />
      <Option name="name" type="QString" value="circle" />
      <Option name="offset" type="QString" value="0,0" />
      <Option name="offset_unit" type="QString" value="MM" />
      <Option name="outline_color" type="QString" value="140,81,10,255" />
      <Option name="outline_style" type="QString" value="solid" />
      <Option name="outline_width" type="QString" value="0.45" />
      <Option name="outline_width_unit" type="QString" value="MM" />
      <Option name="scale_method" type="QString" value="diameter" />
      <Option name="size" type="QString" value="3.3" />
      <Option name="size_unit" type="QString" value="MM" />
      <Option name="vertical_anchor_point" type="QString" value="1" />
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
</qgis>
