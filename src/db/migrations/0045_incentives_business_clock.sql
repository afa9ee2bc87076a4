-- Campaigns, consumers' claims and what they bring are dated by the business clock too (migrations 0041, 0042): the
-- demo brand's history plays its marketer's campaigns and its consumers' claims on the days they happened, so the
-- campaign's results per day, the rewards ledger, the consumers' first sight and points, the sell-out rebate's payouts
-- and the fraud flags read as those days'. No request sets the clock: every real claim is still dated now().
alter table code_verifications alter column verified_at set default business_now();
alter table consumers alter column created_at set default business_now();
alter table consumer_identifiers alter column added_at set default business_now();
alter table points_entries alter column at set default business_now();
alter table campaigns alter column created_at set default business_now(), alter column updated_at set default business_now();
alter table campaign_rewards alter column claimed_at set default business_now();
alter table one_more_tickets alter column issued_at set default business_now();
alter table channel_programs alter column created_at set default business_now(), alter column updated_at set default business_now();
alter table channel_payouts alter column created_at set default business_now();
alter table fraud_flags alter column created_at set default business_now(), alter column last_seen_at set default business_now();
alter table fraud_observations alter column observed_at set default business_now();
