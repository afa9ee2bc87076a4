/**
 * The consumer's own page on a phone, `/m/account?brand=<tenant>`: points and tier, sign-in with a phone code,
 * their data (identifiers in full, scans, points ledger, redemptions) with "delete my data", and the points mall.
 * Like the resolver page it is small and server-rendered, with no framework: a shell of HTML and CSS, and one
 * script of its own served from this origin (the Content-Security-Policy allows no inline script) that calls the
 * /api/v1/me endpoints (me-routes.ts). Texts in zh-CN and en; the script reads them from the page.
 */
import { escapeHtml } from '../resolver/page.ts';

export type AccountLocale = 'zh-CN' | 'en';

const T = {
  'zh-CN': {
    title: '我的会员',
    points: '积分',
    tier: '会员等级',
    toNext: '再获得 {n} 积分升级为{tier}',
    signIn: '手机号登录',
    phone: '手机号',
    sendCode: '获取验证码',
    code: '验证码',
    submit: '登录',
    codeSent: '验证码已发送，{s} 秒后可重新获取',
    myData: '我的数据',
    identifiers: '身份标识',
    scans: '扫码记录',
    ledger: '积分明细',
    redemptions: '兑换记录',
    prizes: '我的奖品',
    redPacket: '红包 ¥{yuan}',
    oneMore: '再来一瓶：凭商品码（GTIN {gtin} · 序列号 {serial}）到参与活动的门店兑换',
    oneMoreRedeemed: '再来一瓶：已于 {at} 在门店兑换',
    coupon: '优惠券 {code}',
    owed: '待发放',
    paid: '已发放',
    deleteData: '删除我的数据',
    confirmDelete: '删除后，您的手机号、设备与扫码关联将被清除，积分账目以匿名编号保留。确定删除？',
    deleted: '您的数据已删除。',
    logout: '退出登录',
    mall: '积分商城',
    redeem: '兑换',
    stock: '剩余 {n}',
    redeemed: '兑换成功，券码：{code}',
    needSignIn: '请先用手机号登录',
    none: '暂无',
    error: '操作失败：{m}',
    other: 'English',
  },
  en: {
    title: 'My membership',
    points: 'Points',
    tier: 'Tier',
    toNext: '{n} more points to {tier}',
    signIn: 'Sign in with your phone',
    phone: 'Phone number',
    sendCode: 'Send code',
    code: 'Code',
    submit: 'Sign in',
    codeSent: 'Code sent; you can ask again in {s} s',
    myData: 'My data',
    identifiers: 'Identifiers',
    scans: 'Scans',
    ledger: 'Points ledger',
    redemptions: 'Redemptions',
    prizes: 'My prizes',
    redPacket: 'Red packet ¥{yuan}',
    oneMore: 'One more: take the product (GTIN {gtin} · serial {serial}) to a participating store',
    oneMoreRedeemed: 'One more: redeemed at a store on {at}',
    coupon: 'Coupon {code}',
    owed: 'to be paid',
    paid: 'paid',
    deleteData: 'Delete my data',
    confirmDelete:
      'Your phone number, devices and the link to your scans will be removed; the points ledger stays under an anonymous id. Delete?',
    deleted: 'Your data has been deleted.',
    logout: 'Sign out',
    mall: 'Points mall',
    redeem: 'Redeem',
    stock: '{n} left',
    redeemed: 'Redeemed. Coupon code: {code}',
    needSignIn: 'Sign in with your phone first',
    none: 'None',
    error: 'That did not work: {m}',
    other: '中文',
  },
} as const;

const CSS =
  'body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f5f5;color:#222}' +
  'main{max-width:480px;margin:0 auto;padding:16px}section{background:#fff;border-radius:12px;padding:12px 16px;margin:0 0 16px}' +
  'h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:0 0 8px}.card{background:#1a7f37;color:#fff}.card b{font-size:28px}.card small{color:#fff}' +
  'input{font:inherit;padding:8px;border:1px solid #ccc;border-radius:8px;width:100%;box-sizing:border-box;margin:0 0 8px}' +
  'button{font:inherit;padding:8px 16px;border:0;border-radius:8px;background:#0b57d0;color:#fff}button.danger{background:#c62828}' +
  'button:disabled{opacity:.5}ul{padding-left:20px;margin:0}small{color:#666}.msg{color:#b35900}[hidden]{display:none}' +
  '.item{display:flex;justify-content:space-between;align-items:center;padding:6px 0;border-top:1px solid #eee}';

