import { Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { sgtinOf } from '../trace.ts';

/**
 * A unit's code where a person reads it: its GTIN and serial, as printed under the QR, not the id.gs1.org host of
 * its EPC. The full EPC stays on the tooltip and is what the copy button copies (what a search or an integrator
 * needs). A code that is not a unit's (an SSCC, anything else) is shown as written. `journeyLink`: the words open the
 * code's journey (a list of alerts, where the reviewer goes on to the unit's path).
 */
export function UnitCode({ epc, testId, journeyLink }: { epc: string; testId?: string; journeyLink?: boolean }) {
  const { t } = useTranslation();
  const unit = sgtinOf(epc);
  const text = unit ? t('unitCode.text', unit) : epc;
  return (
    <Tooltip title={<span style={{ wordBreak: 'break-all' }}>{epc}</span>}>
      <Typography.Text copyable={{ text: epc }} data-testid={testId} data-epc={epc} style={unit ? undefined : { wordBreak: 'break-all' }}>
        {journeyLink ? <Link to={`/trace/journey?${new URLSearchParams({ code: epc })}`}>{text}</Link> : text}
      </Typography.Text>
    </Tooltip>
  );
}
