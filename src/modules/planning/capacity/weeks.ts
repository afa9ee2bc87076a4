/** Weeks as planning counts them: Monday to Sunday, named by their Monday (YYYY-MM-DD, UTC calendar days). */
const DAY = 86_400_000;

export function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY);
}

export function dayOf(n: number): string {
  return new Date(n * DAY).toISOString().slice(0, 10);
}

/** The Monday of the week a day is in. */
export function mondayOf(day: string): string {
  return dayOf(dayNumber(day) - (isoWeekday(dayNumber(day)) - 1));
}

/** 1 (Monday) to 7 (Sunday): 1970-01-01, day 0, was a Thursday. */
function isoWeekday(n: number): number {
  return ((((n + 3) % 7) + 7) % 7) + 1;
}

/** The ISO week of a day: its week-numbering year (the year of the week's Thursday) and its number, week 1 the one with the year's first Thursday. */
export function isoWeekOf(day: string): { year: number; week: number } {
  const n = dayNumber(day);
  const thursday = n - isoWeekday(n) + 4;
  const year = Number(dayOf(thursday).slice(0, 4));
  return { year, week: Math.floor((thursday - dayNumber(`${year}-01-01`)) / 7) + 1 };
}

/**
 * A week as people read it, wherever planning names one (the capacity page, its chart, its pickers and its Excel
 * export): "2026-W49" in English, "2026年第49周" in Chinese, for any day of the week (YYYY-MM-DD).
 */
export function weekLabel(day: string, language: string): string {
  const { year, week } = isoWeekOf(day);
  return language.startsWith('en') ? `${year}-W${String(week).padStart(2, '0')}` : `${year}年第${week}周`;
}

/** A real calendar day between 2000 and 2100 (planning has no business outside, and PostgreSQL has no year 0). */
export function isPlanningDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || dayOf(dayNumber(day)) !== day) return false;
  const year = Number(day.slice(0, 4));
  return year >= 2000 && year <= 2100;
}

export function isMonday(day: string): boolean {
  return isPlanningDay(day) && mondayOf(day) === day;
}

/** The Mondays from `from`'s week to `to`'s week, inclusive. */
export function weeksBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let n = dayNumber(mondayOf(from)); n <= dayNumber(to); n += 7) out.push(dayOf(n));
  return out;
}
