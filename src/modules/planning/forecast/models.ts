/** The model registry: every model by name. */
import { etsAdditive, etsDamped, etsDampedAdditive, etsDampedMultiplicative, etsMultiplicative, ses } from './ets.ts';
import { croston, sba, tsb } from './intermittent.ts';
import { naive, seasonalNaive } from './naive.ts';
import { theta } from './theta.ts';
import type { ModelDef, ModelName } from './types.ts';

export const MODELS: Readonly<Record<ModelName, ModelDef>> = {
  naive,
  seasonal_naive: seasonalNaive,
  ses,
  ets_damped: etsDamped,
  ets_additive: etsAdditive,
  ets_damped_additive: etsDampedAdditive,
  ets_multiplicative: etsMultiplicative,
  ets_damped_multiplicative: etsDampedMultiplicative,
  croston,
  sba,
  tsb,
  theta,
};
