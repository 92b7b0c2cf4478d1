import { readFileSync } from 'node:fs';

/**
 * This process's peak resident memory in MB: Linux's VmHWM. getrusage's maxRSS, the fallback where
 * /proc is not there, also counts the parent's memory the child mapped between fork and exec: a
 * benchmark runner larger than the measured process set it (a 300 MB parent gave a 42 MB child a
 * maxRSS of 303 MB; at 50,000 files every figure above the runner's size was the runner's).
 */
export function peakRssMB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: the fallback below
  }
  return process.resourceUsage().maxRSS / 1024;
}
