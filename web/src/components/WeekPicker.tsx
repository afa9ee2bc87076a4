import { DatePicker, type DatePickerProps } from 'antd';
import type { Dayjs } from 'dayjs';
import 'dayjs/locale/en-gb.js';
import 'dayjs/locale/zh-cn.js';
import { useTranslation } from 'react-i18next';
import { weekLabel } from '../../../src/modules/planning/capacity/weeks.ts';

/**
 * A week picker over ISO weeks (Monday to Sunday, week 1 the one with the year's first Thursday), as the planning
 * weeks are: antd's default shows "2026-49th" in English and counts weeks from Sunday in the US way. The panel takes
 * the Monday-first, ISO-numbered dayjs locale of the language (en-gb, zh-cn); the field names the week with planning's
 * weekLabel (2026年第49周, 2026-W49), as the capacity table, its chart and its Excel export do.
 */
export function WeekPicker(
  props: Omit<DatePickerProps, 'picker' | 'format' | 'locale' | 'onChange' | 'multiple' | 'value' | 'defaultValue'> & {
    value?: Dayjs | null;
    onChange?: (d: Dayjs | null) => void;
  },
) {
  const { i18n } = useTranslation();
  const en = i18n.language.startsWith('en');
  // merged (deeply) into the ConfigProvider's DatePicker locale: only the dayjs locale the panel counts weeks in
  const locale = { lang: { locale: en ? 'en_GB' : 'zh_CN' } } as unknown as DatePickerProps['locale'];
  const { onChange, ...rest } = props;
  return (
    <DatePicker
      {...rest}
      picker="week"
      locale={locale}
      format={(d: Dayjs) => weekLabel(d.format('YYYY-MM-DD'), i18n.language)}
      onChange={(d) => onChange?.(d)}
    />
  );
}
