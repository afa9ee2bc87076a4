/**
 * The claims the campaign-claims load generators send: CLAIMS_FILE holds one `path<TAB>hidden code` a line; each
 * claim comes from a phone of its own (a new device cookie, an address of its own in `firstOctet`.0.0.0/8: the fraud
 * rules count bursts per address).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';

export function claimsOf(
  file: string,
): (n: number, firstOctet: number) => { unit: string; path: string; headers: Record<string, string>; body: string } {
  const claims = fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t') as [string, string]);
  return (n, firstOctet) => {
    const [path, code] = claims[n % claims.length] as [string, string];
    return {
      unit: path,
      path: `${path}/claim`,
      headers: {
        'content-type': 'application/json',
        cookie: `tl_device=${randomUUID()}`,
        'x-forwarded-for': `${firstOctet}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      },
      body: JSON.stringify({ code }),
    };
  };
}
