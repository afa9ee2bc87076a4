/** Helpers shared by the traceability pages: how codes, CBV terms and places read to people. */
import type { TFunction } from 'i18next';
import { provinceOf } from './geo/provinces.ts';
import type { EventPlace } from './types.ts';

const GS = '\u001d';
/** GS1 AIs a scanner may send without brackets, with their fixed lengths (variable ones end at GS or the end). */
const FIXED_AI: Record<string, number> = { '00': 18, '01': 14, '02': 14, '11': 6, '13': 6, '15': 6, '16': 6, '17': 6 };
const VARIABLE_AI = new Set(['10', '21', '22', '240', '241', '250', '254']);

/**
 * What a keyboard-wedge scanner typed, made into a form the server reads: the symbology identifier (]d2, ]Q3, ]C1…)
 * dropped, and a raw GS1 element string (0106901234001013 21U005, FNC1 sent as GS) put in brackets. Anything else
 * (Digital Link, EPC URN, bracketed string, SSCC, serial) is passed on trimmed.
 */
export function normalizeScan(input: string): string {
  let s = input.trim();
  if (/^\][A-Za-z][0-9A-Za-z]/.test(s)) s = s.slice(3);
  if (!/^(?:00\d{18}|01\d{14})/.test(s) || s.includes('(') || s.includes(':') || s.includes('/')) return s;
  const parts: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === GS) {
      i++;
      continue;
    }
    const two = s.slice(i, i + 2);
    const three = s.slice(i, i + 3);
    const fixed = FIXED_AI[two];
    if (fixed !== undefined) {
      const value = s.slice(i + 2, i + 2 + fixed);
      if (value.length !== fixed || !/^\d+$/.test(value)) return input.trim();
      parts.push(`(${two})${value}`);
      i += 2 + fixed;
      continue;
    }
    const ai = VARIABLE_AI.has(two) ? two : VARIABLE_AI.has(three) ? three : null;
    if (!ai) return input.trim();
    const end = s.indexOf(GS, i + ai.length);
    const value = s.slice(i + ai.length, end < 0 ? s.length : end);
    if (!value) return input.trim();
    parts.push(`(${ai})${value}`);
    i = end < 0 ? s.length : end + 1;
  }
  return parts.join('');
}

/**
 * The GTIN and serial of a unit's code (an SGTIN Digital Link, `https://id.gs1.org/01/{gtin}/21/{serial}`): what a
 * person reads off the pack, rather than the id.gs1.org host. Null for anything else (an SSCC, a bare serial).
 */
export function sgtinOf(code: string | null | undefined): { gtin: string; serial: string } | null {
  const m = code ? /\/01\/(\d{14})\/21\/([^/?#]+)/.exec(code) : null;
  if (!m?.[1] || !m[2]) return null;
  try {
    return { gtin: m[1], serial: decodeURIComponent(m[2]) };
  } catch {
    return { gtin: m[1], serial: m[2] };
  }
}

/** The short, human form of a code: the serial of an SGTIN, the number of an SSCC, else the code as written. */
export function shortCode(code: string | null | undefined): string {
  if (!code) return '—';
  const unit = sgtinOf(code);
  if (unit) return unit.serial;
  const sscc = /\/00\/(\d{18})/.exec(code);
  if (sscc?.[1]) return sscc[1];
  return code;
}

/** The GTIN inside a Digital Link, if any. */
export function gtinOfCode(code: string): string | null {
  return /\/01\/(\d{14})/.exec(code)?.[1] ?? null;
}

/** A CBV term in its bare form (`shipping`) whichever way it was written (URI, URN or bare). */
export function cbvShort(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /(?:BizStep-|Disp-|BTT-|SDT-|:bizstep:|:disp:|:btt:|:sdt:)([A-Za-z_]+)$/.exec(value);
  return m?.[1] ?? value;
}

export const stepLabel = (t: TFunction, step: string | null | undefined): string =>
  step ? t(`bizStep.${cbvShort(step)}`, { defaultValue: cbvShort(step) ?? step }) : t('journey.noStep');

export const dispositionLabel = (t: TFunction, d: string | null | undefined): string =>
  d ? t(`disposition.${cbvShort(d)}`, { defaultValue: cbvShort(d) ?? d }) : '—';

/** Colours of the statuses a code can be in (code_state.status). */
export const CODE_STATUS_COLOR: Record<string, string> = {
  commissioned: 'blue',
  packed: 'geekblue',
  in_transit: 'orange',
  received: 'green',
  sold: 'purple',
  consumed: 'default',
  destroyed: 'red',
  decommissioned: 'default',
};

export const ALERT_STATUS_COLOR: Record<string, string> = { open: 'red', confirmed: 'orange', dismissed: 'default' };

/** A business transaction (`urn:epcglobal:cbv:bt:6934560000016:SO-1001`) as its own number (`SO-1001`). */
export function transactionNumber(id: string | undefined): string {
  if (!id) return '—';
  const urn = /^urn:epcglobal:cbv:bt:[^:]+:(.+)$/.exec(id);
  if (urn?.[1]) return urn[1];
  const tail = id.split(/[/:]/).pop();
  return tail || id;
}

/** The GLN of a party identifier (`https://id.gs1.org/414/…` or `…/417/…`, or an SGLN/PGLN URN left as is). */
export function glnOf(id: string | null | undefined): string | null {
  return id ? (/\/(?:414|417)\/(\d{13})(?:\/|$)/.exec(id)?.[1] ?? null) : null;
}

/** Region of a place, municipalities' repeated names shown once. */
export function placeRegion(p: Pick<EventPlace, 'provinceName' | 'cityName' | 'districtName'>): string {
  const parts = [p.provinceName, p.cityName, p.districtName].filter((x): x is string => !!x);
  return parts.filter((x, i) => x !== parts[i - 1]).join(' ');
}

/** A point for a place: its own coordinates, else its province's capital; null when neither is known. */
export function placeCoordinates(p: EventPlace | null | undefined): { lng: number; lat: number; approximate: boolean } | null {
  if (!p) return null;
  // numeric columns may arrive as strings
  const lat = p.lat === null || p.lat === undefined ? Number.NaN : Number(p.lat);
  const lng = p.lng === null || p.lng === undefined ? Number.NaN : Number(p.lng);
  if (Number.isFinite(lat) && Number.isFinite(lng)) return { lng, lat, approximate: false };
  const province = provinceOf(p.provinceCode);
  return province ? { lng: province.lng, lat: province.lat, approximate: true } : null;
}
