import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { eventually } from './eventually';

const ROOT = resolve(__dirname, '../../..');

/** The built entry point of an app (`npm test` builds them before the e2e tier). */
export const entryOf = (app: string): string => resolve(ROOT, `dist/apps/${app}/apps/${app}/src/main.js`);

/**
 * Ports come from a block of this jest worker's own, below the kernel's ephemeral range
 * (32768+ here): a port the OS hands out for "any free port" — to another worker's service,
 * or as the local end of any outgoing connection — could be taken between our check and the
 * service's bind (seen: the standalone suite reached another suite's gateway on "its" port).
 */
const PORTS_PER_WORKER = 1_000;
const FIRST_PORT = 20_000 + (Number(process.env.JEST_WORKER_ID ?? 1) - 1) * PORTS_PER_WORKER;
let nextPort = FIRST_PORT;

/** A TCP port of this worker's block that is free on 127.0.0.1, never the same twice in one test process. */
export async function freePort(): Promise<number> {
  while (nextPort < FIRST_PORT + PORTS_PER_WORKER) {
    const port = nextPort++;
    const free = await new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port left in ${FIRST_PORT}..${FIRST_PORT + PORTS_PER_WORKER - 1}`);
}

/** A service started as its own process, as in production, with its output captured. */
export class ServiceProcess {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  private constructor(
    readonly app: string,
    args: string[],
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [entryOf(app), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HTTP_HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk) => (this.output += chunk));
    this.child.stderr!.on('data', (chunk) => (this.output += chunk));
    this.exited = new Promise((done) => this.child.once('exit', (code, signal) => done({ code, signal })));
  }

  /** Starts an app with `args` (e.g. `migrate`) and only the given environment. */
  static start(app: string, env: Record<string, string>, args: string[] = []): ServiceProcess {
    return new ServiceProcess(app, args, env);
  }

  /** Waits until `GET url` answers 200; fails early if the process exits. */
  async waitReady(url: string, timeoutMs = 60_000): Promise<void> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    await eventually(
      async () => {
        if (exited) throw new Error(`${this.app} exited during start:\n${this.output}`);
        const res = await fetch(url).catch(() => undefined);
        if (res?.status !== 200) throw new Error(`${this.app} not ready at ${url} (${res?.status ?? 'no answer'}):\n${this.output.slice(-3000)}`);
      },
      timeoutMs,
      200,
    );
  }

  /** Sends SIGTERM and waits for the exit. */
  async stop(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = Date.now();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return { ...result, ms: Date.now() - started };
  }

  /** Kills the process outright (SIGKILL: no shutdown hooks run), as a crash would. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
