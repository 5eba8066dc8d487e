// `npm run bench`: every benchmark of the project, one after another (they share two cores, so never in
// parallel). Prints figures and ratios against baselines measured in the same run; asserts nothing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCoreBenchmarks } from './core';

const ROOT = path.resolve(__dirname, '..', '..');

function runScript(title: string, command: string, args: string[]): void {
  process.stdout.write(`\n${title}\n`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.stdout.write(`  (${title} did not finish: exit ${result.status ?? result.signal})\n`);
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (!only || only === 'core') await runCoreBenchmarks();
  if (!only || only === 'python') runScript('Python client: log() overhead', 'python3', ['python/bench_log.py', '300000']);
  if (!only || only === 'python') runScript('Python client: init() beside 1 GB of other logs', 'python3', ['python/bench_init.py', '1000']);
  if (!only || only === 'python') runScript('Python client: init() among 10,000 runs with 5 ms a file system call', 'python3', ['python/bench_init_shared.py', '10000', '5']);
  if (!only || only === 'python') runScript('Python client: console capture per printed line, and the system sampler', 'python3', ['python/bench_console.py']);
  // Against the real wandb, TensorBoard and mlflow: needs the peers venv (made by the test stage `peers`
  // or scripts/install-python-peers.sh, a one-time download of about 3.5 GB), so it is created here too.
  if (!only || only === 'peers') {
    const venv = spawnSync('bash', ['scripts/install-python-peers.sh'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const python = venv.status === 0 ? venv.stdout.trim().split('\n').pop() : undefined;
    if (python) runScript('Python client against the real peers: log() cost', python, ['python/bench_peers.py', '2000']);
    if (python) runScript('Python client: log() of numpy scalars against plain floats', python, ['python/bench_log.py', '350000']);
    else process.stdout.write('\n(peers benchmark skipped: the peers venv could not be created)\n');
  }
  // The other suites are standalone scripts compiled beside this one (bench/<name>.ts).
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.js') && !['run.js', 'core.js'].includes(f)).sort()) {
    const name = file.replace(/\.js$/, '');
    if (!only || only === name) runScript(`${name} benchmark`, process.execPath, [path.join(__dirname, file)]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
