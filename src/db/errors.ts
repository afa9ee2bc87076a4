/** PostgreSQL's unique_violation (23505): a key that another row, or a concurrent transaction, already took. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}
