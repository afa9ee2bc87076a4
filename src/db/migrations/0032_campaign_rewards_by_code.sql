-- A campaign reward is unique per (campaign, code); the key now leads with the code so that "has this code been
-- rewarded in these campaigns" (every claim asks it) is answered from the code's few entries, whatever the planner
-- believes about the table. Led by the campaign, the planner on statistics from before a rush of claims took the
-- campaign's other index (campaign, status, id) instead and filtered every reward of the campaign: 20-40 ms a batch of
-- claims after 13,000 rewards (docs/BENCHMARKS.md, claims). Reads by campaign keep campaign_rewards_campaign, and
-- `on conflict (tenant_id, campaign_id, epc)` finds the new key by its columns, in any order.
alter table campaign_rewards drop constraint campaign_rewards_tenant_id_campaign_id_epc_key;
alter table campaign_rewards add constraint campaign_rewards_code_campaign unique (tenant_id, epc, campaign_id);
