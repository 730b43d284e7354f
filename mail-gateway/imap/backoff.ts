// Reconnection delays: 1 s, 2 s, 4 s … up to the configured ceiling, with some jitter so several gateway
// processes do not hammer a recovering server in step.
export function reconnectDelay(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 1000 * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.8 + 0.2 * random()));
}
