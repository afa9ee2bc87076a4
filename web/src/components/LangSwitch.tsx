import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { type Lang, setLang } from '../i18n/index.ts';

/** The page's language, zh-CN or English. `size`: 'large' where it is tapped with a thumb (40 px high; /scan). */
export function LangSwitch({ size = 'small' }: { size?: 'small' | 'large' }) {
  const { t, i18n } = useTranslation();
  const value: Lang = i18n.language === 'en' ? 'en' : 'zh-CN';
  return (
    <Segmented<Lang>
      data-testid="lang-switch"
      aria-label={t('header.language')}
      size={size}
      value={value}
      onChange={(v) => setLang(v)}
      options={[
        { label: <span data-testid="lang-zh">中文</span>, value: 'zh-CN' },
        { label: <span data-testid="lang-en">English</span>, value: 'en' },
      ]}
    />
  );
}
