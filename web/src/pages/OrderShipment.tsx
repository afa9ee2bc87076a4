/**
 * The seller ships an order from its drawer by scanning the pallets and cases it loads (a keyboard-wedge scanner types
 * each code and Enter into the box; codes can be pasted too): POST /orders/{id}/shipments. The API was there, but a
 * distributor holding an approved order of its store had no way to it in the console. One scan id per opened dialog,
 * so a retry after a lost answer is the same shipment, not a second one. Refusals are shown next to the code they name.
 */
import { App, Button, Input, Modal, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorText } from '../api.ts';
import { formatNumber } from '../format.ts';
import { codeIndexOf } from '../scan/submit.ts';

interface Shipped {
  status: string;
  units: Record<string, number>;
  codes: number;
  replayed?: boolean;
}

const codesOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((c) => c.trim())
    .filter(Boolean);

export function ShipOrderButton({ orderId, onDone }: { orderId: number; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState('');
  const [scanId, setScanId] = useState(() => crypto.randomUUID());
  const [refusal, setRefusal] = useState<{ detail: string; errors: { code: string | null; detail: string }[] } | null>(null);
  const codes = useMemo(() => codesOf(text), [text]);

  const start = () => {
    setText('');
    setRefusal(null);
    setScanId(crypto.randomUUID());
    setOpen(true);
  };
  const submit = async () => {
    if (!codes.length) return;
    setBusy(true);
    setRefusal(null);
    try {
      const out = await api<Shipped>(`/orders/${orderId}/shipments`, { method: 'POST', body: { scanId, codes } });
      const units = Object.values(out.units).reduce((a, b) => a + b, 0);
      message.success(t('orders.ship.done', { units: formatNumber(units), codes: formatNumber(out.codes) }));
      setOpen(false);
      onDone();
    } catch (e) {
      if (e instanceof ApiError && e.status < 500) {
        // refused: nothing was shipped; a new attempt is a new scan
        setScanId(crypto.randomUUID());
        const detail = e.problem.detail ?? e.problem.title ?? errorText(e);
        setRefusal({
          detail,
          errors: (e.problem.errors ?? [])
            .map((x) => {
              const idx = codeIndexOf(x.pointer);
              return { code: idx === null ? null : (codes[idx] ?? null), detail: x.detail ?? x.code ?? '' };
            })
            // the problem's detail is its first entry's words: not said twice
            .filter((x) => x.code || x.detail !== detail),
        });
      } else message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button type="primary" onClick={start} data-testid="order-ship">
        {t('orders.ship.action')}
      </Button>
      <Modal
        open={open}
        title={t('orders.ship.title')}
        onCancel={() => setOpen(false)}
        onOk={submit}
        okText={t('orders.ship.submit', { count: codes.length })}
        okButtonProps={{ loading: busy, disabled: !codes.length, ...{ 'data-testid': 'order-ship-ok' } }}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('orders.ship.hint')}</Typography.Paragraph>
        <Input.TextArea
          autoFocus
          rows={8}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={t('orders.ship.placeholder')}
          data-testid="order-ship-codes"
          style={{ fontFamily: 'monospace' }}
        />
        <div style={{ marginTop: 6 }} data-testid="order-ship-count">
          {t('orders.ship.count', { count: codes.length })}
        </div>
        {refusal ? (
          <div data-testid="order-ship-refusal" style={{ marginTop: 8 }}>
            <Typography.Text type="danger">{refusal.detail}</Typography.Text>
            {refusal.errors.map((x) => (
              <div
                key={`${x.code}|${x.detail}`}
                data-testid="order-ship-error"
                style={{ fontSize: 13, marginTop: 4, wordBreak: 'break-all' }}
              >
                {x.code ? <div style={{ fontFamily: 'monospace' }}>{x.code}</div> : null}
                <Typography.Text type="danger">{x.detail}</Typography.Text>
              </div>
            ))}
          </div>
        ) : null}
      </Modal>
    </>
  );
}
