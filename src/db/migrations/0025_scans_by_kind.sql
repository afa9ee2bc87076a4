-- Clerk rankings read a period's sell scans (incentives/reports/rankings.ts): by kind and time, not by scan id.
create index scans_kind_time on scans (tenant_id, kind, created_at);