export function renderAccountPage(brand: string, locale: AccountLocale, otherLangHref: string): string {
  const e = escapeHtml;
  const t = T[locale];
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>${e(
      t.title,
    )}</title><style>${CSS}</style></head><body><main id="account" data-brand="${e(brand)}" data-locale="${locale}">` +
    `<script type="application/json" id="texts">${JSON.stringify(t).replace(/</g, '\\u003c')}</script>` +
    `<h1>${e(t.title)}</h1>` +
    `<section class="card" data-testid="membership"><div>${e(t.points)}</div><b id="balance">—</b><div id="tier"></div><small id="next"></small></section>` +
    `<section id="signin" hidden><h2>${e(t.signIn)}</h2><input id="phone" inputmode="numeric" maxlength="11" placeholder="${e(t.phone)}" autocomplete="tel">` +
    `<button id="send" type="button">${e(t.sendCode)}</button> <small id="sent"></small>` +
    `<input id="code" inputmode="numeric" maxlength="6" placeholder="${e(t.code)}" autocomplete="one-time-code" style="margin-top:8px">` +
    `<button id="verify" type="button">${e(t.submit)}</button></section>` +
    `<section id="mine" hidden><h2>${e(t.myData)}</h2><div id="data"></div><p><button id="delete" class="danger" type="button">${e(
      t.deleteData,
    )}</button> <button id="logout" type="button">${e(t.logout)}</button></p></section>` +
    `<section id="prizes" data-testid="prizes"><h2>${e(t.prizes)}</h2><div id="prize-list"></div></section>` +
    `<section id="mall"><h2>${e(t.mall)}</h2><div id="items"></div></section>` +
    `<p class="msg" id="msg" role="status"></p>` +
    `<p><a href="${e(otherLangHref)}">${e(t.other)}</a></p>` +
    `</main><script src="/m/account.js" defer></script></body></html>`
  );
}

/**
 * The page's script (plain ES2017, no build step): loads the membership, then the consumer's data when a session
 * exists, and the mall; wires sign-in, delete, sign-out and redeem. Every write sends the CSRF header.
 */
export const ACCOUNT_SCRIPT = `(() => {
  const root = document.getElementById('account');
  const brand = root.dataset.brand;
  const t = JSON.parse(document.getElementById('texts').textContent);
  const $ = (id) => document.getElementById(id);
  const fill = (s, p) => s.replace(/\\{(\\w+)\\}/g, (_, k) => String(p[k] ?? ''));
  const say = (m) => { $('msg').textContent = m; };
  const url = (p) => '/api/v1/me' + p + (p.includes('?') ? '&' : '?') + 'brand=' + encodeURIComponent(brand);
  const call = async (method, p, body) => {
    const r = await fetch(url(p), {
      method,
      credentials: 'same-origin',
      headers: Object.assign({ accept: 'application/json', 'x-throughline-csrf': '1' }, body ? { 'content-type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = r.status === 204 ? null : await r.json().catch(() => null);
    return { status: r.status, data };
  };
  const fail = (r) => say(fill(t.error, { m: (r.data && (r.data.detail || r.data.title)) || r.status }));
  const li = (items, f) => items.length ? '<ul>' + items.map((x) => '<li>' + f(x) + '</li>').join('') + '</ul>' : '<small>' + esc(t.none) + '</small>';
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const name = (x) => root.dataset.locale === 'en' ? x.nameEn : x.nameZh;
  // an instant in the brand's time (China), as the resolver page writes it; the API's ISO text is UTC
  const when = (iso, time) => {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d).map((x) => [x.type, x.value]));
    return p.year + '-' + p.month + '-' + p.day + (time ? ' ' + p.hour + ':' + p.minute : '');
  };
  let signedIn = false;

  async function membership() {
    const r = await call('GET', '/membership');
    if (r.status !== 200) return fail(r);
    $('balance').textContent = r.data.balance;
    $('tier').textContent = t.tier + ': ' + name(r.data.tier);
    $('next').textContent = r.data.next ? fill(t.toNext, { n: r.data.next.pointsToGo, tier: name(r.data.next.tier) }) : '';
  }
  async function mine() {
    // asked first, so that a visitor who is not signed in is not answered 401
    const session = await call('GET', '/session');
    const r = session.status === 200 && session.data.signedIn ? await call('GET', '') : { status: 401 };
    signedIn = r.status === 200;
    $('signin').hidden = signedIn;
    $('mine').hidden = !signedIn;
    if (!signedIn) return;
    const d = r.data;
    $('data').innerHTML =
      '<h2>' + esc(t.identifiers) + '</h2>' + li(d.identifiers, (i) => esc(i.kind) + ' ' + esc(i.phone || '')) +
      '<h2 style="margin-top:8px">' + esc(t.scans) + '</h2>' + li(d.scans, (s) => esc(when(s.at, true)) + ' ' + esc((root.dataset.locale === 'en' ? s.productEn : s.productZh) || s.gtin)) +
      '<h2 style="margin-top:8px">' + esc(t.ledger) + '</h2>' + li(d.ledger, (p) => esc(when(p.at, false)) + ' ' + (p.delta > 0 ? '+' : '') + esc(p.delta) + ' ' + esc(p.kind)) +
      '<h2 style="margin-top:8px">' + esc(t.redemptions) + '</h2>' + li(d.redemptions, (x) => esc(x.couponCode || '') + ' -' + esc(x.points || 0));
  }
  // what this device's consumer won in campaigns: the claim's answer links here ('see my points and prizes')
  async function prizes() {
    const r = await call('GET', '/prizes');
    if (r.status !== 200) return fail(r);
    const what = (p) => p.kind === 'red_packet' ? (p.tierName ? p.tierName + ' · ' : '') + fill(t.redPacket, { yuan: (p.amountFen / 100).toFixed(2) })
      : p.kind === 'one_more' ? (p.redeemedAt ? fill(t.oneMoreRedeemed, { at: when(p.redeemedAt, true) })
        : fill(t.oneMore, { gtin: p.gtin || '', serial: p.serial || '' }))
      : fill(t.coupon, { code: p.couponCode || '' });
    $('prize-list').innerHTML = li(r.data.items, (p) => esc(when(p.claimedAt, false)) + ' ' + esc(p.campaignName) + (root.dataset.locale === 'en' ? ': ' : '：') +
      esc(what(p)) + (p.kind === 'red_packet' ? ' <small>' + esc(p.status === 'paid' ? t.paid : t.owed) + '</small>' : ''));
  }
  async function mall() {
    const r = await call('GET', '/mall');
    if (r.status !== 200) return fail(r);
    $('items').innerHTML = r.data.items.length ? r.data.items.map((i) =>
      '<div class="item" data-testid="mall-item"><span>' + esc(name(i)) + ' <small>' + esc(i.pointsPrice) + ' ' + esc(t.points) + ' · ' +
      esc(fill(t.stock, { n: i.stock })) + '</small></span><button type="button" data-item="' + i.id + '"' + (i.stock > 0 ? '' : ' disabled') + '>' +
      esc(t.redeem) + '</button></div>').join('') : '<small>' + esc(t.none) + '</small>';
  }
  $('send').onclick = async () => {
    const r = await call('POST', '/otp', { phone: $('phone').value.trim() });
    if (r.status !== 202) return fail(r);
    say('');
    $('sent').textContent = fill(t.codeSent, { s: r.data.resendAfter });
  };
  $('verify').onclick = async () => {
    const r = await call('POST', '/otp/verify', { phone: $('phone').value.trim(), code: $('code').value.trim() });
    if (r.status !== 200) return fail(r);
    say('');
    await Promise.all([membership(), mine()]);
  };
  $('delete').onclick = async () => {
    if (!confirm(t.confirmDelete)) return;
    const r = await call('DELETE', '');
    if (r.status !== 200) return fail(r);
    say(t.deleted);
    await Promise.all([membership(), mine()]);
  };
  $('logout').onclick = async () => {
    await call('POST', '/logout');
    await mine();
  };
  $('items').onclick = async (ev) => {
    const b = ev.target.closest('button[data-item]');
    if (!b) return;
    if (!signedIn) await mine();
    if (!signedIn) return say(t.needSignIn);
    b.disabled = true;
    const key = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9_-]/g, '');
    const r = await call('POST', '/mall/redeem', { itemId: Number(b.dataset.item), idempotencyKey: key });
    b.disabled = false;
    if (r.status !== 200 && r.status !== 201) return fail(r);
    say(fill(t.redeemed, { code: r.data.couponCode || '' }));
    await Promise.all([membership(), mine(), mall()]);
  };
  Promise.all([membership(), mine(), prizes(), mall()]).catch((e) => say(String(e)));
})();
`;
