import type { SimulationParams } from './params.ts';
import type { SimulationResult } from './result.ts';
import type { RunOptions } from './simulate.ts';

export async function simulateProductStandalone(_params: SimulationParams, _opts: RunOptions): Promise<SimulationResult> {
  throw new Error('product mode: not yet built');
}
