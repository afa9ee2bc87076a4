export type { Actor } from './actor.ts';
export { actorForApiKey, createApiKey, listApiKeys, revokeApiKey, whoOf } from './api-keys.ts';
export { BRAND_ROLES, PERMISSIONS, ROLES, type Action, type Role, isAction, roleMay } from './roles.ts';
export { partyScope, seesWholeTenant } from './scope.ts';
export { hashPassword, isStrongPassword } from './secrets.ts';
export { actorForSession, login, logout } from './sessions.ts';
export { assertNoErrors, checkUser, insertUsers, listUsers, type UserInput } from './users.ts';
