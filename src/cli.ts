// The `runrewind` command line: the same engine as the extension, for SSH sessions, CI and scripts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunInfo } from './core/api';
import { Engine } from './core/engine';
import { RunRewindError } from './core/errors';
import { cellText, compactNumber, historyCsv, historyJson, overviewJson, runJson, terminalSafe, textTable } from './core/format';
import { parseStep } from './core/runSpec';

const USAGE = `Usage: runrewind <command> [options]

Commands:
  list                          runs with their archived versions and forks
  show RUN                      one run (or immutable version id): ids, state, config, summary, lineage
  history RUN                   the run's history, one row per step
      --keys a,b                  only these keys
      --version ID                an archived version instead of the live one
      --limit N                   only the last N rows
      --csv | --json              machine-readable output
  rewind RUN --step N           archive the live version, continue from step N (same run id)
  fork RUN --step N             a new run that starts with RUN's history up to step N
      --id ID  --name NAME
  rebuild                       read every log again

Options for every command:
  --dir DIR      the log directory (default: $RUNREWIND_DIR, then ./.runrewind)
  --json         JSON output for scripts
  --no-cache     do not keep a store snapshot in DIR/.cache
  -h, --help     this help
`;

class UsageError extends Error {}

interface Args {
  readonly command: string | undefined;
  readonly positional: string[];
  readonly options: Map<string, string | true>;
}

const VALUE_OPTIONS = new Set(['--dir', '--keys', '--version', '--limit', '--step', '--id', '--name']);
const FLAG_OPTIONS = new Set(['--json', '--csv', '--no-cache', '--help', '-h']);

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('-')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      if (VALUE_OPTIONS.has(name)) {
        const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
        options.set(name, value);
      } else if (FLAG_OPTIONS.has(name)) {
        options.set(name, true);
      } else {
        throw new UsageError(`unknown option ${name} (see runrewind --help)`);
      }
    } else {
      positional.push(arg);
    }
  }
  return { command: positional.shift(), positional, options };
}

