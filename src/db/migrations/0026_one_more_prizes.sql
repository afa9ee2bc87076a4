-- "One more" (再来一瓶) as a lottery prize: a tier whose winners get a free unit, redeemed at any participating
-- store (incentives/channel/one-more.ts), which the channel program reimburses. Its amount is the unit's value,
-- counted against the campaign's money budget like a red packet's.
alter table campaign_tiers add column one_more boolean not null default false;
alter table campaign_rewards drop constraint campaign_rewards_kind_check;
alter table campaign_rewards add constraint campaign_rewards_kind_check check (kind in ('points', 'red_packet', 'coupon', 'one_more', 'none'));
