-- Ordered units and value reach the analytics queue from order placement itself (analytics/changes.ts
-- queueOrderedLines, called by orders/placement-batch.ts in the placement transaction), no longer from a trigger on
-- order_lines.
--
-- Why: the trigger had to look up each new line's order for its buyer, seller and day. That lookup's plan rested on
-- the statistics of `orders`, and on a table that grows from nothing they are always behind: the plans seen under
-- load probed `orders` by the tenant alone (or through the buyer or seller index) and filtered on the id, reading
-- every order of the tenant for each line: 15-43 ms a placement batch at 20,000 orders, more as the day went on
-- (auto_explain, docs/BENCHMARKS.md). Placement has the buyer, seller, SKU and day of every line in hand, so it writes
-- the change rows with no lookup at all. It is the only writer of order lines; a new one must queue its lines too
-- (the facts test, analytics.int, compares the facts with the orders and fails if one does not).
drop trigger analytics_order_lines_ins on order_lines;
drop function analytics_order_lines_added();
