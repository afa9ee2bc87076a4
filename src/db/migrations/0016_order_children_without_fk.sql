-- Order lines and the order timeline lose their foreign keys to orders. Both are written only in the transaction
-- that writes or locks their order (placement-batch.ts, placement.ts, fulfilment.ts, ...), so the key checked
-- nothing the code does not already guarantee, while its check cost a query per row: at 1,000 orders a second
-- that was 3,000 lookups a second, and worse, the check's plan is cached per connection from the first use, when
-- the orders table is empty, and was seen scanning every order of the tenant by the wrong index for each line.
-- The same choice as parties (0001_platform.sql).
alter table order_lines drop constraint order_lines_tenant_id_order_id_fkey;
alter table order_events drop constraint order_events_tenant_id_order_id_fkey;
