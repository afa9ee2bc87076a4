import { Alert, Button, Card, Input, List, Space, Typography } from 'antd';
import { useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { useLocation, useSearchParams } from 'react-router-dom';
import { ApiError, api, errorText } from '../api.ts';
import { PhonePage } from '../components/PhonePage.tsx';
import { UnitCode } from '../components/UnitCode.tsx';
import { formatChinaMinute, formatDateTime, formatFen } from '../format.ts';
import { CameraScanner, cameraAvailable } from '../scan/Camera.tsx';

interface Redemption {
  code: string;
  amountFen: number;
  redeemedAt: string;
  replayed: boolean;
}

/**
 * Why a code was not redeemed. The page says the two a clerk meets most in its current language (switching language
 * switches them), from the problem's code and members: a code that won nothing, naming the unit as printed under its
 * QR (`epc`), and a code another store redeemed (`store`, `redeemedAt`, in China time as the server writes it). Other
 * refusals are the server's words.
 */
type Refusal = { noTicket: string } | { redeemed: { store: string; at: string } } | { text: string };

/** A refusal from the problem: by its code and members, else the field's words, else the problem's. */
function refusalOf(e: unknown): Refusal {
  const field = e instanceof ApiError ? e.problem.errors?.find((x) => x.pointer === '/body/code') : undefined;
  if (field?.code === 'channel.no_ticket' && typeof field.epc === 'string') return { noTicket: field.epc };
  if (field?.code === 'channel.ticket_redeemed' && field.store && field.redeemedAt)
    return { redeemed: { store: field.store, at: field.redeemedAt } };
  return { text: field?.detail ?? errorText(e) };
}

/**
 * The page's way back, to where its user came from: the scanning page for a clerk who opened it there (its link says
 * `?from=scan`), the console page the menu was opened on (AppLayout passes it as `from`), else the console's home.
 */
export function oneMoreBack(search: URLSearchParams, state: unknown): { to: string; kind: 'scan' | 'back' | 'console' } {
  if (search.get('from') === 'scan') return { to: '/scan', kind: 'scan' };
  const from = (state as { from?: unknown } | null)?.from;
  // a path of this console only (not another site, not this page again)
  if (typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') && !from.startsWith('/m/one-more'))
    return { to: from, kind: from === '/scan' ? 'scan' : 'back' };
  return { to: '/', kind: 'console' };
}

/**
 * 兑付再来一瓶 on a phone: a consumer shows the winning code of a "one more" prize (再来一瓶), the store's clerk scans it
 * (camera, a keyboard-wedge scanner, or typed) and hands over a unit; the store is reimbursed to its rebate balance
 * (POST /api/v1/one-more/redeem). A code redeemed before says by which store and when; the same store scanning it
 * again gets its first redemption back, paid once.
 */
export function OneMoreRedeemPage() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const back = oneMoreBack(search, useLocation().state);
  const backLabel = { scan: t('oneMore.toScan'), back: t('oneMore.back'), console: t('oneMore.toConsole') }[back.kind];
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [camera, setCamera] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [done, setDone] = useState<Redemption[]>([]);
  const input = useRef<{ focus: () => void } | null>(null);

  const redeem = async (raw: string) => {
    const text = raw.trim();
    if (!text || busy) return;
    setBusy(true);
    setRefusal(null);
    try {
      const r = await api<Redemption>('/one-more/redeem', { method: 'POST', body: { code: text } });
      setDone((list) => [r, ...list.filter((x) => x.code !== r.code)].slice(0, 20));
      setCode('');
    } catch (e) {
      setRefusal(refusalOf(e));
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  };

  const last = done[0];
  return (
    <PhonePage title={t('oneMore.title')} back={{ to: back.to, label: backLabel }}>
      <Card>
        <Typography.Paragraph type="secondary">{t('oneMore.hint')}</Typography.Paragraph>
        <Space.Compact style={{ width: '100%' }}>
          <Input
            ref={(el) => {
              input.current = el;
            }}
            autoFocus
            size="large"
            value={code}
            placeholder={t('oneMore.placeholder')}
            aria-label={t('oneMore.codeLabel')}
            onChange={(e) => setCode(e.target.value)}
            onPressEnter={() => void redeem(code)}
            data-testid="one-more-code"
          />
          <Button size="large" type="primary" loading={busy} onClick={() => void redeem(code)} data-testid="one-more-redeem">
            {t('oneMore.redeem')}
          </Button>
        </Space.Compact>
        {cameraAvailable() ? (
          <Button style={{ marginTop: 12 }} block onClick={() => setCamera(true)} data-testid="one-more-camera">
            {t('scan.camera.open')}
          </Button>
        ) : null}
      </Card>
      {camera ? (
        <CameraScanner
          onRead={(text) => {
            setCamera(false);
            void redeem(text);
            return 'added';
          }}
          onClose={() => setCamera(false)}
        />
      ) : null}
      {refusal ? (
        <Alert
          style={{ marginTop: 12 }}
          type="error"
          showIcon
          data-testid="one-more-refused"
          message={
            'noTicket' in refusal ? (
              <Trans i18nKey="oneMore.noTicket" components={{ unit: <UnitCode epc={refusal.noTicket} testId="one-more-refused-unit" /> }} />
            ) : 'redeemed' in refusal ? (
              t('oneMore.redeemedElsewhere', { store: refusal.redeemed.store, at: formatChinaMinute(refusal.redeemed.at) })
            ) : (
              refusal.text
            )
          }
        />
      ) : null}
      {last && !refusal ? (
        <Alert
          style={{ marginTop: 12 }}
          type="success"
          showIcon
          data-testid="one-more-done"
          message={
            last.replayed
              ? t('oneMore.again', { amount: formatFen(last.amountFen) })
              : t('oneMore.done', { amount: formatFen(last.amountFen) })
          }
        />
      ) : null}
      {done.length ? (
        <Card size="small" style={{ marginTop: 12 }} title={t('oneMore.today')}>
          <List
            size="small"
            dataSource={done}
            renderItem={(r) => (
              <List.Item data-testid="one-more-redeemed">
                {/* the unit as printed under its QR (GTIN and serial) on a line of its own; when and how much below it */}
                <div style={{ flex: '1 1 0', minWidth: 0, overflowWrap: 'anywhere' }}>
                  <UnitCode epc={r.code} testId="one-more-unit" />
                  <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                    <Typography.Text type="secondary">{formatDateTime(r.redeemedAt)}</Typography.Text>
                    <span>{formatFen(r.amountFen)}</span>
                  </div>
                </div>
              </List.Item>
            )}
          />
        </Card>
      ) : null}
    </PhonePage>
  );
}
