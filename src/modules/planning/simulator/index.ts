/**
 * The channel simulator: consumer demand with M5 patterns played through stores, distributors and the brand under
 * an ordering policy (baseline: push and periodic ordering; throughline: demand-driven pull), in memory (fast mode)
 * or through the real product (product mode). docs/PLANNING.md, "Channel simulator".
 */
import type { SimulationParams } from './params.ts';
import type { SimulationResult } from './result.ts';
import { type RunOptions, simulateFast } from './simulate.ts';

export { SIMULATION_MESSAGES } from './messages.ts';
export {
  buildParams,
  CHANNEL_DEFAULTS,
  checkParams,
  LIMITS,
  POLICY_DEFAULTS,
  type SimulationParams,
  type SimulationRequest,
  TARGETS,
} from './params.ts';
export { formatTable, type PolicyResult, type SimulationResult } from './result.ts';
export { type RunOptions, simulateFast } from './simulate.ts';

/** Runs a simulation in the mode its parameters ask for (product mode opens the database the config points at). */
export async function simulate(params: SimulationParams, opts: RunOptions = {}): Promise<SimulationResult> {
  if (params.mode === 'fast') return simulateFast(params, opts);
  const { simulateProductStandalone } = await import('./product.ts');
  return simulateProductStandalone(params, opts);
}
