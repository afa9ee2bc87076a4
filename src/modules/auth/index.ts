export { type Actor, actorLabel } from './actor.ts';
export { actorForApiKey, createApiKey, listApiKeys, revokeApiKey, whoOf } from './api-keys.ts';
export { type Action, BRAND_ROLES, isAction, PERMISSIONS, ROLES, type Role, roleMay } from './roles.ts';
export { partyScope, scopeKey, seesWholeTenant } from './scope.ts';
export { hashPassword, isStrongPassword } from './secrets.ts';
export { actorForSession, login, logout } from './sessions.ts';
export { assertNoErrors, checkUser, insertUsers, listUsers, type UserInput } from './users.ts';
