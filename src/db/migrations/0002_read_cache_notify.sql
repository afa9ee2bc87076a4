-- Every write to read-mostly tables tells the app nodes which cached responses to drop (src/platform/read-cache.ts).
-- Statement-level, so a COPY of 100,000 stores sends one notification; delivered at commit, dropped on rollback.
create function notify_read_cache() returns trigger language plpgsql as $$
begin
  perform pg_notify('tl_cache', tg_argv[0]);
  return null;
end $$;

create trigger parties_read_cache after insert or update or delete or truncate on parties
  for each statement execute function notify_read_cache('parties');
create trigger party_territories_read_cache after insert or update or delete or truncate on party_territories
  for each statement execute function notify_read_cache('parties');
create trigger products_read_cache after insert or update or delete or truncate on products
  for each statement execute function notify_read_cache('catalog');
create trigger packaging_levels_read_cache after insert or update or delete or truncate on packaging_levels
  for each statement execute function notify_read_cache('catalog');
create trigger product_categories_read_cache after insert or update or delete or truncate on product_categories
  for each statement execute function notify_read_cache('catalog');
