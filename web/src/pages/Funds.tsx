import { Alert, App, Button, Form, Input, InputNumber, Modal, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { api, errorText } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { type Balances, FundsSummary } from '../components/FundsSummary.tsx';
import { LoadError } from '../components/PageState.tsx';
import { formatDateTime, formatFen } from '../format.ts';
import { may } from '../nav.ts';
import { numberRule, YUAN } from '../numberRules.ts';
import { yuanToFen } from '../problemFields.ts';
import { isBrandRole } from '../types.ts';
import { useApi } from '../useApi.ts';

interface LedgerRow {
  id: number;
  kind: string;
  orderNo: string | null;
  memo: string | null;
  /** the note in the page's language (the server translates its own plays' notes) */
  memoText?: string | null;
  actor: string;
  actorName: string | null;
  at: string;
  amountsFen: { prepaid: number; reserved: number; rebate: number; settled: number };
}

const KIND_COLOR: Record<string, string> = {
  deposit: 'green',
  reserve: 'gold',
  release: 'blue',
  settle: 'purple',
  refund: 'cyan',
  unsettle: 'orange',
  rebate: 'magenta',
  adjust: 'default',
};

/**
 * A party's funds: brand finance looks a distributor or store up by code, records money received and sets credit
 * limits; a channel member sees its own (and a distributor its stores') balances and ledger.
 */
export function FundsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const role = me?.user.role;
  const own = isBrandRole(role) ? '' : (me?.user.partyCode ?? '');
  const [params, setParams] = useSearchParams();
  const party = params.get('party') ?? own;
  const [input, setInput] = useState(party);
  const balances = useApi<Balances>(party ? `/funds/${encodeURIComponent(party)}` : null);
  // a distributor's half year is thousands of transactions: the server pages them, newest first
  const [paging, setPaging] = useState({ party, page: 1, pageSize: 20 });
  const page = paging.party === party ? paging.page : 1;
  const ledger = useApi<{ party: { code: string; name: string; kind: string }; items: LedgerRow[]; total: number }>(
    party ? `/funds/${encodeURIComponent(party)}/ledger` : null,
    { page, pageSize: paging.pageSize },
  );
  const [dialog, setDialog] = useState<'deposit' | 'credit' | null>(null);
  // a distributor credits the customers it supplies, not its own account with the brand (the server checks the rest)
  const canWrite = may('funds:write', role) && !(own && party === own);
  const look = (code: string) => setParams(code.trim() ? { party: code.trim() } : {}, { replace: true });
  const refresh = () => {
    balances.reload();
    ledger.reload();
  };
  const who = ledger.data?.party;

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('funds.title')}
      </Typography.Title>
      <Space wrap>
        <Input.Search
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onSearch={look}
          enterButton={t('funds.look')}
          placeholder={t('funds.partyCode')}
          style={{ width: 320 }}
          data-testid="funds-party"
        />
        {who ? (
          <Typography.Text data-testid="funds-party-name">
            {who.name} ({who.code}) · {t(`kinds.${who.kind}`, { defaultValue: who.kind })}
          </Typography.Text>
        ) : null}
      </Space>
      {!party ? <Alert type="info" showIcon message={t('funds.pickParty')} /> : null}
      {balances.error ? <LoadError error={balances.error} onRetry={refresh} /> : null}
      {balances.data ? (
        <FundsSummary
          balances={balances.data}
          extra={
            canWrite ? (
              <Space>
                <Button type="primary" onClick={() => setDialog('deposit')} data-testid="funds-deposit">
                  {t('funds.recordDeposit')}
                </Button>
                <Button onClick={() => setDialog('credit')} data-testid="funds-credit">
                  {t('funds.setCredit')}
                </Button>
              </Space>
            ) : null
          }
        />
      ) : null}
      {party && !balances.error ? (
        <>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('funds.ledgerAll')}
          </Typography.Title>
          <Table<LedgerRow>
            rowKey="id"
            size="small"
            loading={ledger.loading}
            dataSource={ledger.data?.items ?? []}
            pagination={{
              current: page,
              pageSize: paging.pageSize,
              total: ledger.data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions: [20, 50, 100],
              showTotal: (n) => t('common.total', { count: n }),
            }}
            onChange={(p) => setPaging({ party, page: p.current ?? 1, pageSize: p.pageSize ?? 20 })}
            scroll={{ x: 960 }}
            data-testid="funds-ledger"
            columns={[
              { key: 'at', title: t('funds.at'), render: (_, r) => formatDateTime(r.at) },
              {
                key: 'kind',
                title: t('funds.kind'),
                render: (_, r) => <Tag color={KIND_COLOR[r.kind]}>{t(`funds.kinds.${r.kind}`, { defaultValue: r.kind })}</Tag>,
              },
              { key: 'order', title: t('orders.orderNo'), render: (_, r) => r.orderNo ?? '—' },
              ...(['prepaid', 'reserved', 'rebate', 'settled'] as const).map((k) => ({
                key: k,
                title: t(`funds.${k}`),
                align: 'right' as const,
                render: (_: unknown, r: LedgerRow) => <Signed fen={r.amountsFen[k]} />,
              })),
              { key: 'memo', title: t('funds.memo'), render: (_, r) => r.memoText ?? r.memo ?? '' },
              { key: 'actor', title: t('funds.actor'), render: (_, r) => r.actorName ?? r.actor },
            ]}
          />
        </>
      ) : null}
      {canWrite && party ? (
        <MoneyDialog
          mode={dialog}
          party={party}
          current={balances.data}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            refresh();
          }}
        />
      ) : null}
    </Space>
  );
}

