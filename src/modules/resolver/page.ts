/**
 * The consumer's page for a scanned code: small, server-rendered HTML with inline CSS and one small inline script, the claim form's (a few KB, nothing
 * to download after it), in zh-CN or en. Every value from the database is HTML-escaped.
 */

import { createHash } from 'node:crypto';
import { placeName } from '../parties/index.ts';
import type { CodeFacts } from './resolve.ts';
import type { PriorScans, Verdict } from './scans.ts';

export type PageLocale = 'zh-CN' | 'en';

const T = {
  'zh-CN': {
    title: '正品查询',
    genuine_first: '正品 · 首次查询',
    genuine_first_detail: '此商品为品牌正品，这是该码的首次查询。',
    genuine_repeat: '正品 · 已被查询 {n} 次',
    genuine_repeat_detail: '此码此前已被查询 {n} 次，首次查询于 {when}{where}。如非您本人查询，请谨慎。',
    recalled: '该批次已召回',
    recalled_detail: '此商品所在批次已被品牌召回，请勿食用或使用。原因：{reason}',
    unknown: '未知编码',
    unknown_detail: '查询不到此码。该商品可能是假冒产品，请谨慎购买，并联系品牌方核实。',
    invalid: '链接不是有效的商品码',
    invalid_detail:
      '此链接中的编码不完整或有误，可能是二维码污损或链接输入有误，并不表示商品是假冒产品。请重新扫描商品上的二维码，或仔细核对后重新输入。',
    product: '产品',
    spec: '规格',
    lot: '批次',
    productionDate: '生产日期',
    expiryDate: '有效期至',
    origin: '来源',
    factory: '工厂',
    distributor: '经销商',
    warehouse: '仓库',
    store: '门店',
    brand: '品牌',
    in: '，地点：',
    other: 'English',
    verifyHint: '刮开涂层，凭隐形码参与活动与验证。',
    claimLabel: '隐形码',
    claimButton: '验证并领取奖励',
    claimFailed: '网络错误，请重试',
    account: '查看我的积分和奖品',
  },
  en: {
    title: 'Authenticity check',
    genuine_first: 'Genuine · first check',
    genuine_first_detail: 'This is a genuine product of the brand, and this is the first check of its code.',
    genuine_repeat: 'Genuine · checked {times} before',
    genuine_repeat_detail: 'This code has been checked {times} before, first on {when}{where}. If that was not you, take care.',
    recalled: 'This lot is recalled',
    recalled_detail: 'The brand has recalled the lot of this product: do not consume or use it. Reason: {reason}',
    unknown: 'Unknown code',
    unknown_detail: 'This code is not known. The product may be counterfeit: take care, and check with the brand.',
    invalid: 'Not a valid product code',
    invalid_detail:
      'The code in this link is incomplete or wrong: the QR code may be damaged, or the link mistyped. This does not mean the product is counterfeit. Scan the code on the product again, or type it carefully.',
    product: 'Product',
    spec: 'Size',
    lot: 'Lot',
    productionDate: 'Produced',
    expiryDate: 'Best before',
    origin: 'Came from',
    factory: 'Factory',
    distributor: 'Distributor',
    warehouse: 'Warehouse',
    store: 'Store',
    brand: 'Brand',
    in: ' in ',
    other: '中文',
    verifyHint: 'Scratch the label for the hidden code that rewards and checks need.',
    claimLabel: 'Hidden code',
    claimButton: 'Check and claim rewards',
    claimFailed: 'Network error: try again',
    account: 'See my points and prizes',
  },
} as const;

type Key = keyof (typeof T)['en'];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The words of the link to the consumer's own page (/m/account), shown once a claim has won something. */
export function accountLinkLabel(locale: PageLocale): string {
  return T[locale].account;
}

