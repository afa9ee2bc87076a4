/** The offline queue as the user sees it: what waits to be sent, what the server refused (read, then discard). */
import { Button, Drawer, Empty, Popconfirm, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { codeIndexOf } from './submit.ts';
import type { QueueItem } from './types.ts';

function when(iso: string, lang: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { hour12: false });
}

function ItemCard({
  item,
  owner,
  sending,
  onDiscard,
}: {
  item: QueueItem;
  owner: string;
  sending: boolean;
  onDiscard: (scanId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const failed = item.status === 'failed';
  const problem = item.problem;
  return (
    <div
      data-testid="queue-item"
      data-status={item.status}
      style={{
        background: '#fff',
        border: `1px solid ${failed ? '#ffccc7' : '#e5e7eb'}`,
        borderLeft: `4px solid ${failed ? '#cf1322' : '#0f766e'}`,
        borderRadius: 8,
        padding: 12,
        marginBottom: 8,
      }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
        <Typography.Text strong>{t(`scan.kinds.${item.body.kind}`)}</Typography.Text>
        <span>{t('scan.queue.codes', { count: item.body.codes.length })}</span>
        {failed ? (
          <Tag color="error">{t('scan.queue.failed')}</Tag>
        ) : sending ? (
          <Tag color="processing">{t('scan.queue.sending')}</Tag>
        ) : (
          <Tag color="default">{t('scan.queue.pending')}</Tag>
        )}
        {item.owner !== owner ? <Tag color="purple">{t('scan.queue.otherUser', { owner: item.owner })}</Tag> : null}
      </div>
      <div style={{ color: '#6b7280', fontSize: 13, marginTop: 4 }}>
        {when(item.body.at, i18n.language)}
        {item.body.lot ? ` · ${t('scan.fields.lot')} ${item.body.lot}` : ''}
        {item.body.to ? ` · ${t('scan.fields.to')} ${item.body.to}` : ''}
        {item.body.order ? ` · ${item.body.order}` : ''}
        {item.attempts ? ` · ${t('scan.queue.attempts', { count: item.attempts })}` : ''}
      </div>
      {!failed && item.lastError ? (
        <div style={{ color: '#6b7280', fontSize: 13 }}>{t('scan.queue.lastError', { error: item.lastError })}</div>
      ) : null}
      {failed && problem ? (
        <div data-testid="queue-item-problem" style={{ marginTop: 6 }}>
          <Typography.Text type="danger">{problem.detail ?? problem.title ?? `HTTP ${item.httpStatus ?? ''}`}</Typography.Text>
          {(problem.errors ?? []).map((e) => {
            const idx = codeIndexOf(e.pointer);
            const code = idx === null ? null : item.body.codes[idx];
            return (
              <div
                key={`${e.pointer}|${e.code}|${e.detail}`}
                data-testid="queue-item-error"
                style={{ fontSize: 13, marginTop: 4, wordBreak: 'break-all' }}
              >
                {code ? <div style={{ fontFamily: 'monospace', color: '#374151' }}>{code}</div> : null}
                <Typography.Text type="danger">{e.detail ?? e.code}</Typography.Text>
              </div>
            );
          })}
        </div>
      ) : null}
      <div style={{ display: 'flex', justifyContent: 'flex-end', marginTop: 8 }}>
        <Popconfirm title={t('scan.queue.discardConfirm')} onConfirm={() => onDiscard(item.scanId)} okText={t('scan.queue.discard')}>
          <Button danger size="large" data-testid="queue-discard" disabled={sending}>
            {t('scan.queue.discard')}
          </Button>
        </Popconfirm>
      </div>
    </div>
  );
}

export function QueueDrawer({
  open,
  onClose,
  items,
  owner,
  sending,
  online,
  onSendNow,
  onDiscard,
}: {
  open: boolean;
  onClose: () => void;
  items: QueueItem[];
  owner: string;
  sending: string | null;
  online: boolean;
  onSendNow: () => void;
  onDiscard: (scanId: string) => void;
}) {
  const { t } = useTranslation();
  const pending = items.filter((i) => i.status === 'pending' && i.owner === owner).length;
  return (
    <Drawer
      open={open}
      onClose={onClose}
      placement="bottom"
      size="85vh"
      title={t('scan.queue.title')}
      data-testid="queue-drawer"
      styles={{ body: { padding: 12, background: '#f5f7f7' } }}
      extra={
        <Button type="primary" size="large" onClick={onSendNow} disabled={!online || !pending || !!sending} data-testid="queue-send-now">
          {t('scan.queue.sendNow')}
        </Button>
      }
    >
      {items.length === 0 ? (
        <Empty description={t('scan.queue.empty')} />
      ) : (
        items.map((item) => (
          <ItemCard key={item.scanId} item={item} owner={owner} sending={sending === item.scanId} onDiscard={onDiscard} />
        ))
      )}
    </Drawer>
  );
}
