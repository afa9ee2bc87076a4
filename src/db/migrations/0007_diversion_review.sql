-- Sales ops confirm or dismiss a diversion alert: who decided, when, and why. The reviewer's name is kept as it
-- was at the time (a user may be renamed or an API key revoked later); the audit log has the same facts.
alter table diversion_alerts
  add column reviewed_by      bigint,
  add column reviewed_by_name text,
  add column reviewed_at      timestamptz,
  add column review_note      text;
-- an alert is open exactly when nobody has reviewed it
alter table diversion_alerts
  add constraint diversion_alerts_review check ((status = 'open') = (reviewed_at is null));
