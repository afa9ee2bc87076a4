import { Card, Col, Row, Statistic, Tooltip } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../format.ts';

export interface Balances {
  prepaidFen: number;
  creditLimitFen: number;
  reservedFen: number;
  rebateFen: number;
  availableFen: number;
}

/**
 * A party's money in one row: what it paid in, its credit, what open orders hold, its rebate, and what it can still
 * order for. A buyer ordering on credit takes its prepaid balance below zero: that is what it owes, and it reads so
 * (欠款 / Owed, a positive amount) rather than as a negative prepayment.
 */
export function FundsSummary({ balances, extra, testId = 'funds-summary' }: { balances: Balances; extra?: ReactNode; testId?: string }) {
  const { t } = useTranslation();
  const owes = balances.prepaidFen < 0;
  const items: [key: string, title: string, fen: number][] = [
    ['available', 'available', balances.availableFen],
    ['prepaid', owes ? 'owed' : 'prepaid', Math.abs(balances.prepaidFen)],
    ['creditLimit', 'creditLimit', balances.creditLimitFen],
    ['reserved', 'reserved', balances.reservedFen],
    ['rebate', 'rebate', balances.rebateFen],
  ];
  return (
    <Card size="small" data-testid={testId} extra={extra} title={t('funds.balances')}>
      <Row gutter={[16, 8]}>
        {items.map(([key, title, fen]) => (
          <Col key={key} xs={12} sm={8} md={4}>
            <span data-testid={`${testId}-${key}`}>
              <Statistic
                title={title === 'owed' ? <Tooltip title={t('funds.owedHint')}>{t('funds.owed')}</Tooltip> : t(`funds.${title}`)}
                value={formatFen(fen)}
                valueStyle={{ fontSize: 18, ...(title === 'owed' ? { color: '#cf1322' } : {}) }}
              />
            </span>
          </Col>
        ))}
      </Row>
    </Card>
  );
}
