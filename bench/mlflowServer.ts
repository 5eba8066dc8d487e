// The MLflow server the MLflow benchmarks send to: started with scripts/mlflow-server.sh (PostgreSQL
// on loopback, as the `mlflow` test stage does) and stopped when the benchmark ends or is interrupted.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface BenchServer {
  readonly uri: string;
  /** The Python of the server's venv (MLflow's own client is in it). */
  readonly python: string;
  stop(): void;
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Runs a benchmark against a server started for it, in a temporary folder (`prefix` names it); both
 * are gone when it ends. A benchmark that throws sets the exit code.
 */
export function benchWithMlflowServer(prefix: string, body: (server: BenchServer, work: string) => Promise<void>): void {
  const run = async (): Promise<void> => {
    const server = startMlflowServer();
    if (!server) return;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    try {
      await body(server, work);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
      server.stop();
    }
  };
  run().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}

/** Starts the server, or says why it could not and returns undefined (the benchmark then fails). */
function startMlflowServer(): BenchServer | undefined {
  const started = spawnSync('bash', ['scripts/mlflow-server.sh', 'start'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const serverDir = started.status === 0 ? started.stdout.trim().split('\n').pop() : undefined;
  if (!serverDir) {
    process.stdout.write('  (the MLflow server could not be started: scripts/mlflow-server.sh start)\n');
    process.exitCode = 1;
    return undefined;
  }
  const stop = (): void => {
    spawnSync('bash', ['scripts/mlflow-server.sh', 'stop', serverDir], { cwd: ROOT, stdio: 'inherit' });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => {
    stop();
    process.exit(130);
  });
  const env = Object.fromEntries(fs.readFileSync(path.join(serverDir, 'env'), 'utf8').trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
  return { uri: env.MLFLOW_TEST_URI, python: env.MLFLOW_TEST_PYTHON, stop };
}
