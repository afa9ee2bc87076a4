import type { ImportSpec } from '../../platform/import-driver.ts';
import { checkUser, insertUsers, type UserInput } from './users.ts';

/** Users with initial passwords (hashed with argon2id before they are stored; never exported). */
export const usersImport: ImportSpec<UserInput> = {
  entity: 'users',
  columns: [
    { key: 'username', header: 'username', aliases: ['用户名'] },
    { key: 'display_name', header: 'display_name', aliases: ['姓名'] },
    { key: 'role', header: 'role', aliases: ['角色'] },
    { key: 'party_code', header: 'party_code', aliases: ['所属渠道编码'] },
    { key: 'password', header: 'password', aliases: ['初始密码'] },
    { key: 'locale', header: 'locale', aliases: ['语言'] },
    { key: 'territories', header: 'territories', aliases: ['负责区域'] },
  ],
  parseRow(v, index) {
    const u: UserInput = {
      username: v.username ?? '',
      displayName: v.display_name || null,
      role: v.role ?? '',
      partyCode: v.party_code || null,
      password: v.password ?? '',
      locale: v.locale || null,
      territories: v.territories ? v.territories.split(/[;；,\s]+/).filter(Boolean) : [],
    };
    const errors = checkUser(u, `/rows/${index}`);
    return { value: errors.length ? undefined : u, errors };
  },
  async write(tx, tenantId, items) {
    const r = await insertUsers(tx, tenantId, items, (i, f) => `/rows/${i}/${f}`);
    return { errors: r.errors, count: r.ids.length };
  },
};
