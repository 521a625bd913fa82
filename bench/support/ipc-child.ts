import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A forked TypeScript child that answers each command with one report over
 * IPC. Requests are one at a time; each has a time bound, and `stop()` kills
 * the child by its own handle if it is still running.
 */
export class IpcChild<Command, Report extends { op: string; message?: string }> {
  private readonly child: ChildProcess;
  private waiting?: (report: Report) => void;
  private exitCode: number | null | undefined;

  constructor(moduleUrl: URL) {
    this.child = fork(fileURLToPath(moduleUrl), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (report: Report) => this.waiting?.(report));
    this.child.once('exit', (code) => {
      this.exitCode = code;
      this.waiting?.({ op: 'failed', message: `child exited with ${code}` } as Report);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  request(command: Command, timeoutMs: number): Promise<Report> {
    return new Promise((resolve, reject) => {
      if (this.exitCode !== undefined) return reject(new Error(`child already exited with ${this.exitCode}`));
      const timer = setTimeout(() => reject(new Error(`no answer from child ${this.pid} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (report) => {
        clearTimeout(timer);
        this.waiting = undefined;
        if (report.op === 'failed') reject(new Error(report.message ?? 'child failed'));
        else resolve(report);
      };
      this.child.send(command as object);
    });
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
