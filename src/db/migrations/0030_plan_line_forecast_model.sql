-- Which forecast a plan line's demand (mean_daily, sd_daily) came from: the model chosen by backtest
-- (planning/forecast: 'ets_additive', 'sba', ...) or 'sell_through_mean'; when the model could not be used for the
-- series, why (the line then carries the sell-through mean and deviation). Lines of earlier plans keep nulls.
alter table replenishment_plan_lines
  add column forecast_model text,
  add column forecast_fallback text check (forecast_fallback in ('too_little_history', 'zero_forecast'));
