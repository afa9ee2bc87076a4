/** Demand forecasting: models, model choice by rolling-origin backtest, intervals and accuracy measures. */

export { type BacktestAccuracy, backtestAccuracy, type ModelAccuracy } from './accuracy.ts';
export { type BatchInput, type BatchOptions, type BatchResult, forecastBatch, modelOf, packSeries } from './batch.ts';
export {
  type BulkForecastRow,
  type FactForecast,
  type ForecastRequest,
  forecastFacts,
  forecastStoresBulk,
  type SeriesWithHistory,
  seriesWithHistory,
} from './facts.ts';
export { dollarWeights, mase, maseScale, rmse, rmsse, rmsseScale, type WeightedSeries, wrmsse } from './metrics.ts';
export { MODELS } from './models.ts';
export { forecastRoutes } from './routes.ts';
export {
  AUTO_MODELS,
  type ForecastOptions,
  forecastAllModels,
  forecastSeries,
  InsufficientHistoryError,
  minimumHistory,
  type Selection,
  type SeriesForecast,
  selectModel,
} from './select.ts';
export { type Fit, MODEL_NAMES, type ModelDef, type ModelName } from './types.ts';
