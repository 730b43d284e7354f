// Connection phase: how many sessions one client address may hold at once and open per minute
// (Postfix's anvil limits), so that one sender cannot take all the gateway's connections.
import { OK, SmtpVerdict, temporary } from './verdict';

export interface ConnectionLimits {
  maxPerIp: number;
  ratePerMinute: number;
}

const WINDOW_MS = 60_000;

export class ConnectionGuard {
  private readonly open = new Map<string, number>();
  private readonly recent = new Map<string, number[]>();
  private readonly admitted = new Set<string>();

  constructor(private readonly limits: ConnectionLimits, private readonly now: () => number = Date.now) {}

  /** Admits session `sessionId` from `ip`, or says why not; an admitted session must be released. */
  admit(sessionId: string, ip: string): SmtpVerdict {
    const now = this.now();
    const times = (this.recent.get(ip) ?? []).filter((t) => now - t < WINDOW_MS);
    times.push(now);
    this.recent.set(ip, times);
    if (times.length > this.limits.ratePerMinute) {
      return temporary(421, '4.7.0', 'Qua nhieu ket noi moi tu dia chi cua ban, xin thu lai sau it phut / connection rate limit exceeded, try again later');
    }
    const openNow = this.open.get(ip) ?? 0;
    if (openNow >= this.limits.maxPerIp) {
      return temporary(421, '4.7.0', 'Qua nhieu ket noi dong thoi tu dia chi cua ban / too many concurrent connections from your address');
    }
    this.open.set(ip, openNow + 1);
    this.admitted.add(sessionId);
    return OK;
  }

  release(sessionId: string, ip: string): void {
    if (!this.admitted.delete(sessionId)) return;
    const left = (this.open.get(ip) ?? 1) - 1;
    if (left > 0) this.open.set(ip, left);
    else this.open.delete(ip);
    this.prune();
  }

  /** Forgets rate windows that have run out, so the maps stay small under a stream of distinct clients. */
  private prune(): void {
    const now = this.now();
    for (const [ip, times] of this.recent) {
      if (times.every((t) => now - t >= WINDOW_MS)) this.recent.delete(ip);
    }
  }
}
