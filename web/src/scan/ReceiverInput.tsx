/**
 * The receiver of a ship scan: a party code, typed or picked from the parties this place ships to
 * (GET /api/v1/scans/receivers: a factory's warehouses, a warehouse's distributors, a distributor's stores). The
 * list opens on focus, so a line or warehouse operator need not know a code by heart; typing narrows it by code,
 * name or GLN. Any code can still be typed (offline there are no suggestions, and the server has the last word).
 */
import { AutoComplete, Input, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';

interface Receiver {
  code: string;
  name: string;
  kind: string;
  cityName: string | null;
}

export function ReceiverInput({
  id,
  value,
  onChange,
  onDone,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [receivers, setReceivers] = useState<Receiver[]>([]);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open || !navigator.onLine) return;
    const controller = new AbortController();
    const timer = setTimeout(
      () => {
        api<{ items: Receiver[] }>('/scans/receivers', { query: { q: value.trim(), limit: 20 }, signal: controller.signal })
          .then((r) => setReceivers(r.items))
          .catch(() => {
            if (!controller.signal.aborted) setReceivers([]);
          });
      },
      value.trim() ? 300 : 0,
    );
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // fetched each time the list opens, so a language switched meanwhile shows on the next open
  }, [open, value]);

  const options = receivers.map((r) => ({
    value: r.code,
    label: (
      <div data-testid="scan-to-option" data-code={r.code} style={{ lineHeight: 1.35, padding: '2px 0' }}>
        <div>
          <strong>{r.code}</strong> <Tag style={{ marginInlineStart: 4 }}>{t(`kinds.${r.kind}`, { defaultValue: r.kind })}</Tag>
        </div>
        <div style={{ fontSize: 13, color: '#595959', whiteSpace: 'normal', overflowWrap: 'anywhere' }}>
          {r.cityName ? `${r.name} · ${r.cityName}` : r.name}
        </div>
      </div>
    ),
  }));

  return (
    <AutoComplete
      value={value}
      options={options}
      open={open && options.length > 0}
      onOpenChange={setOpen}
      onFocus={() => setOpen(true)}
      onBlur={() => setOpen(false)}
      filterOption={false}
      onChange={(v: string) => onChange(v)}
      onSelect={() => {
        setOpen(false);
        onDone();
      }}
      style={{ width: '100%' }}
    >
      <Input
        id={id}
        size="large"
        placeholder={t('scan.fields.toPlaceholder')}
        data-testid="scan-to"
        autoComplete="off"
        onPressEnter={() => onDone()}
      />
    </AutoComplete>
  );
}
