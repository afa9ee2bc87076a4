-- An order sent again with its Idempotency-Key is the first order only if it asks for the same thing: the order keeps
-- a SHA-256 of its normalised request (placement-batch.ts, requestHash), and a key used again with other contents
-- is refused (order.key_reused) instead of answered with the first order. Orders placed before have none: a reuse of
-- their key is taken as a retry, as it was. A nullable column without a default: no table rewrite.
alter table orders add column request_hash bytea;
