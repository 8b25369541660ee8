/** Learning-rate schedules: functions of the update count t = 0, 1, 2, … (docs/math.md#training). */

/**
 * Linear warm-up to `peak` over `warmup` updates, then cosine decay to `peak · floor` at `total`:
 *
 *   η_t = peak (t + 1) / warmup                                     for t < warmup,
 *   η_t = peak (floor + (1 − floor) (1 + cos(π p)) / 2),  p = min(1, (t − warmup) / (total − warmup)).
 */
export function warmupCosine(schedule: {
  peak: number;
  warmup: number;
  total: number;
  floor?: number;
}): (t: number) => number {
  const { peak, warmup, total, floor = 0.1 } = schedule;
  return (t) => {
    if (t < warmup) return (peak * (t + 1)) / warmup;
    const progress = Math.min(1, (t - warmup) / Math.max(1, total - warmup));
    return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
  };
}
