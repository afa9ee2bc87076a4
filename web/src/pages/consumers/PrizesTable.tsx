import { Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { UnitCode } from '../../components/UnitCode.tsx';
import { formatChinaMinute, formatFen } from '../../format.ts';
import type { Prize } from './types.ts';

/** What was won: the tier and amount of a red packet, the unit's value of a one-more ticket, a coupon's code. */
function PrizeText({ prize: p }: { prize: Prize }) {
  const { t } = useTranslation();
  const kind = t(`consumers.prizeKinds.${p.kind}`);
  const what = p.kind === 'coupon' ? p.couponCode : formatFen(p.amountFen);
  return <>{[kind, p.tierName && p.tierName !== kind ? p.tierName : null, what].filter(Boolean).join(' · ')}</>;
}

/**
 * Whether the consumer has it: a red packet or coupon paid (when) or still owed; a one-more ticket redeemed at a store
 * (when) or still to be taken to one.
 */
function PrizeState({ prize: p }: { prize: Prize }) {
  const { t } = useTranslation();
  if (p.kind === 'one_more')
    return p.redeemedAt ? (
      <Tag color="green">{t('consumers.prizeStates.ticketRedeemed', { at: formatChinaMinute(p.redeemedAt) })}</Tag>
    ) : (
      <Tag color="blue">{t('consumers.prizeStates.ticketOpen')}</Tag>
    );
  return p.status === 'paid' ? (
    <Tag color="green">{t('consumers.prizeStates.paid', { at: formatChinaMinute(p.paidAt) })}</Tag>
  ) : (
    <Tag color="orange">{t('consumers.prizeStates.owed')}</Tag>
  );
}

/**
 * The prizes a consumer won, newest first, as their own page (/m/account) lists them: what a marketer reads when a
 * consumer says a red packet never came. Times in China's time, as the campaign pages write them.
 */
export function PrizesTable({ prizes }: { prizes: Prize[] }) {
  const { t } = useTranslation();
  return (
    <Table<Prize>
      rowKey="id"
      size="small"
      data-testid="consumer-prizes"
      dataSource={prizes}
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      columns={[
        { title: t('consumers.prizeClaimedAt'), dataIndex: 'claimedAt', render: (v: string) => formatChinaMinute(v) },
        { title: t('consumers.prizeCampaign'), key: 'campaign', render: (_, r) => `${r.campaignName} (#${r.campaignId})` },
        { title: t('consumers.prizeWon'), key: 'prize', render: (_, r) => <PrizeText prize={r} /> },
        { title: t('consumers.prizeUnit'), dataIndex: 'code', render: (v: string) => <UnitCode epc={v} /> },
        { title: t('consumers.prizeState'), key: 'state', render: (_, r) => <PrizeState prize={r} /> },
      ]}
    />
  );
}
