import { readdirSync, readFileSync } from 'node:fs';

/*
 * Process-tree inspection for the e2e tests (Linux /proc): which processes a command started, and whether any
 * of them is still there after it was stopped.
 */

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0]!, ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

function allProcesses(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProc(Number(name)))
    .filter((p): p is ProcInfo => p !== undefined);
}

/** The pids of every descendant of pid, and of every member of those descendants' process groups. */
export function processTree(pid: number): number[] {
  const procs = allProcesses();
  const tree = new Set<number>([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  const groups = new Set([...tree].map((p) => procs.find((x) => x.pid === p)?.pgid).filter((g): g is number => g !== undefined && g !== process.pid));
  const ownGroup = readProc(process.pid)?.pgid;
  for (const p of procs) if (groups.has(p.pgid) && p.pgid !== ownGroup) tree.add(p.pid);
  return [...tree];
}

/** Still running (a zombie that only waits for its parent to reap it does not count). */
export function isAlive(pid: number): boolean {
  const info = readProc(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}
