/**
 * SSRF guard for webhook targets. A subscription's URL is checked when it is saved (scheme, no credentials,
 * no private or loopback literal, no `localhost`), and every delivery checks again the addresses the name
 * resolves to at connect time (so a name that later points into the private network, DNS rebinding included,
 * is refused before a byte is sent). Redirects are never followed.
 */
import dns from 'node:dns';
import net from 'node:net';
import type { FieldError } from '../../http/problem.ts';

/** Addresses that are not the public internet (IANA special-purpose registries, v4 and v6). */
const PRIVATE = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(a, p, 'ipv4');
}
for (const [a, p] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(a, p, 'ipv6');
}

/** An IPv4 address carried in IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96), as IPv4, else undefined. */
function embeddedV4(ip: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = Number.parseInt(m[2] ?? '0', 16);
  const lo = Number.parseInt(m[3] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export class TargetGuard {
  private readonly allowAll: boolean;
  private readonly allowed = new net.BlockList();

  constructor(allowPrivateTargets: boolean | string[]) {
    this.allowAll = allowPrivateTargets === true;
    if (Array.isArray(allowPrivateTargets)) {
      for (const entry of allowPrivateTargets) {
        const [addr, prefix] = entry.split('/');
        const family = net.isIP(addr ?? '');
        if (!addr || !family) throw new Error(`THROUGHLINE_WEBHOOK_ALLOW_PRIVATE: not an address or CIDR: ${entry}`);
        const type = family === 6 ? 'ipv6' : 'ipv4';
        if (prefix === undefined) this.allowed.addAddress(addr, type);
        else this.allowed.addSubnet(addr, Number(prefix), type);
      }
    }
  }

  /** Whether a request may be sent to this IP address. */
  allows(ip: string): boolean {
    if (this.allowAll) return true;
    const v4 = embeddedV4(ip);
    const addr = v4 ?? ip;
    const type = net.isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (!PRIVATE.check(addr, type)) return true;
    return this.allowed.check(addr, type);
  }

  /** The reasons a subscription URL is refused (empty: acceptable), with pointers at `pointer`. */
  checkUrl(raw: string, pointer: string): FieldError[] {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return [{ pointer, code: 'webhooks.url_invalid' }];
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return [{ pointer, code: 'webhooks.url_scheme' }];
    if (url.username || url.password) return [{ pointer, code: 'webhooks.url_credentials' }];
    if (!url.hostname) return [{ pointer, code: 'webhooks.url_invalid' }];
    const host = hostOf(url);
    const literal = net.isIP(host) ? host : isLocalName(host) ? '127.0.0.1' : undefined;
    if (literal && !this.allows(literal)) return [{ pointer, code: 'webhooks.url_private', params: { host } }];
    return [];
  }

  /** A `lookup` for http.request that refuses names resolving to any address this guard does not allow. */
  lookup(): net.LookupFunction {
    return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
      if (isLocalName(hostname) && !this.allows('127.0.0.1')) return callback(privateTarget(hostname));
      dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err);
        const list = addresses as dns.LookupAddress[];
        if (!list.length || list.some((a) => !this.allows(a.address))) return callback(privateTarget(hostname));
        if (options.all) return callback(null, list);
        const first = list[0] as dns.LookupAddress;
        callback(null, first.address, first.family);
      });
    }) as unknown as net.LookupFunction;
  }
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function isLocalName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

export class PrivateTargetError extends Error {
  readonly code = 'EPRIVATETARGET';
}

function privateTarget(host: string): PrivateTargetError {
  return new PrivateTargetError(`${host} resolves to a private or loopback address (refused)`);
}
