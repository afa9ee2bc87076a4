import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiError, api } from './api.ts';

type Query = Record<string, string | number | undefined | null>;

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * GET `path` with `query`; refetches when either changes, cancelling the request in flight. While a new query of the
 * same path loads, the previous answer stays (a table keeps its rows while the next page comes); a different path is
 * a different thing, so its predecessor's answer is dropped at once, and a failed request leaves no answer: a page
 * must never show one party's figures beside an error about another (and offer to act on them).
 */
export function useApi<T>(path: string | null, query?: Query): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | Error>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const key = path === null ? null : `${path}|${JSON.stringify(query ?? {})}|${tick}`;
  const queryRef = useRef(query);
  queryRef.current = query;
  const answeredPath = useRef<string | null>(null);

  useEffect(() => {
    if (key === null || path === null) {
      setLoading(false);
      return;
    }
    const ctrl = new AbortController();
    setLoading(true);
    setError(undefined);
    if (answeredPath.current !== path) {
      answeredPath.current = path;
      setData(undefined);
    }
    api<T>(path, { query: queryRef.current, signal: ctrl.signal })
      .then((d) => {
        if (!ctrl.signal.aborted) {
          setData(d);
          setLoading(false);
        }
      })
      .catch((e: unknown) => {
        if (ctrl.signal.aborted) return;
        setData(undefined);
        setError(e instanceof Error ? e : new Error(String(e)));
        setLoading(false);
      });
    return () => ctrl.abort();
  }, [key, path]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}
