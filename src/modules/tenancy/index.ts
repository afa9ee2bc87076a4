export { createTenant, ensureTenant, findTenantByCode, type Tenant } from './tenants.ts';
