// Is a writer's process still there? The same answer in every reader: docs/PROTOCOL.md ("alive") and
// python/runrewind/_logs.py implement these rules too.
import * as fs from 'node:fs';

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootTime: number | null | undefined;

/**
 * When process `pid` started, in unix seconds (Linux: from /proc), or undefined where that cannot be
 * known. A process that started after a writer's newest record cannot be that writer: its pid was reused.
 */
export function processStartTime(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    if (bootTime === undefined) {
      const match = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
      bootTime = match ? Number(match[1]) : null;
    }
    if (bootTime === null) return undefined;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 of proc(5): starttime, in clock ticks since boot
    // USER_HZ is 100 on every Linux that VS Code runs on.
    return Number.isFinite(ticks) ? bootTime + ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}
