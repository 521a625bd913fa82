import { readdirSync, readFileSync } from 'node:fs';

/**
 * How busy the machine was with work that is not this benchmark: every 2 s,
 * all-core busy time (/proc/stat) minus the CPU time of this process and its
 * descendants (gateway, load generators, InfluxDB, mosquitto). Other
 * engineers' test runs on the same 2 cores show up here, so a disturbed
 * number can be told from a slow one. Linux only.
 */
export interface CpuWatchResult {
  /** Share of all cores used by other processes, 0–100. */
  othersPercent: number;
  /** Share of all cores used by this benchmark's process tree, 0–100. */
  ownPercent: number;
}

function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/** utime + stime of `root` and all its descendants, by pid. */
function treeJiffies(root: number): Map<number, number> {
  const parent = new Map<number, number>();
  const used = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
      used.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = new Map<number, number>();
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  for (const [pid, jiffies] of used) if (inTree(pid)) tree.set(pid, jiffies);
  return tree;
}

export function watchCpu(everyMs = 2000): { stop(): CpuWatchResult } {
  let machine = machineJiffies();
  let tree = treeJiffies(process.pid);
  let others = 0;
  let own = 0;
  let total = 0;
  const sample = () => {
    const nextMachine = machineJiffies();
    const nextTree = treeJiffies(process.pid);
    let ownDelta = 0;
    for (const [pid, jiffies] of nextTree) ownDelta += jiffies - (tree.get(pid) ?? 0);
    const busyDelta = nextMachine.busy - machine.busy;
    own += Math.min(ownDelta, busyDelta);
    others += Math.max(0, busyDelta - ownDelta);
    total += nextMachine.total - machine.total;
    machine = nextMachine;
    tree = nextTree;
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const percent = (jiffies: number) => (total > 0 ? Math.round((jiffies / total) * 100) : 0);
      return { othersPercent: percent(others), ownPercent: percent(own) };
    },
  };
}

/** Runs a benchmark and adds how busy the machine was besides it. */
export async function withCpuWatch<T extends Record<string, unknown>>(run: () => Promise<T>): Promise<T & { otherProcessesCpuPercent: number; benchmarkCpuPercent: number }> {
  const watch = watchCpu();
  try {
    const result = await run();
    const { othersPercent, ownPercent } = watch.stop();
    return { ...result, otherProcessesCpuPercent: othersPercent, benchmarkCpuPercent: ownPercent };
  } catch (err) {
    watch.stop();
    throw err;
  }
}
