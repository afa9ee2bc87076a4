/** GS1 mod-10 check digit over the digits before it (weights 3,1,3,... from the right). */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

export function hasValidCheckDigit(digits: string): boolean {
  return /^\d+$/.test(digits) && gs1CheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}

export type CodeCheck = { ok: true; value: string } | { ok: false; code: string };

/** Accepts GTIN-8/12/13/14 and returns it as GTIN-14 (left-padded with zeros). */
export function parseGtin(input: string): CodeCheck {
  const s = input.trim();
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(s)) return { ok: false, code: 'gtin.format' };
  if (!hasValidCheckDigit(s)) return { ok: false, code: 'gtin.check_digit' };
  return { ok: true, value: s.padStart(14, '0') };
}

export function parseGln(input: string): CodeCheck {
  const s = input.trim();
  if (!/^\d{13}$/.test(s)) return { ok: false, code: 'gln.format' };
  if (!hasValidCheckDigit(s)) return { ok: false, code: 'gln.check_digit' };
  return { ok: true, value: s };
}

/** Completes a 13-digit GLN or 14-digit GTIN body with its check digit. */
export function withCheckDigit(body: string): string {
  return body + String(gs1CheckDigit(body));
}
