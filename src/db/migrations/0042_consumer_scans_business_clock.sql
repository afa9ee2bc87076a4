-- Consumer scans are dated by the business clock too (migration 0041): the demo brand's history plays its consumers'
-- scans of the units its stores sold on the day they were sold. The resolver's connections never set the clock, so
-- every real scan is still dated now().
alter table consumer_scans alter column scanned_at set default business_now();
