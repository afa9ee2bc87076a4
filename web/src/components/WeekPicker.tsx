import { DatePicker, type DatePickerProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import isoWeek from 'dayjs/plugin/isoWeek.js';
import 'dayjs/locale/en-gb.js';
import 'dayjs/locale/zh-cn.js';
import { useTranslation } from 'react-i18next';

dayjs.extend(isoWeek);

/** An ISO week as people read it: "2026-W49" in English, "2026年第49周" in Chinese (the ISO week-numbering year). */
export function isoWeekLabel(d: Dayjs, language: string): string {
  const year = d.isoWeekYear();
  const week = d.isoWeek();
  return language.startsWith('en') ? `${year}-W${String(week).padStart(2, '0')}` : `${year}年第${week}周`;
}

/**
 * A week picker over ISO weeks (Monday to Sunday, week 1 the one with the year's first Thursday), as the planning
 * weeks are: antd's default shows "2026-49th" in English and counts weeks from Sunday in the US way. The panel takes
 * the Monday-first, ISO-numbered dayjs locale of the language (en-gb, zh-cn); the field shows isoWeekLabel.
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
      format={(d: Dayjs) => isoWeekLabel(d, i18n.language)}
      onChange={(d) => onChange?.(d)}
    />
  );
}
