import type { Db } from '../../context.ts';

export interface Tenant {
  id: number;
  code: string;
  name: string;
}

export async function findTenantByCode(db: Db, code: string): Promise<Tenant | undefined> {
  const [t] = await db<Tenant[]>`select id, code, name from tenants where code = ${code}`;
  return t;
}

/** A brand's code (the `brand=` of its public pages) by its id; a code is never changed once the brand exists. */
export async function tenantCodeOf(db: Db, id: number): Promise<string | undefined> {
  const [t] = await db<{ code: string }[]>`select code from tenants where id = ${id}`;
  return t?.code;
}

export async function createTenant(db: Db, code: string, name: string): Promise<Tenant> {
  const [t] = await db<Tenant[]>`insert into tenants (code, name) values (${code}, ${name}) returning id, code, name`;
  if (!t) throw new Error('tenant insert returned nothing');
  return t;
}

export async function ensureTenant(db: Db, code: string, name: string): Promise<Tenant> {
  return (await findTenantByCode(db, code)) ?? createTenant(db, code, name);
}
