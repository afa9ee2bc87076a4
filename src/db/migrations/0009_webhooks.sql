-- Webhooks for integrators: subscriptions per tenant, an outbox of events written in the transaction of the change
-- they report, one delivery per (event, subscription) that is also the job the in-process worker claims with
-- SKIP LOCKED, and a log of every attempt. Every row carries tenant_id (distribution column under Citus).

create table webhook_subscriptions (
  tenant_id                   integer not null,
  id                          bigint generated always as identity,
  url                         text not null,
  -- event types, or '{*}' for all of them
  event_types                 text[] not null check (cardinality(event_types) > 0),
  description                 text,
  active                      boolean not null default true,
  -- AES-256-GCM under the server's master key: iv (12) | tag (16) | ciphertext; the secret is shown once
  secret_sealed               bytea not null,
  -- after a rotation the old secret also signs until it expires, so receivers can switch without losing events
  previous_secret_sealed      bytea,
  previous_secret_expires_at  timestamptz,
  created_at                  timestamptz not null default now(),
  updated_at                  timestamptz not null default now(),
  primary key (tenant_id, id)
);

-- the outbox: the exact body every attempt of every delivery of the event sends (receivers dedupe on its id)
create table webhook_events (
  tenant_id   integer not null,
  id          uuid not null,
  type        text not null,
  body        text not null,
  created_at  timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table webhook_deliveries (
  tenant_id         integer not null,
  id                bigint generated always as identity,
  event_id          uuid not null,
  subscription_id   bigint not null,
  event_type        text not null,
  status            text not null default 'pending' check (status in ('pending', 'succeeded', 'failed', 'cancelled')),
  -- attempts started so far (a claim counts one before the request leaves)
  attempts          integer not null default 0,
  -- pending: when it is due (while an attempt runs: when its lease ends and another worker may take it over)
  next_attempt_at   timestamptz,
  last_attempt_at   timestamptz,
  last_status_code  integer,
  last_error        text,
  -- a replay is a new delivery of the same event (same id and body) to the same subscription
  replay_of         bigint,
  created_at        timestamptz not null default now(),
  completed_at      timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, event_id) references webhook_events (tenant_id, id),
  foreign key (tenant_id, subscription_id) references webhook_subscriptions (tenant_id, id) on delete cascade,
  check ((status = 'pending') = (next_attempt_at is not null))
);
-- what the worker claims: due pending deliveries, oldest first
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
-- the console's list, newest first, by subscription
create index webhook_deliveries_list on webhook_deliveries (tenant_id, created_at desc, id desc);
create index webhook_deliveries_by_subscription on webhook_deliveries (tenant_id, subscription_id, created_at desc);

create table webhook_attempts (
  tenant_id         integer not null,
  delivery_id       bigint not null,
  attempt           integer not null,
  started_at        timestamptz not null,
  duration_ms       integer not null,
  status_code       integer,
  error             text,
  -- the first bytes of the receiver's answer, for debugging
  response_excerpt  text,
  -- when the next attempt is due (null: none, the delivery succeeded or failed for good)
  next_attempt_at   timestamptz,
  primary key (tenant_id, delivery_id, attempt),
  foreign key (tenant_id, delivery_id) references webhook_deliveries (tenant_id, id) on delete cascade
);