function option(args: Args, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

function requireRun(args: Args, command: string): string {
  const run = args.positional[0];
  if (!run) throw new UsageError(`${command} needs a run id: runrewind ${command} RUN`);
  if (args.positional.length > 1) throw new UsageError(`${command} takes one run id, got ${args.positional.length}`);
  return run;
}

function requireStep(args: Args, command: string): number {
  const text = option(args, '--step');
  if (text === undefined) throw new UsageError(`${command} needs --step N, a non-negative integer`);
  return parseStep(text, '--step');
}

function logDirOf(args: Args): string {
  return path.resolve(option(args, '--dir') ?? process.env.RUNREWIND_DIR ?? '.runrewind');
}

export async function main(argv: readonly string[], out: (text: string) => void, warn: (text: string) => void = (text) => process.stderr.write(terminalSafe(text))): Promise<number> {
  const args = parseArgs(argv);
  if (args.options.has('--help') || args.options.has('-h') || args.command === undefined || args.command === 'help') {
    out(USAGE);
    return args.command === undefined && !args.options.has('--help') && !args.options.has('-h') ? 2 : 0;
  }
  const commands = new Set(['list', 'show', 'history', 'rewind', 'fork', 'rebuild']);
  if (!commands.has(args.command)) throw new UsageError(`unknown command ${JSON.stringify(args.command)} (commands: ${[...commands].join(', ')})`);
  const logDir = logDirOf(args);
  if (!fs.existsSync(logDir)) throw new RunRewindError('bad-argument', `the log directory ${logDir} does not exist (set --dir or RUNREWIND_DIR)`);
  const json = args.options.has('--json');
  const cache = !args.options.has('--no-cache');
  const engine = await Engine.open({ logDir, snapshotPath: cache ? path.join(logDir, '.cache', 'cli-store.rrsnap') : undefined });
  try {
    if (args.command === 'rebuild') {
      const result = await engine.rebuild();
      out(json ? `${JSON.stringify({ runs: engine.listRuns().length, rows: result.rows, points: result.points })}\n` : `Rebuilt the store: ${engine.listRuns().length} runs, ${result.rows} rows, ${result.points} points.\n`);
    } else {
      engine.ingest();
      run(engine, args, json, out);
    }
    if (engine.needsSave) {
      // The logs are the truth and hold the operation already: a cache that cannot be written is a
      // warning, not a failure (a script retrying on exit code 1 would rewind twice).
      try {
        engine.save();
      } catch (error) {
        warn(`runrewind: warning: the store cache in ${path.join(logDir, '.cache')} could not be written (${(error as Error).message}); the next command reads the logs again. Use --no-cache to skip it.\n`);
      }
    }
    return 0;
  } finally {
    engine.close();
  }
}

function run(engine: Engine, args: Args, json: boolean, out: (text: string) => void): void {
  switch (args.command) {
    case 'list': {
      const runs = engine.listRuns();
      if (json) out(`${JSON.stringify(runs.map(runJson), null, 2)}\n`);
      else out(runs.length === 0 ? `No runs in ${engine.logDir}.\n` : listText(runs));
      return;
    }
    case 'show': {
      const overview = engine.getRun(requireRun(args, 'show'));
      if (json) {
        out(`${JSON.stringify(overviewJson(overview), null, 2)}\n`);
        return;
      }
      const lines = [
        `${overview.name}  (${overview.project})`,
        `  run id:        ${overview.id}`,
        `  immutable id:  ${overview.version.id}${overview.version.archived ? ' (archived)' : ''}`,
        `  state:         ${overview.state}`,
        `  last step:     ${overview.lastStep ?? '-'}`,
      ];
      for (const l of overview.lineage) lines.push(`  forked from:   ${l.run}@${l.step} (version ${l.version})`);
      lines.push('  config:');
      for (const [k, v] of Object.entries(overview.config)) lines.push(`    ${k}: ${JSON.stringify(v)}`);
      lines.push('  summary:');
      for (const [k, v] of Object.entries(overview.summary)) lines.push(`    ${k}: ${typeof v === 'number' ? cellText(v) : JSON.stringify(v)}`);
      lines.push('  versions:');
      for (const v of overview.versions) {
        lines.push(`    ${v.id}  ${v.archived ? 'archived' : 'live    '}  ${v.kind.padEnd(6)}  ${v.state.padEnd(8)}  last step ${v.lastStep ?? '-'}${v.parent ? `  from ${v.parent}@${v.branchStep}` : ''}`);
      }
      out(`${lines.join('\n')}\n`);
      return;
    }
    case 'history': {
      const target = option(args, '--version') ?? requireRun(args, 'history');
      const keys = option(args, '--keys')?.split(',').map((k) => k.trim()).filter((k) => k !== '');
      const limitText = option(args, '--limit');
      const limit = limitText === undefined ? undefined : parseStep(limitText, '--limit');
      const table = engine.history(target, { keys, offset: limit === undefined ? 0 : -limit, limit });
      if (json) out(`${JSON.stringify(historyJson(table))}\n`);
      else if (args.options.has('--csv')) out(historyCsv(table));
      else out(textTable(['_step', ...table.columns], table.rows.map((r) => [String(r.step), ...r.cells.map(cellText)])));
      return;
    }
    case 'rewind': {
      const runId = requireRun(args, 'rewind');
      const result = engine.rewind(runId, requireStep(args, 'rewind'));
      if (json) out(`${JSON.stringify({ run: runJson(result.run), version: result.version, archived: result.archived ?? null }, null, 2)}\n`);
      else out(`Rewound run ${runId} to step ${result.run.lastStep}: version ${result.archived} is archived, ${result.version} is live.\nContinue logging with: runrewind.init(id="${runId}", resume="must")\n`);
      return;
    }
    case 'fork': {
      const source = requireRun(args, 'fork');
      const step = requireStep(args, 'fork');
      const result = engine.fork(source, step, { id: option(args, '--id'), name: option(args, '--name') });
      if (json) out(`${JSON.stringify({ run: runJson(result.run), version: result.version }, null, 2)}\n`);
      else out(`Forked ${source} at step ${step} as run ${result.run.id} (${result.run.name}).\nContinue logging with: runrewind.init(id="${result.run.id}", resume="must")\n`);
      return;
    }
  }
}

function listText(runs: readonly RunInfo[]): string {
  const rows: string[][] = [];
  for (const r of runs) {
    const headline = r.headline ? `${r.headline.key}=${compactNumber(r.headline.value)}` : '';
    const origin = r.forkedFrom ? `forked from ${r.forkedFrom.run}@${r.forkedFrom.step}` : '';
    rows.push([r.id, r.name, r.project, r.state, String(r.lastStep ?? '-'), headline, origin]);
    for (const v of r.versions) {
      if (!v.archived) continue;
      rows.push([`  └ ${v.id}`, 'archived', '', v.state, String(v.lastStep ?? '-'), '', v.parent ? `from ${v.parent}@${v.branchStep}` : '']);
    }
  }
  return textTable(['RUN', 'NAME', 'PROJECT', 'STATE', 'LAST STEP', 'HEADLINE', 'ORIGIN'], rows);
}

/** Runs the command line and sets the process exit code: 0 ok, 1 refused or failed, 2 bad usage. */
export function cliEntry(argv: readonly string[]): void {
  main(argv, (text) => process.stdout.write(terminalSafe(text))).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message = error instanceof UsageError || error instanceof RunRewindError ? error.message : (error as Error).stack ?? String(error);
      process.stderr.write(`runrewind: ${terminalSafe(message.split('\n')[0])}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}

if (require.main === module) cliEntry(process.argv.slice(2));
