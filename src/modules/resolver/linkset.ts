/**
 * The linkset a machine gets for a code (GS1-Conformant Resolver 1.2, RFC 9264 `application/linkset+json`): one
 * entry per identification level, the product (`/01/{gtin}`) and the unit (`/01/{gtin}/21/{serial}`), each with its
 * anchor and links keyed by GS1 Web Vocabulary link type IRIs; every link has href, title and type.
 */
import type { CodeFacts } from './resolve.ts';

export const LINKSET_TYPE = 'application/linkset+json';
const VOC = 'https://ref.gs1.org/voc/';

export interface Link {
  href: string;
  title: string;
  type: string;
  hreflang?: string[];
}

export type LinksetEntry = { anchor: string; description?: string; itemDescription?: string } & Record<string, unknown>;

/** `base` is this resolver's origin (scheme and host), e.g. `https://id.example.cn`. */
export function linksetOf(base: string, f: CodeFacts, locale: 'zh-CN' | 'en'): { linkset: LinksetEntry[] } {
  const productAnchor = `${base}/01/${f.gtin}`;
  const unitAnchor = `${base}/01/${f.gtin}/21/${encodeURIComponent(f.serial)}`;
  const name = locale === 'en' ? f.productNameEn : f.productNameZh;
  const page = (lang: 'zh-CN' | 'en'): Link => ({
    href: `${unitAnchor}?linkType=gs1:pip${lang === 'en' ? '&lang=en' : ''}`,
    title: lang === 'en' ? 'Product information and authenticity' : '产品信息与真伪查询',
    type: 'text/html',
    hreflang: [lang],
  });
  const pip = [page('zh-CN'), page('en')];
  return {
    linkset: [
      {
        anchor: productAnchor,
        description: name,
        itemDescription: name,
      },
      {
        anchor: unitAnchor,
        description: `${name}${f.lot ? ` (${f.lot})` : ''}`,
        itemDescription: `${name}${f.lot ? ` (${f.lot})` : ''}`,
        [`${VOC}pip`]: pip,
        [`${VOC}verificationService`]: [
          {
            href: `${unitAnchor}/verify`,
            title: locale === 'en' ? 'Check the hidden verification code (POST {"code"})' : '校验隐形码（POST {"code"}）',
            type: 'application/json',
          },
        ],
        [`${VOC}defaultLink`]: [pip[locale === 'en' ? 1 : 0]],
      },
    ],
  };
}
