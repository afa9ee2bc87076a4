export { createTenant, ensureTenant, findTenantByCode, type Tenant, tenantCodeOf } from './tenants.ts';
