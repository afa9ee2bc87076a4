-- Request fingerprints for scans and order drafts, as orders have had since 0037.
--
-- A scan sent again under its scanId is a replay only if it is the same scan: the scan keeps a SHA-256 of what it
-- asked for (trace/scans.ts scanFingerprint: kind, codes, parent, lot, receiver, order, label replacement), and the
-- id sent with anything else is refused (scan.id_reused) instead of answered with the first scan while the new codes
-- are lost. Before, only the kind and the number of codes were compared. Scans recorded before have none and are
-- still compared that way. A nullable column without a default: no table rewrite.
alter table scans add column request_hash bytea;

-- A draft started by hand or from replenishment suggestions with an Idempotency-Key keeps a SHA-256 of what was asked
-- (orders/drafts.ts: the lines picked, or the suggestions' party, SKUs and parameters); the key sent again with
-- another request is refused (order_draft.key_reused) instead of answered with the first draft.
alter table order_drafts add column request_hash bytea;
