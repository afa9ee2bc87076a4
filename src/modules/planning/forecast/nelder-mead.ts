/**
 * A small Nelder-Mead minimiser over an unconstrained vector (models map it onto their bounded parameters). It is
 * capped by objective evaluations, the cost that matters here (each evaluation is one pass over a series), and stops
 * early when the simplex's values agree to a relative `tolerance`. Scratch space is allocated once per call.
 */
export interface NelderMeadOptions {
  maxEvals: number;
  /** Initial step along each axis. */
  step?: number;
  tolerance?: number;
}

export function nelderMead(
  f: (x: Float64Array) => number,
  start: Float64Array,
  o: NelderMeadOptions,
): { x: Float64Array; value: number; evals: number } {
  const d = start.length;
  const step = o.step ?? 1;
  const tol = o.tolerance ?? 1e-6;
  const pts: Float64Array[] = [];
  const vals = new Float64Array(d + 1);
  let evals = 0;
  const ev = (x: Float64Array) => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  for (let i = 0; i <= d; i++) {
    const p = Float64Array.from(start);
    if (i > 0) p[i - 1]! += step;
    pts.push(p);
    vals[i] = ev(p);
  }
  const centroid = new Float64Array(d);
  const xr = new Float64Array(d);
  const xe = new Float64Array(d);
  const xc = new Float64Array(d);
  const order = new Int32Array(d + 1);
  while (evals < o.maxEvals) {
    for (let i = 0; i <= d; i++) order[i] = i;
    order.sort((a, b) => vals[a]! - vals[b]!);
    const best = order[0]!;
    const worst = order[d]!;
    const second = order[d - 1]!;
    const fb = vals[best]!;
    const fw = vals[worst]!;
    if (Math.abs(fw - fb) <= tol * (Math.abs(fb) + 1e-12)) break;
    centroid.fill(0);
    for (let i = 0; i <= d; i++) {
      if (i === worst) continue;
      const p = pts[i]!;
      for (let k = 0; k < d; k++) centroid[k]! += p[k]! / d;
    }
    const pw = pts[worst]!;
    for (let k = 0; k < d; k++) xr[k] = centroid[k]! + (centroid[k]! - pw[k]!);
    const fr = ev(xr);
    if (fr < fb) {
      for (let k = 0; k < d; k++) xe[k] = centroid[k]! + 2 * (centroid[k]! - pw[k]!);
      const fe = ev(xe);
      if (fe < fr) {
        pw.set(xe);
        vals[worst] = fe;
      } else {
        pw.set(xr);
        vals[worst] = fr;
      }
      continue;
    }
    if (fr < vals[second]!) {
      pw.set(xr);
      vals[worst] = fr;
      continue;
    }
    const outside = fr < fw;
    for (let k = 0; k < d; k++)
      xc[k] = outside ? centroid[k]! + 0.5 * (xr[k]! - centroid[k]!) : centroid[k]! + 0.5 * (pw[k]! - centroid[k]!);
    const fc = ev(xc);
    if (fc < (outside ? fr : fw)) {
      pw.set(xc);
      vals[worst] = fc;
      continue;
    }
    // shrink towards the best point
    const pb = pts[best]!;
    for (let i = 0; i <= d; i++) {
      if (i === best) continue;
      const p = pts[i]!;
      for (let k = 0; k < d; k++) p[k] = pb[k]! + 0.5 * (p[k]! - pb[k]!);
      vals[i] = ev(p);
      if (evals >= o.maxEvals) break;
    }
  }
  let bi = 0;
  for (let i = 1; i <= d; i++) if (vals[i]! < vals[bi]!) bi = i;
  return { x: Float64Array.from(pts[bi]!), value: vals[bi]!, evals };
}
