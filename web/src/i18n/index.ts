import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json' with { type: 'json' };
import zhCN from './zh-CN.json' with { type: 'json' };

export type Lang = 'zh-CN' | 'en';
export const LANG_KEY = 'tl.lang';

function storedLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: storedLang(),
  fallbackLng: 'zh-CN',
  supportedLngs: ['zh-CN', 'en'],
  interpolation: { escapeValue: false },
  returnNull: false,
});

function applyDocumentLang(lng: string): void {
  document.documentElement.lang = lng;
  document.title = i18n.t('app.title');
}
applyDocumentLang(i18n.language);
i18n.on('languageChanged', applyDocumentLang);

export function setLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // storage unavailable: the choice lasts for this page only
  }
  void i18n.changeLanguage(lang);
}

export default i18n;
