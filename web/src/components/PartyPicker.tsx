import { Select } from 'antd';
import { type CSSProperties, useEffect, useMemo, useState } from 'react';
import { api, type Page } from '../api.ts';
import type { PartyDetail, PartyKind, PartyRow } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useSearchInput } from '../useSearchInput.ts';

const labelCache = new Map<number, Promise<string>>();

/** "Name (CODE)" of a party by id, cached for the page's lifetime. */
function partyLabel(id: number): Promise<string> {
  let p = labelCache.get(id);
  if (!p) {
    p = api<PartyDetail>(`/parties/${id}`).then(
      (d) => `${d.name} (${d.code})`,
      () => `#${id}`,
    );
    labelCache.set(id, p);
  }
  return p;
}

function useLabels(ids: number[]): Record<number, string> {
  const [labels, setLabels] = useState<Record<number, string>>({});
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    const list = key ? key.split(',').map(Number) : [];
    void Promise.all(list.map(async (id) => [id, await partyLabel(id)] as const)).then((pairs) => {
      if (live) setLabels(Object.fromEntries(pairs));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return labels;
}

interface CommonProps {
  kind: PartyKind;
  placeholder?: string;
  style?: CSSProperties;
  disabled?: boolean;
  testId?: string;
}

/** A party chosen by name or code (searched on the server), valued by id. */
export function PartyPicker(
  props: CommonProps &
    (
      | { multiple?: false; value?: number | null; onChange?: (v: number | null) => void }
      | { multiple: true; value?: number[]; onChange?: (v: number[]) => void }
    ),
) {
  const { kind, placeholder, style, disabled, testId } = props;
  const { search, setInput } = useSearchInput();
  const { data, loading } = useApi<Page<PartyRow>>('/parties', { kind, q: search || undefined, pageSize: 20, sort: 'code' });
  const selectedKey = (props.multiple ? (props.value ?? []) : props.value ? [props.value] : []).join(',');
  const selected = useMemo(() => (selectedKey ? selectedKey.split(',').map(Number) : []), [selectedKey]);
  const labels = useLabels(selected);
  const options = useMemo(() => {
    const seen = new Set<number>();
    const out: { value: number; label: string }[] = [];
    for (const p of data?.items ?? []) {
      seen.add(Number(p.id));
      out.push({ value: Number(p.id), label: `${p.name} (${p.code})` });
    }
    // chosen parties not among the search results keep their names
    for (const id of selected) if (!seen.has(id)) out.push({ value: id, label: labels[id] ?? `#${id}` });
    return out;
  }, [data, labels, selected]);

  const common = {
    showSearch: { filterOption: false, onSearch: setInput },
    allowClear: true,
    loading,
    placeholder,
    style,
    disabled,
    options,
    'data-testid': testId,
    onOpenChange: (open: boolean) => {
      if (!open) setInput('');
    },
  } as const;
  if (props.multiple) {
    const { onChange } = props;
    return <Select<number[]> {...common} mode="multiple" value={props.value ?? []} onChange={(v) => onChange?.(v ?? [])} />;
  }
  const { onChange } = props;
  return <Select<number> {...common} value={props.value ?? undefined} onChange={(v?: number) => onChange?.(v ?? null)} />;
}
