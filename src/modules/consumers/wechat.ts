/**
 * WeChat web authorization (网页授权): the H5 page sends the `code` WeChat gave it; the server exchanges it itself at
 * `{baseUrl}/sns/oauth2/access_token` with the app's secret, so the openid (and unionid, when the app is bound to an
 * open-platform account) comes from WeChat, not from the client. A client-supplied openid is never believed.
 */
import { AppError } from '../../http/problem.ts';
import type { WechatSettings } from './settings.ts';

export interface WechatIdentity {
  openid: string;
  unionid: string | null;
}

const ID = /^[A-Za-z0-9_-]{6,64}$/;

export class WechatClient {
  constructor(private readonly s: WechatSettings) {}

  get configured(): boolean {
    return !!(this.s.appId && this.s.secret);
  }

  async exchange(code: string): Promise<WechatIdentity> {
    if (!this.s.appId || !this.s.secret) throw new AppError(503, 'consumer.wechat_not_configured');
    const url = new URL('/sns/oauth2/access_token', this.s.baseUrl);
    url.search = new URLSearchParams({ appid: this.s.appId, secret: this.s.secret, code, grant_type: 'authorization_code' }).toString();
    let body: Record<string, unknown>;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(this.s.timeoutMs) });
      if (!r.ok) throw new Error(`status ${r.status}`);
      body = (await r.json()) as Record<string, unknown>;
    } catch {
      throw new AppError(502, 'consumer.wechat_unavailable');
    }
    if (typeof body.errcode === 'number' && body.errcode !== 0) {
      // 40029 invalid code, 40163 code already used, 41008 missing code: the client's code is no good
      if ([40029, 40163, 41008].includes(body.errcode)) throw AppError.field('/body/code', 'consumer.wechat_code_invalid');
      throw new AppError(502, 'consumer.wechat_unavailable');
    }
    const openid = typeof body.openid === 'string' && ID.test(body.openid) ? body.openid : null;
    if (!openid) throw new AppError(502, 'consumer.wechat_unavailable');
    const unionid = typeof body.unionid === 'string' && ID.test(body.unionid) ? body.unionid : null;
    return { openid, unionid };
  }
}
