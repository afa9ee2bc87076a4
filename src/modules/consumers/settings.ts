/**
 * Settings of the consumer-facing identity flows, from THROUGHLINE_* variables unless the app is given them:
 * the SMS provider, WeChat's OAuth endpoint and app credentials, and the one-time code limits.
 */
export interface OtpLimits {
  /** how long a code is valid */
  ttlSeconds: number;
  /** seconds between two codes to one phone */
  resendSeconds: number;
  /** codes per phone per hour */
  perPhonePerHour: number;
  /** codes per device per hour */
  perDevicePerHour: number;
  /** codes per address per hour */
  perAddressPerHour: number;
  /** wrong tries of one code before it is dead */
  triesPerCode: number;
  /** wrong tries per phone (all its codes) per hour */
  wrongPerPhonePerHour: number;
}

export const DEFAULT_OTP_LIMITS: OtpLimits = {
  ttlSeconds: 300,
  resendSeconds: 60,
  perPhonePerHour: 5,
  perDevicePerHour: 10,
  perAddressPerHour: 30,
  triesPerCode: 5,
  wrongPerPhonePerHour: 10,
};

export interface WechatSettings {
  /** WeChat's API origin (tests point it at a local server) */
  baseUrl: string;
  appId: string | undefined;
  secret: string | undefined;
  timeoutMs: number;
}

export interface SmsSettings {
  /** 'outbox': messages go to the sms_outbox table (development, tests); 'http': POSTed to a gateway */
  provider: 'outbox' | 'http';
  url: string | undefined;
  token: string | undefined;
}

export interface ConsumersSettings {
  otp: OtpLimits;
  wechat: WechatSettings;
  sms: SmsSettings;
  /** consumer session lifetime */
  sessionDays: number;
  /** requests per minute per address to the /me routes */
  perMinute: number;
}

export type ConsumersOptions = {
  otp?: Partial<OtpLimits>;
  wechat?: Partial<WechatSettings>;
  sms?: Partial<SmsSettings>;
  sessionDays?: number;
  perMinute?: number;
};

export function consumersSettings(o: ConsumersOptions = {}, env: NodeJS.ProcessEnv = process.env): ConsumersSettings {
  const provider = o.sms?.provider ?? (env.THROUGHLINE_SMS_PROVIDER === 'http' ? 'http' : 'outbox');
  return {
    otp: { ...DEFAULT_OTP_LIMITS, ...o.otp },
    wechat: {
      baseUrl: o.wechat?.baseUrl ?? env.THROUGHLINE_WECHAT_BASE_URL ?? 'https://api.weixin.qq.com',
      appId: o.wechat?.appId ?? env.THROUGHLINE_WECHAT_APPID,
      secret: o.wechat?.secret ?? env.THROUGHLINE_WECHAT_SECRET,
      timeoutMs: o.wechat?.timeoutMs ?? 5000,
    },
    sms: { provider, url: o.sms?.url ?? env.THROUGHLINE_SMS_URL, token: o.sms?.token ?? env.THROUGHLINE_SMS_TOKEN },
    sessionDays: o.sessionDays ?? 30,
    perMinute: o.perMinute ?? 120,
  };
}
