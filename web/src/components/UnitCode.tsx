import { Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { sgtinOf } from '../trace.ts';

/**
 * A unit's code where a person reads it: its GTIN and serial, as printed under the QR, not the id.gs1.org host of
 * its EPC. The full EPC stays on the tooltip and is what the copy button copies (what a search or an integrator
 * needs). A code that is not a unit's (an SSCC, anything else) is shown as written.
 */
export function UnitCode({ epc, testId }: { epc: string; testId?: string }) {
  const { t } = useTranslation();
  const unit = sgtinOf(epc);
  return (
    <Tooltip title={<span style={{ wordBreak: 'break-all' }}>{epc}</span>}>
      <Typography.Text copyable={{ text: epc }} data-testid={testId} data-epc={epc}>
        {unit ? t('unitCode.text', unit) : epc}
      </Typography.Text>
    </Tooltip>
  );
}
