import { Card, Col, Row, Statistic } from 'antd';
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

/** A party's money in one row: what it paid in, its credit, what open orders hold, its rebate, and what it can still order for. */
export function FundsSummary({ balances, extra, testId = 'funds-summary' }: { balances: Balances; extra?: ReactNode; testId?: string }) {
  const { t } = useTranslation();
  const items: [string, number][] = [
    ['available', balances.availableFen],
    ['prepaid', balances.prepaidFen],
    ['creditLimit', balances.creditLimitFen],
    ['reserved', balances.reservedFen],
    ['rebate', balances.rebateFen],
  ];
  return (
    <Card size="small" data-testid={testId} extra={extra} title={t('funds.balances')}>
      <Row gutter={[16, 8]}>
        {items.map(([key, fen]) => (
          <Col key={key} xs={12} sm={8} md={4}>
            <span data-testid={`${testId}-${key}`}>
              <Statistic title={t(`funds.${key}`)} value={formatFen(fen)} valueStyle={{ fontSize: 18 }} />
            </span>
          </Col>
        ))}
      </Row>
    </Card>
  );
}
