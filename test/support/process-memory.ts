// Memory of a running process as the kernel counts it (Linux /proc), for memory checks and benchmarks.
import fs from 'node:fs';

/** VmRSS (now) and VmHWM (peak) of process `pid`, in bytes. */
export function processMemory(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
