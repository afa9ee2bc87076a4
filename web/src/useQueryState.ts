import type { SorterResult } from 'antd/es/table/interface.js';
import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

type Patch = Record<string, string | number | undefined | null>;

/** List state (page, sort, filters) kept in the URL so that Back from a detail page restores it. */
export function useQueryState(defaults: Record<string, string>) {
  const [params, setParams] = useSearchParams();
  const get = useCallback((key: string): string => params.get(key) ?? defaults[key] ?? '', [params, defaults]);
  const set = useCallback(
    (patch: Patch, resetPage = true) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch)) {
            if (v === undefined || v === null || v === '' || String(v) === defaults[k]) next.delete(k);
            else next.set(k, String(v));
          }
          if (resetPage && !('page' in patch)) next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setParams, defaults],
  );
  return { get, set };
}

export function sortOrderOf(sort: string, key: string): 'ascend' | 'descend' | null {
  if (sort === key) return 'ascend';
  if (sort === `-${key}`) return 'descend';
  return null;
}

export function sortFromSorter<T>(sorter: SorterResult<T> | SorterResult<T>[]): string | undefined {
  const s = Array.isArray(sorter) ? sorter[0] : sorter;
  if (!s?.order || s.columnKey === undefined) return undefined;
  return s.order === 'descend' ? `-${String(s.columnKey)}` : String(s.columnKey);
}
