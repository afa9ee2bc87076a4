/** The ECharts parts only maps need, kept out of the main chart bundle: loaded with the map (chinaMap.ts). */
import { MapChart } from 'echarts/charts';
import { GeoComponent, VisualMapContinuousComponent } from 'echarts/components';
import * as echarts from 'echarts/core';

echarts.use([MapChart, GeoComponent, VisualMapContinuousComponent]);

export function registerMap(name: string, geoJson: object): void {
  echarts.registerMap(name, geoJson as Parameters<typeof echarts.registerMap>[1]);
}
