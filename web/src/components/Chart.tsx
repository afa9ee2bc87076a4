import { Empty } from 'antd';
import { BarChart, EffectScatterChart, LineChart, LinesChart, PieChart, SankeyChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

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

/**
 * Whether a chart has nothing to draw: it has series and every one has no data (no days, no slices, no flows). ECharts
 * draws such a chart as a legend over a bare line, which reads as broken; the host says "no data" instead.
 */
export function hasNoData(option: ChartOption): boolean {
  const series = (option as { series?: unknown }).series;
  const list = Array.isArray(series) ? series : series ? [series] : [];
  return (
    list.length > 0 &&
    list.every((s: { data?: unknown; links?: unknown }) => {
      const data = s.data ?? s.links;
      return Array.isArray(data) && data.length === 0;
    })
  );
}

/** A minimal ECharts host: init once, setOption on change, follow the container's size; "no data" over an empty chart. */
export function Chart({
  option,
  height = 320,
  testId,
  onClick,
  empty,
  emptyText,
}: {
  option: ChartOption;
  height?: number;
  testId?: string;
  /** nothing to show, when the caller knows better than hasNoData (a series of zero days filled in) */
  empty?: boolean;
  /** what the empty chart says (default: no data) */
  emptyText?: string;
  /** Called with the clicked data item (a bar, a slice, a point). */
  onClick?: (p: ChartClick) => void;
}) {
  const { t } = useTranslation();
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

  // the chart stays mounted under the notice, so it draws as soon as data comes
  return (
    <div style={{ position: 'relative', width: '100%', height }}>
      <div ref={el} style={{ width: '100%', height }} data-testid={testId} />
      {(empty ?? hasNoData(option)) ? (
        <div
          style={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#fff' }}
          data-testid={testId ? `${testId}-empty` : undefined}
        >
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText ?? t('common.noData')} style={{ maxWidth: 480 }} />
        </div>
      ) : null}
    </div>
  );
}