function Signed({ fen }: { fen: number }) {
  if (!fen) return <Typography.Text type="secondary">—</Typography.Text>;
  return <Typography.Text type={fen > 0 ? 'success' : 'danger'}>{`${fen > 0 ? '+' : '−'}${formatFen(Math.abs(fen))}`}</Typography.Text>;
}

/**
 * Money received from a party, or its credit limit, confirmed before it is sent. A deposit carries one key per
 * dialog until it succeeds: pressing OK again after a lost answer records it once.
 */
function MoneyDialog({
  mode,
  party,
  current,
  onClose,
  onDone,
}: {
  mode: 'deposit' | 'credit' | null;
  party: string;
  current: Balances | undefined;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<{ amount: number; memo?: string }>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(() => crypto.randomUUID());

  const send = async (v: { amount: number; memo?: string }) => {
    setBusy(true);
    setProblem(null);
    try {
      const fen = yuanToFen(v.amount);
      await api('/funds/deposits', {
        method: 'POST',
        body: mode === 'deposit' ? { party, amountFen: fen, ...(v.memo ? { memo: v.memo } : {}) } : { party, creditLimitFen: fen },
        headers: mode === 'deposit' ? { 'idempotency-key': key } : {},
      });
      message.success(mode === 'deposit' ? t('funds.depositDone', { amount: formatFen(fen), party }) : t('funds.creditDone', { party }));
      setKey(crypto.randomUUID());
      form.resetFields();
      onDone();
    } catch (e) {
      setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const confirm = (v: { amount: number; memo?: string }) => {
    const amount = formatFen(yuanToFen(v.amount));
    modal.confirm({
      title: mode === 'deposit' ? t('funds.confirmDepositTitle') : t('funds.confirmCreditTitle'),
      content:
        mode === 'deposit'
          ? t('funds.confirmDeposit', { amount, party })
          : t('funds.confirmCredit', { amount, party, from: formatFen(current?.creditLimitFen ?? 0) }),
      okText: t('funds.confirm'),
      cancelText: t('common.cancel'),
      okButtonProps: { 'data-testid': 'funds-confirm-ok' } as never,
      onOk: () => send(v),
    });
  };

  return (
    <Modal
      open={mode !== null}
      onCancel={onClose}
      title={mode === 'deposit' ? t('funds.recordDeposit') : t('funds.setCredit')}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'funds-dialog-ok' } as never}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('funds.partyLine', { party })}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={confirm} preserve={false}>
        <Form.Item
          name="amount"
          label={mode === 'deposit' ? t('funds.amountYuan') : t('funds.creditYuan')}
          rules={[
            { required: true, message: t('funds.amountRequired') },
            // a deposit is more than 0, a credit limit not below it, both in whole fen (numberRules.ts)
            numberRule(mode === 'deposit' ? { ...YUAN, above: 0 } : { ...YUAN, min: 0 }),
          ]}
        >
          <InputNumber precision={2} addonBefore="¥" style={{ width: 240 }} data-testid="funds-amount" />
        </Form.Item>
        {mode === 'deposit' ? (
          <Form.Item name="memo" label={t('funds.memo')}>
            <Input maxLength={200} data-testid="funds-memo" />
          </Form.Item>
        ) : null}
      </Form>
      {problem ? <Alert type="error" showIcon message={problem} data-testid="funds-problem" /> : null}
    </Modal>
  );
}
