import { BarChart, EffectScatterChart, LineChart, LinesChart, PieChart, SankeyChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([
  BarChart,
  PieChart,
  ScatterChart,
  EffectScatterChart,
  LineChart,
  LinesChart,
  SankeyChart,
  GridComponent,
  MarkAreaComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

/** What ECharts passes to a click handler (the fields the console uses). */
export interface ChartClick {
  componentType?: string;
  seriesType?: string;
  name?: string;
  dataIndex?: number;
  data?: unknown;
}

/** A minimal ECharts host: init once, setOption on change, follow the container's size. */
export function Chart({
  option,
  height = 320,
  testId,
  onClick,
}: {
  option: ChartOption;
  height?: number;
  testId?: string;
  /** Called with the clicked data item (a bar, a slice, a point). */
  onClick?: (p: ChartClick) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current);
    chart.current = c;
    c.on('click', (p) => clickRef.current?.(p as ChartClick));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);

  return <div ref={el} style={{ width: '100%', height }} data-testid={testId} />;
}