function text(locale: PageLocale, key: Key, params: Record<string, string | number> = {}): string {
  return T[locale][key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

const CSS =
  'body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f5f5;color:#222}' +
  'main{max-width:480px;margin:0 auto;padding:16px}' +
  '.v{border-radius:12px;padding:16px;color:#fff;margin-bottom:16px}.v h1{margin:0 0 4px;font-size:22px}.v p{margin:0}' +
  '.genuine_first{background:#1a7f37}.genuine_repeat{background:#b35900}.recalled,.unknown{background:#c62828}.invalid{background:#5f6368}' +
  'dl{background:#fff;border-radius:12px;padding:12px 16px;margin:0 0 16px}dt{color:#666;font-size:13px}dd{margin:0 0 8px}' +
  'ol{background:#fff;border-radius:12px;padding:12px 16px 12px 36px;margin:0 0 16px}small{color:#666}a{color:#0b57d0}' +
  'form{background:#fff;border-radius:12px;padding:12px 16px;margin:0 0 16px}form label{display:block;color:#666;font-size:13px}' +
  'form input{font-size:20px;letter-spacing:2px;width:100%;box-sizing:border-box;padding:8px;margin:4px 0 8px;border:1px solid #ccc;border-radius:8px}' +
  'form button{width:100%;padding:10px;font-size:16px;border:0;border-radius:8px;background:#c62828;color:#fff}' +
  'output{display:block;white-space:pre-line;margin-top:8px;font-weight:600}';

/**
 * The claim form's script: posts the hidden code to the form's claim URL and shows each campaign's answer (text
 * only, never HTML); when the answer names the consumer's own page (`accountUrl`: something was won), it shows the
 * form's hidden link to it, where the points and prizes are kept. A campaign's name and its answer are parted as
 * claimMessages' campaignLine parts them (a full-width colon in Chinese, ": " in English). It asks the phone where it is first (the fraud rules' distance check; location.ts) and sends the
 * claim without a location when the consumer says no, the phone has none, or 3 s pass. Constant, so the page's
 * Content-Security-Policy allows it by its hash (CLAIM_SCRIPT_HASH).
 */
export const CLAIM_SCRIPT =
  'document.getElementById("claim").addEventListener("submit",function(e){e.preventDefault();var f=e.target,o=f.querySelector("output"),sent=0;' +
  'o.textContent="…";function send(c){if(sent++)return;var b={code:f.elements.code.value};' +
  'if(c){b.lat=Math.round(c.latitude*1e4)/1e4;b.lng=Math.round(c.longitude*1e4)/1e4}' +
  'fetch(f.action,{method:"POST",headers:{"content-type":"application/json","accept-language":f.dataset.lang},' +
  'body:JSON.stringify(b)}).then(function(r){return r.json().then(function(j){o.dataset.status=r.status;' +
  'var a=document.getElementById("account");a.hidden=!(r.ok&&j.accountUrl);if(!a.hidden)a.href=j.accountUrl;' +
  'o.textContent=r.ok?(j.message||j.results.map(function(x){return x.campaignName+(f.dataset.lang==="en"?": ":"：")+x.message}).join("\\n")):' +
  '(j.errors&&j.errors[0]?j.errors[0].detail:j.title)})}).catch(function(){o.textContent=f.dataset.failed})}' +
  'var g=navigator.geolocation;if(!g)return send();setTimeout(send,3000);' +
  'g.getCurrentPosition(function(p){send(p.coords)},function(){send()},{timeout:2500,maximumAge:600000})});';
export const CLAIM_SCRIPT_HASH = `'sha256-${createHash('sha256').update(CLAIM_SCRIPT).digest('base64')}'`;

// built once: a DateTimeFormat costs far more to make than to use
const WHEN = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' }),
};

function formatWhen(d: Date, locale: PageLocale): string {
  return WHEN[locale].format(d);
}

/**
 * What the page says: a scan's verdict, or `invalid` for a link whose code is malformed (a wrong GTIN check digit, a
 * GTIN of the wrong length or with letters, an empty or overlong serial): a mistyped or damaged link, not a
 * counterfeit, and not a scan (nothing is recorded).
 */
export type PageVerdict = Verdict | 'invalid';

export interface PageInput {
  locale: PageLocale;
  verdict: PageVerdict;
  facts: CodeFacts | null;
  prior: PriorScans | null;
  /** where the first scan was made, if its client said */
  firstPlace: string | null;
  /** the same page in the other language */
  otherLangHref: string;
  /** where the claim form posts the hidden code (null: no form) */
  claimUrl?: string | null;
}

export function renderPage(p: PageInput): string {
  const l = p.locale;
  const e = escapeHtml;
  const n = p.prior?.count ?? 0;
  const times = n === 1 ? 'once' : `${n} times`;
  const where = p.firstPlace ? `${text(l, 'in')}${p.firstPlace}` : '';
  const detail =
    p.verdict === 'genuine_repeat'
      ? text(l, 'genuine_repeat_detail', { n, times, when: p.prior?.firstAt ? formatWhen(p.prior.firstAt, l) : '', where })
      : p.verdict === 'recalled'
        ? text(l, 'recalled_detail', { reason: p.facts?.recall?.reason ?? '' })
        : text(l, `${p.verdict}_detail`);
  const head = text(l, p.verdict, { n, times });
  let body = `<section class="v ${p.verdict}" data-verdict="${p.verdict}"><h1>${e(head)}</h1><p>${e(detail)}</p></section>`;
  const f = p.facts;
  if (f) {
    const row = (k: Key, v: string | null) => (v ? `<dt>${e(text(l, k))}</dt><dd>${e(v)}</dd>` : '');
    body += `<dl>${row('product', l === 'en' ? f.productNameEn : f.productNameZh)}${row('spec', f.spec)}${row('lot', f.lot)}${row(
      'productionDate',
      f.productionDate,
    )}${row('expiryDate', f.expiryDate)}</dl>`;
    if (f.path.length) {
      const kindKey = (k: string): Key => (k in T.en ? (k as Key) : 'brand');
      body += `<h2 style="font-size:16px">${e(text(l, 'origin'))}</h2><ol>${f.path
        .map((pl) => {
          const city = placeName(pl.cityCode, l);
          return `<li>${e(text(l, kindKey(pl.kind)))}: ${e(pl.name)}${city ? ` <small>${e(city)}</small>` : ''}</li>`;
        })
        .join('')}</ol>`;
    }
    if (p.verdict !== 'recalled') {
      body += `<p><small>${e(text(l, 'verifyHint'))}</small></p>`;
      if (p.claimUrl) {
        body += `<form id="claim" method="post" action="${e(p.claimUrl)}" data-lang="${l}" data-failed="${e(text(l, 'claimFailed'))}"><label for="code">${e(
          text(l, 'claimLabel'),
        )}</label><input id="code" name="code" inputmode="numeric" autocomplete="off" maxlength="32" required><button>${e(
          text(l, 'claimButton'),
        )}</button><output aria-live="polite"></output><a id="account" hidden>${e(text(l, 'account'))}</a></form><script>${CLAIM_SCRIPT}</script>`;
      }
    }
  }
  body += `<p><a href="${e(p.otherLangHref)}" hreflang="${l === 'en' ? 'zh-CN' : 'en'}">${e(text(l, 'other'))}</a></p>`;
  return `<!doctype html><html lang="${l}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>${e(
    text(l, 'title'),
  )}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`;
}
