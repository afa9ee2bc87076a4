/** Demand forecasting: models, model choice by rolling-origin backtest, intervals and accuracy measures. */
export { MODELS } from './models.ts';
export { dollarWeights, mase, maseScale, rmse, rmsse, rmsseScale, type WeightedSeries, wrmsse } from './metrics.ts';
export {
  type ForecastOptions,
  AUTO_MODELS,
  forecastAllModels,
  forecastSeries,
  InsufficientHistoryError,
  minimumHistory,
  type SeriesForecast,
  type Selection,
  selectModel,
} from './select.ts';
export { type Fit, MODEL_NAMES, type ModelDef, type ModelName } from './types.ts';
export { type BatchInput, type BatchOptions, type BatchResult, forecastBatch, modelOf, packSeries } from './batch.ts';
export { type BulkForecastRow, type FactForecast, type ForecastRequest, forecastFacts, forecastStoresBulk } from './facts.ts';
export { forecastRoutes } from './routes.ts';
