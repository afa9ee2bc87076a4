import { Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiLanguage } from '../api.ts';
import type { Division } from '../types.ts';

const cache = new Map<string, Promise<Division[]>>();

/** Children of a division (provinces for ''), cached for the page's lifetime per language (the names are the reader's). */
export function loadDivisions(parentCode: string): Promise<Division[]> {
  const key = `${apiLanguage()}|${parentCode}`;
  let p = cache.get(key);
  if (!p) {
    p = api<{ items: Division[] }>('/divisions', { query: { parentCode: parentCode || undefined } }).then((r) => r.items);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

function useDivisions(parentCode: string | null): { items: Division[]; loading: boolean } {
  // the names are in the reader's language: a switch of language loads them again (a page that stays open, such as
  // the inspector's, would otherwise offer Chinese names to an English reader who then cannot search them)
  const { i18n } = useTranslation();
  const key = parentCode === null ? null : `${i18n.language}|${parentCode}`;
  const [state, setState] = useState<{ key: string | null; items: Division[] }>({ key: null, items: [] });
  useEffect(() => {
    if (key === null || parentCode === null) return;
    let live = true;
    loadDivisions(parentCode)
      .then((items) => {
        if (live) setState({ key, items });
      })
      .catch(() => {
        if (live) setState({ key, items: [] });
      });
    return () => {
      live = false;
    };
  }, [key, parentCode]);
  if (key === null) return { items: [], loading: false };
  return { items: state.key === key ? state.items : [], loading: state.key !== key };
}

export interface DivisionValue {
  provinceCode: string;
  cityCode: string;
  districtCode: string;
}

/** Province → city → district cascade; each level loads on demand from /api/v1/divisions. */
export function DivisionFilter({ value, onChange }: { value: DivisionValue; onChange: (v: DivisionValue) => void }) {
  const { t } = useTranslation();
  const provinces = useDivisions('');
  const cities = useDivisions(value.provinceCode || null);
  const districts = useDivisions(value.cityCode || null);
  const opts = (items: Division[]) => items.map((d) => ({ value: d.code, label: d.name }));
  const common = { allowClear: true, showSearch: { optionFilterProp: 'label' }, style: { width: 150 } } as const;
  return (
    <>
      <Select
        {...common}
        data-testid="filter-province"
        placeholder={t('parties.province')}
        aria-label={t('parties.province')}
        loading={provinces.loading}
        value={value.provinceCode || undefined}
        options={opts(provinces.items)}
        onChange={(v?: string) => onChange({ provinceCode: v ?? '', cityCode: '', districtCode: '' })}
      />
      <Select
        {...common}
        data-testid="filter-city"
        placeholder={t('parties.city')}
        aria-label={t('parties.city')}
        disabled={!value.provinceCode}
        loading={cities.loading}
        value={value.cityCode || undefined}
        options={opts(cities.items)}
        onChange={(v?: string) => onChange({ ...value, cityCode: v ?? '', districtCode: '' })}
      />
      <Select
        {...common}
        data-testid="filter-district"
        placeholder={t('parties.district')}
        aria-label={t('parties.district')}
        disabled={!value.cityCode}
        loading={districts.loading}
        value={value.districtCode || undefined}
        options={opts(districts.items)}
        onChange={(v?: string) => onChange({ ...value, districtCode: v ?? '' })}
      />
    </>
  );
}
