-- A deposit sent again after a lost answer (same Idempotency-Key) must not move the money twice: the ledger
-- transaction carries the key, unique per tenant.
alter table funds_transactions add column idempotency_key text;
create unique index funds_transactions_idempotency on funds_transactions (tenant_id, idempotency_key) where idempotency_key is not null;
