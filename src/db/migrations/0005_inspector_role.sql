-- Market inspectors (brand_inspector): scan units found in the market and get the evidence of diversion.
alter table users drop constraint users_role_check;
alter table users add constraint users_role_check check (role in ('brand_admin', 'brand_sales', 'brand_planner', 'brand_quality',
  'brand_inspector', 'line_device', 'warehouse_operator', 'distributor_admin', 'distributor_staff', 'store_owner', 'store_clerk'));
