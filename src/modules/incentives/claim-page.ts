/**
 * The answer to a claim posted as a plain HTML form (a phone without JavaScript): a small server-rendered page with
 * each campaign's answer, or the refusal, a link to the consumer's own page when something was won (where the points
 * and prizes are kept), and a link back to the code's page. Every text is HTML-escaped.
 */
import { accountLinkLabel, escapeHtml } from '../resolver/page.ts';
import type { ClaimLocale } from './claim-messages.ts';

const CSS =
  'body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f5f5;color:#222}' +
  'main{max-width:480px;margin:0 auto;padding:16px}section{background:#fff;border-radius:12px;padding:16px;margin-bottom:16px}' +
  'h1{font-size:20px;margin:0 0 8px}.refused h1{color:#c62828}ul{padding-left:20px;margin:0}a{color:#0b57d0}';

export function renderClaimPage(
  locale: ClaimLocale,
  ok: boolean,
  lines: string[],
  backHref: string,
  /** the consumer's own page (/m/account), when the claim won something */
  accountHref: string | null = null,
): string {
  const zh = locale === 'zh-CN';
  const account = accountHref ? `<p><a id="account" href="${escapeHtml(accountHref)}">${escapeHtml(accountLinkLabel(locale))}</a></p>` : '';
  const title = ok ? (zh ? '领取结果' : 'Your rewards') : zh ? '未能领取' : 'Not claimed';
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>${escapeHtml(
    title,
  )}</title><style>${CSS}</style></head><body><main><section class="${ok ? 'ok' : 'refused'}" data-claim="${ok ? 'ok' : 'refused'}"><h1>${escapeHtml(
    title,
  )}</h1><ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul></section>${account}<p><a href="${escapeHtml(backHref)}">${
    zh ? '返回' : 'Back'
  }</a></p></main></body></html>`;
}
