-- A claim batch decides on its campaign's figures (tiers given out, totals, the day's figures) read without locking
-- them, and writes them back with its commit under guards: each guarded write must touch exactly the rows it expects
-- (a figure still within its limit). When another batch moved a figure past what this one assumed, the guard raises
-- SQLSTATE TL409 and the batch is rolled back and decided again with the figures locked (incentives/claim.ts). The row
-- locks are then held only from the guarded writes to the commit, inside one round trip, instead of across the
-- batch's round trips and its decision in the application.
create function claim_figures_hold(ok boolean) returns boolean
language plpgsql as $$
begin
  if not ok then
    raise exception 'a campaign figure moved past its limit during a claim batch' using errcode = 'TL409';
  end if;
  return true;
end
$$;
