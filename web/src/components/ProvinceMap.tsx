import { Skeleton } from 'antd';
import { type ReactNode, useMemo } from 'react';
import { formatNumber } from '../format.ts';
import { CHINA_MAP, type ChinaMap, useChinaMap } from '../geo/chinaMap.ts';
import { Chart, type ChartClick, type ChartOption } from './Chart.tsx';

export interface ProvinceValue {
  /** a division code; its first two digits name the province */
  code: string;
  value: number;
}

/** A choropleth of China's provinces: each province shaded by its value; the data items carry `code` (for clicks). */
export function provinceChoropleth(
  map: ChinaMap,
  rows: readonly ProvinceValue[],
  o: { en: boolean; seriesName: string; colors: [string, string] },
): ChartOption {
  const byProvince = new Map<string, number>();
  for (const r of rows) {
    const code = r.code.slice(0, 2);
    if (map.regionOf(code)) byProvince.set(code, (byProvince.get(code) ?? 0) + r.value);
  }
  const max = Math.max(1, ...byProvince.values());
  // with nothing to shade, a 0-1 colour scale means nothing: the map is shown bare
  const anything = [...byProvince.values()].some((v) => v > 0);
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: { name?: string; value?: number }) =>
        `${escapeHtml(p.name ?? '')}: ${formatNumber(Number.isFinite(p.value) ? Number(p.value) : 0)}`,
    },
    visualMap: {
      show: anything,
      type: 'continuous',
      min: 0,
      max,
      left: 8,
      bottom: 8,
      itemHeight: 100,
      text: [formatNumber(max), '0'],
      calculable: false,
      inRange: { color: o.colors },
    },
    series: [
      {
        type: 'map',
        map: CHINA_MAP,
        name: o.seriesName,
        nameMap: map.nameMap(o.en),
        roam: false,
        layoutCenter: ['50%', '50%'],
        layoutSize: '118%',
        selectedMode: false,
        label: { show: false },
        itemStyle: { areaColor: '#f5f5f5', borderColor: '#bfbfbf', borderWidth: 0.6 },
        emphasis: { label: { show: true, color: '#111827' }, itemStyle: { areaColor: '#fde68a' } },
        data: [...byProvince].map(([code, value]) => ({ name: map.label(code, o.en), value, code })),
      },
    ],
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The choropleth on the China map once it has loaded; `fallback` (bars) if it cannot be. */
export function ProvinceMap({
  rows,
  en,
  seriesName,
  colors,
  height = 420,
  testId,
  onClick,
  fallback,
}: {
  rows: readonly ProvinceValue[];
  en: boolean;
  seriesName: string;
  colors: [string, string];
  height?: number;
  testId?: string;
  onClick?: (p: ChartClick) => void;
  fallback: ReactNode;
}) {
  const { map, failed } = useChinaMap();
  const [low, high] = colors;
  const option = useMemo(
    () => (map ? provinceChoropleth(map, rows, { en, seriesName, colors: [low, high] }) : null),
    [map, rows, en, seriesName, low, high],
  );
  if (failed) return <>{fallback}</>;
  if (!option) return <Skeleton active paragraph={{ rows: 6 }} />;
  return (
    <div data-testid={testId ? `${testId}-map` : undefined}>
      <Chart option={option} height={height} testId={testId} onClick={onClick} />
    </div>
  );
}
