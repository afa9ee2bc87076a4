/**
 * The map of China's provinces (china.json, see SOURCE.md), loaded on first use with a dynamic import so neither the
 * boundaries nor ECharts' map code weigh on the main bundle, and registered with ECharts as `china`.
 * Provinces are matched to the API's division codes by the GB/T 2260 code each feature carries (`440000` -> `44`).
 */
import { useEffect, useState } from 'react';
import { provinceOf } from './provinces.ts';

export const CHINA_MAP = 'china';

export interface ChinaMap {
  /** The map's name for a province's two-digit code (the feature's own, short Chinese name), if the map has it. */
  regionOf(code: string | null | undefined): string | undefined;
  /** The province's label in the console's language; `nameMap` for ECharts maps the map's names to these. */
  label(code: string, en: boolean): string;
  nameMap(en: boolean): Record<string, string>;
}

interface Feature {
  id?: string;
  properties?: { id?: string; name?: string };
}

let loading: Promise<ChinaMap> | null = null;

export function loadChinaMap(): Promise<ChinaMap> {
  loading ??= Promise.all([import('./china.json'), import('./map-charts.ts')])
    .then(([json, charts]): ChinaMap => {
      const geo = (json as { default?: unknown }).default ?? json;
      const features = (geo as { features?: Feature[] }).features ?? [];
      const byCode = new Map<string, string>();
      for (const f of features) {
        const adcode = String(f.properties?.id ?? f.id ?? '');
        const name = f.properties?.name;
        if (/^\d{6}$/.test(adcode) && name) byCode.set(adcode.slice(0, 2), name);
      }
      if (byCode.size < 30) throw new Error(`the China map has ${byCode.size} provinces`);
      charts.registerMap(CHINA_MAP, geo as object);
      const label = (code: string, en: boolean) => {
        const p = provinceOf(code);
        return (en ? p?.nameEn : (byCode.get(code) ?? p?.nameZh)) ?? code;
      };
      return {
        regionOf: (code) => (code ? byCode.get(code.slice(0, 2)) : undefined),
        label,
        nameMap: (en) => ({
          ...Object.fromEntries([...byCode].map(([code, name]) => [name, label(code, en)])),
          // the inset ECharts adds to a map named `china`
          ...(en ? { 南海诸岛: 'South China Sea Islands' } : {}),
        }),
      };
    })
    .catch((e: unknown) => {
      loading = null; // let a later page try again
      throw e;
    });
  return loading;
}

/** The map once loaded; `failed` when it could not be (the pages then fall back to bars). */
export function useChinaMap(): { map: ChinaMap | null; failed: boolean } {
  const [state, setState] = useState<{ map: ChinaMap | null; failed: boolean }>({ map: null, failed: false });
  useEffect(() => {
    let live = true;
    loadChinaMap().then(
      (map) => live && setState({ map, failed: false }),
      () => live && setState({ map: null, failed: true }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}
