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
  const n = dayNumber(day);
  // 1970-01-01 was a Thursday: day 0 -> isoweekday 4
  const isoDow = ((n + 3) % 7) + 1;
  return dayOf(n - (isoDow - 1));
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
