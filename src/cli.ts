// The `runrewind` command line: the same engine as the extension, for SSH sessions, CI and scripts.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArtifactUse, BranchDiff, CellValue, ConsoleLine, MediaFileItem, RunInfo } from './core/api';
import { mediaFile } from './core/protocol';
import { Engine } from './core/engine';
import { collectGarbage } from './core/gc';
import { RunRewindError } from './core/errors';
import { cellText, historyCsv, historyJson, overviewJson, runJson, terminalSafe, textTable } from './core/format';
import { type Checkpoint, checkpointAtOrBefore, checkpointLoadLine, checkpointSpec, checkpoints } from './core/checkpoints';
import { parseStep } from './core/runSpec';
import { authFromEnvironment, parseTrackingUri } from './core/sync/mlflowRest';
import { isServerSource } from './core/importers/sources';
import { parseServerSource, serverSource } from './core/importers/mlflowServer';
import { syncStatePath, syncToMlflow } from './core/sync/mlflowSync';
import { formatBytes, formatNumber } from './shared/format';

const COMMON_OPTIONS = `Options for every command:
  --dir DIR      the log directory (default: $RUNREWIND_DIR, then ./.runrewind)
  --source PATH  also import the runs other tools logged under PATH (TensorBoard event files, W&B
                 offline runs, Lightning CSVLogger, Hugging Face Trainer folders, MLflow mlruns; a
                 folder or a glob with *, ? and **), or an MLflow tracking server's http(s) address
                 (credentials from MLFLOW_TRACKING_TOKEN, or _USERNAME and _PASSWORD; --experiment
                 NAME reads only that experiment); repeatable.
                 Read where they are, never written.
  --json         JSON output for scripts
  --no-cache     do not keep a store snapshot in DIR/.cache
  -h, --help     help (runrewind COMMAND --help for one command)
`;

const RUN_ARG = 'RUN is a run id, an immutable version id, a run name or a unique prefix of a run id.';

/** Each command's own help; the global help lists them all. */
const COMMAND_HELP: Record<string, string> = {
  list: `Usage: runrewind list [--filter QUERY] [--json]

Runs with their archived versions and forks.

  --filter QUERY   only the runs QUERY matches, in the runs table's query language (MLflow's
                   search_runs syntax; config. and summary. for params. and metrics.), e.g.
                   --filter "config.lr > 0.001 and summary.loss.min < 0.2 and state = finished"
`,
  show: `Usage: runrewind show RUN [--json]

One run (or one immutable version): ids, state, config, summary, versions and lineage.
${RUN_ARG}
`,
  diff: `Usage: runrewind diff RUN [OTHER] [--json]

What changed: RUN (a fork or a rewound run, or an archived version that branched) against its source at
the branch step, or RUN (left) against OTHER (right). The config keys added (+), removed (-) and changed
(~), flattened; then each summary metric at the branch step, at the end of each side, and its best on each
side (the lowest or highest point of the whole history, by the way the metric is better when define_metric
or its name says so: loss, error lower; acc, f1 higher; else both as min…max).
${RUN_ARG}
`,
  history: `Usage: runrewind history RUN [--keys a,b] [--version ID] [--limit N] [--csv | --json | --jsonl]

The run's history, one row per step, with _step and _time (wall time) first.
  --keys a,b     only these keys (a key the run never logged is an error)
  --version ID   an archived version instead of the live one
  --limit N      only the last N rows
  --csv          CSV with _step and _timestamp (unix seconds)
  --json         one JSON array of objects
  --jsonl        one JSON object per line (stream-friendly: | head works)
${RUN_ARG}
`,
  console: `Usage: runrewind console RUN [--version ID] [--limit N] [--follow] [--json | --jsonl]

What the run printed (stdout and stderr, captured by the Python client), one line each:
time, stream, the step pending when it was printed, and the text. Lines marked ^ are inherited: printed
by the version this one was rewound or forked from, up to the branch step.
  --version ID   an archived version instead of the live one
  --limit N      only the last N lines
  --follow       keep printing new lines until interrupted (Ctrl-C)
  --json         one JSON array of {time, stream, step, text, version, inherited}
  --jsonl        one JSON object per line (works with --follow)
${RUN_ARG}
`,
  rewind: `Usage: runrewind rewind RUN --step N [--to-checkpoint]

Archives the run's live version and starts a new live version (same run id) from its rows up to step N.
The run must not be running; N must be before its last step. Continue logging with
runrewind.init(id=RUN, resume="must"). The newest checkpoint at or before the step (an artifact of type
model or checkpoint, or one logged with metadata={"step": N}) is printed with the line that loads it.
  --to-checkpoint  rewind to the step of the newest checkpoint at or before N (without --step: the
                   newest checkpoint before the last step), e.g. to continue from the weights a
                   preempted run saved last
${RUN_ARG}
`,
  fork: `Usage: runrewind fork RUN --step N [--id ID] [--name NAME]

A new run whose history starts with RUN's rows up to step N (RUN may be an archived version's id).
  --id ID        the new run's id (default: 8 random characters)
  --name NAME    its display name (default: generated)
${RUN_ARG}
`,
  delete: `Usage: runrewind delete RUN

Deletes the run and its archived versions from the views (an op record; the log files stay on disk).
Runs forked from it keep their history. Its artifacts and media files stay until runrewind gc, which
keeps every one another run logged, used or inherits.
${RUN_ARG}
`,
  gc: `Usage: runrewind gc [--dry-run] [--json]

Removes the artifact objects and manifests (DIR/objects, DIR/artifacts) and media files (DIR/media) that
no remaining run refers to: not logged, used or inherited by any live or archived version of a run that
is not deleted. Files newer than the start of a running run are kept (its writer stores a file before
the record that names it). Prints each file removed with its size, and the total.
  --dry-run      print what would be removed; remove nothing
  --json         {"dry_run", "removed": [{"kind", "path", "bytes"}], "bytes", "kept_recent"}
`,
  media: `Usage: runrewind media RUN [--key KEY] [--version ID] [--limit N] [--json]

The media a version logged (images, histograms, tables, audio, video, HTML; TensorBoard's images,
histograms and audio for imported runs), its ancestors' up to the branch step included (marked ^).
Without --key, one line per key: its kind, how many steps have an entry, the first and last of them.
  --key KEY      the entries of one key, one line per step, with each item's file
  --version ID   an archived version instead of the live one
  --limit N      only the first N entries of the key
  --json         keys: one JSON array of {key, kind, steps, first_step, last_step};
                 with --key: one JSON array of {step, kind, time, version, inherited, items}
${RUN_ARG}
`,
  artifacts: `Usage: runrewind artifacts RUN [--version ID] [--json]

The artifact versions the run's version logged, used or linked, its ancestors' up to the branch step
included (marked ^): action, name:version, type, step, aliases, size and files. Checkpoints (type model
or checkpoint, or metadata={"step": N}) are marked *.
  --version ID   an archived version instead of the live one
  --json         one JSON array of {action, name, version, spec, type, step, checkpoint_step, aliases,
                 size, files, digest, metadata, inherited, recorded_by, source_version, manifest}
${RUN_ARG}
`,
  sync: `Usage: runrewind sync --mlflow URI [--experiment NAME] [--max-upload-mb N] [RUN…] [--json]

Pushes runs to an MLflow tracking server through its REST API: each version of a run (the live one and
every archived one) becomes an MLflow run with the config as params, the tags, lineage tags
(runrewind.*, mlflow.parentRunId), every point of its history as metrics, inherited rows included, and
its system metrics (system/…). Its files go as run artifacts through the server's artifact proxy:
output.log (the console), media/<key>/<step>_<n>.<format>, files/… (run.save) and
artifacts/<name>/<vN>/… (logged artifacts). A fork's source comes along. Run it again to send what is
new: a sync stopped at any point sends only what the server lacks (it asks the server), never a point or
a file twice. Progress goes to stderr.
  --mlflow URI        the server, e.g. http://127.0.0.1:5000 (default: $MLFLOW_TRACKING_URI)
  --experiment NAME   the experiment every run goes to (created if missing; default: the run's project)
  --max-upload-mb N   upload at most N MB of files in this sync (default 2048; 0: no files); the rest
                      goes with the next sync
  --json              {"uri", "versions": [{run, version, archived, experiment, experiment_id,
                      mlflow_run_id, points, files, bytes, unchanged}], "created", "points", "params",
                      "tags", "files", "bytes", "batches", "requests", "warnings"}
Credentials as MLflow's client reads them: MLFLOW_TRACKING_TOKEN (a bearer token), or
MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (basic auth).
RUN as for every command (default: every run).
`,
  rebuild: `Usage: runrewind rebuild

Reads every log file again (the store is an index of the logs).
`,
};

const USAGE = `Usage: runrewind <command> [options]

Commands:
  list                          runs with their archived versions and forks
      --filter QUERY              only the runs the query matches (the runs table's language)
  show RUN                      one run (or immutable version id): ids, state, config, summary, lineage
  diff RUN [OTHER]              a fork or rewind against its source, or two runs: config and metrics
      --json
  history RUN                   the run's history, one row per step
      --keys a,b                  only these keys
      --version ID                an archived version instead of the live one
      --limit N                   only the last N rows
      --csv | --json | --jsonl    machine-readable output
  console RUN                   what the run printed, inherited lines marked ^
      --version ID  --limit N  --follow  --json | --jsonl
  rewind RUN --step N           archive the live version, continue from step N (same run id)
      --to-checkpoint             to the newest checkpoint at or before N instead
  fork RUN --step N             a new run that starts with RUN's history up to step N
      --id ID  --name NAME
  media RUN                     the media keys of a version, or a key's entries
      --key KEY  --version ID  --limit N  --json
  artifacts RUN                 the artifacts a version logged, used or linked
      --version ID  --json
  delete RUN                    hide a run and its archived versions (its log files stay)
  gc                            remove the artifact and media files no remaining run refers to
      --dry-run  --json
  sync --mlflow URI [RUN…]      push runs (every version, with lineage) to an MLflow tracking server
      --experiment NAME  --json
  rebuild                       read every log again

${RUN_ARG}

${COMMON_OPTIONS}
Exit codes: 0 done, 1 refused or failed (nothing written), 2 bad usage.
`;

class UsageError extends Error {}

interface Args {
  readonly command: string | undefined;
  readonly positional: string[];
  readonly options: Map<string, string | true>;
  /** Every --source, in order (the one repeatable option). */
  readonly sources: string[];
}

const VALUE_OPTIONS = new Set(['--dir', '--source', '--keys', '--key', '--version', '--limit', '--step', '--id', '--name', '--filter', '--mlflow', '--experiment', '--max-upload-mb']);
const FLAG_OPTIONS = new Set(['--dry-run', '--json', '--jsonl', '--csv', '--no-cache', '--follow', '--to-checkpoint', '--help', '-h']);

/** How often `console --follow` reads the logs again. */
const FOLLOW_POLL_MS = 500;

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  const sources: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('-')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      if (VALUE_OPTIONS.has(name)) {
        const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
        if (name === '--source') sources.push(value);
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
  return { command: positional.shift(), positional, options, sources };
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
  return usageNumber(text, '--step');
}

/** A number given on the command line: malformed is bad usage (exit 2), like a missing one. */
function usageNumber(text: string, what: string): number {
  try {
    return parseStep(text, what);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function logDirOf(args: Args): string {
  return path.resolve(option(args, '--dir') ?? process.env.RUNREWIND_DIR ?? '.runrewind');
}

/**
 * Runs one command. `stop` ends `console --follow` (tests); without it, --follow ends on SIGINT.
 */
export async function main(argv: readonly string[], out: (text: string) => void, warn: (text: string) => void = (text) => process.stderr.write(terminalSafe(text)), stop?: AbortSignal): Promise<number> {
  const args = parseArgs(argv);
  const help = args.options.has('--help') || args.options.has('-h');
  if (args.command === 'help') {
    const topic = args.positional[0];
    out(topic !== undefined && Object.hasOwn(COMMAND_HELP, topic) ? `${COMMAND_HELP[topic]}\n${COMMON_OPTIONS}` : USAGE);
    return 0;
  }
  if (args.command === undefined) {
    out(USAGE);
    return help ? 0 : 2;
  }
  if (!Object.hasOwn(COMMAND_HELP, args.command)) throw new UsageError(`unknown command ${JSON.stringify(args.command)} (commands: ${Object.keys(COMMAND_HELP).join(', ')})`);
  if (help) {
    out(`${COMMAND_HELP[args.command]}\n${COMMON_OPTIONS}`);
    return 0;
  }
  const formats = ['--json', '--jsonl', '--csv'].filter((f) => args.options.has(f));
  if (formats.length > 1) throw new UsageError(`${formats.join(' and ')} cannot be combined; pick one output format`);
  const logDir = logDirOf(args);
  // An http(s) address is an MLflow tracking server (read over its REST API), anything else a path.
  const sources = args.sources.map((s) => {
    if (!isServerSource(s)) return path.resolve(s);
    // --experiment limits a server source to that experiment (sync's --experiment is where runs go instead).
    const { base, experiments } = parseServerSource(s);
    const only = option(args, '--experiment');
    return serverSource(parseTrackingUri(base), experiments ?? (only !== undefined && args.command !== 'sync' ? [only] : []));
  });
  for (const source of sources) {
    if (!isServerSource(source) && !/[*?]/.test(source) && !fs.existsSync(source)) throw new RunRewindError('bad-argument', `the source ${source} does not exist (--source names a folder of other tools' logs, or a glob)`);
  }
  // With sources, the log directory may not exist yet: imported runs are read without it (an op
  // made on one of them creates it).
  const hasLogDir = fs.existsSync(logDir);
  if (!hasLogDir && sources.length === 0) throw new RunRewindError('bad-argument', `the log directory ${logDir} does not exist (set --dir or RUNREWIND_DIR)`);
  const json = args.options.has('--json');
  const follow = args.options.has('--follow');
  if (follow && args.command !== 'console') throw new UsageError('--follow is an option of runrewind console only');
  if (follow && json) throw new UsageError('--follow cannot be combined with --json (one array is printed at the end); use --jsonl');
  if (args.command === 'console' && args.options.has('--csv')) throw new UsageError('runrewind console has no --csv; use --json or --jsonl');
  const cache = !args.options.has('--no-cache') && hasLogDir;
  const engine = await Engine.open({ logDir, sources, importHoldSeconds: 0, mlflowAuth: authFromEnvironment(), snapshotPath: cache ? path.join(logDir, '.cache', cliSnapshotName(logDir, sources)) : undefined });
  try {
    if (engine.pulls) {
      // A server that cannot be read is a warning: the runs read before (the store cache) are still shown.
      for (const problem of (await engine.pull()).problems) warn(`runrewind: warning: ${problem}\n`);
    }
    if (args.command === 'rebuild') {
      const result = await engine.rebuild();
      out(json ? `${JSON.stringify({ runs: engine.listRuns().length, rows: result.rows, points: result.points })}\n` : `Rebuilt the store: ${engine.listRuns().length} runs, ${result.rows} rows, ${result.points} points.\n`);
    } else if (args.command === 'console') {
      engine.ingest();
      await consoleCommand(engine, args, json, follow, out, stop);
    } else if (args.command === 'sync') {
      engine.ingest();
      await syncCommand(engine, args, json, out, warn, stop);
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

/**
 * The run a RUN argument names: a run id or an immutable version id as they are; else the one run with
 * that name, or whose id starts with it. Several candidates are an error that lists them.
 */
function resolveRun(engine: Engine, text: string): string {
  const runs = engine.listRuns();
  if (runs.some((r) => r.id === text || r.versions.some((v) => v.id === text))) return text;
  const pick = (found: RunInfo[], how: string): string | undefined => {
    if (found.length === 1) return found[0].id;
    if (found.length > 1) {
      // By id, so the list reads the same whatever order the runs were read in.
      const sorted = [...found].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const shown = sorted.slice(0, 10).map((r) => `${r.id} (${r.name}, ${r.project})`).join(', ');
      throw new RunRewindError('bad-argument', `${JSON.stringify(text)} ${how} ${found.length} runs: ${shown}${found.length > 10 ? ', …' : ''}. Name one by its id.`);
    }
    return undefined;
  };
  return pick(runs.filter((r) => r.name === text), 'is the name of')
    ?? pick(text.length > 0 ? runs.filter((r) => r.id.startsWith(text)) : [], 'is the start of the ids of')
    ?? text; // the engine says there is no such run or version
}

/**
 * The command line's store cache in `<log dir>/.cache/`. Each set of sources keeps its own (a snapshot holds
 * what its sources imported), and so does each user and each path the directory is reached by: on a shared
 * file system users' snapshots are signed with keys of their own, and a snapshot names files by absolute
 * path, which differs between hosts that mount the directory at different places.
 */
export function cliSnapshotName(logDir: string, sources: readonly string[]): string {
  const user = process.getuid?.() ?? 'user';
  const key = createHash('sha1').update([String(user), path.resolve(logDir), ...sources].join('\n')).digest('hex').slice(0, 12);
  return `cli-store-${key}.rrsnap`;
}

/** A branch diff as the terminal shows it: both sides, the config changes, then one line per metric. */
function diffText(diff: BranchDiff): string {
  const side = (s: BranchDiff['base']): string => `${terminalSafe(s.name)} (${s.run}${s.archived ? `@${s.version}, archived` : ''}, last step ${s.lastStep ?? '-'})`;
  const how = diff.relation === 'fork' ? `is forked from` : diff.relation === 'rewind' ? 'is rewound from' : diff.relation === 'shared' ? 'shares its history with' : 'shares no history with';
  const at = diff.branchStep !== null ? ` up to step ${diff.branchStep}` : '';
  const value = (v: CellValue | undefined): string => (v === undefined ? '' : typeof v === 'number' ? cellText(v) : typeof v === 'string' ? v : JSON.stringify(v));
  const lines = [`${side(diff.other)} ${how} ${side(diff.base)}${at}.`, '', `config: ${diff.config.length} differ, ${diff.sameConfig} the same`];
  const out = [lines.join('\n'), '\n'];
  if (diff.config.length > 0) {
    const mark = { added: '+', removed: '-', changed: '~' } as const;
    out.push(textTable(['', 'key', 'left', 'right'], diff.config.map((c) => [mark[c.kind], c.key, value(c.before), value(c.after)])));
  }
  out.push(`\nsummary metrics: ${diff.metrics.length}\n`);
  if (diff.metrics.length > 0) {
    const best = (m: BranchDiff['metrics'][number], i: 0 | 1): string =>
      m.goal === 'min' ? value(m.min[i]) : m.goal === 'max' ? value(m.max[i]) : m.min[i] === null ? '' : `${value(m.min[i])}…${value(m.max[i])}`;
    const header = ['metric', 'best', ...(diff.branchStep !== null ? [`at step ${diff.branchStep}`] : []), 'end: left', 'end: right', 'best: left', 'best: right'];
    out.push(textTable(header, diff.metrics.map((m) => [m.key, m.goal ?? 'min…max', ...(diff.branchStep !== null ? [value(m.atBranch)] : []), value(m.end[0]), value(m.end[1]), best(m, 0), best(m, 1)])));
  }
  return terminalSafe(out.join(''));
}

function run(engine: Engine, args: Args, json: boolean, out: (text: string) => void): void {
  const target = (command: string): string => resolveRun(engine, requireRun(args, command));
  switch (args.command) {
    case 'list': {
      const filter = option(args, '--filter');
      // The table's own filter (src/shared/runQuery.ts), so a query reads the same in the editor; the
      // store reads only the cells it names, and only the runs it matches are described.
      const runs = filter === undefined ? engine.listRuns() : engine.listRuns(engine.matchingRuns(filter));
      if (json) out(`${JSON.stringify(runs.map(runJson), null, 2)}\n`);
      else if (runs.length === 0) out(filter !== undefined ? `No run in ${engine.logDir} matches the filter.\n` : `No runs in ${engine.logDir}.\n`);
      else out(listText(runs));
      return;
    }
    case 'show': {
      const overview = engine.getRun(target('show'));
      if (json) {
        out(`${JSON.stringify(overviewJson(overview), null, 2)}\n`);
        return;
      }
      const lines = [
        `${overview.name}  (${overview.project})`,
        `  run id:        ${overview.id}`,
        `  immutable id:  ${overview.version.id}${overview.version.archived ? ' (archived)' : ''}`,
        `  state:         ${overview.state}`,
        ...(overview.origin ? [`  imported from: ${overview.origin.label} ${overview.origin.path}`] : []),
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
    case 'diff': {
      if (args.positional.length === 0) throw new UsageError('diff needs a run id: runrewind diff RUN [OTHER]');
      if (args.positional.length > 2) throw new UsageError(`diff takes one or two run ids, got ${args.positional.length}`);
      const [a, b] = args.positional.map((p) => resolveRun(engine, p));
      const diff = engine.branchDiff(a, b);
      out(json ? `${JSON.stringify(diff, null, 2)}\n` : diffText(diff));
      return;
    }
    case 'history': {
      const version = option(args, '--version');
      const shown = version ?? target('history');
      const keys = option(args, '--keys')?.split(',').map((k) => k.trim()).filter((k) => k !== '');
      if (keys) {
        const known = new Set(engine.metricKeys(shown).map((k) => k.key));
        const unknown = keys.filter((k) => !known.has(k));
        if (unknown.length > 0) {
          const have = [...known].slice(0, 20).join(', ');
          throw new RunRewindError('bad-argument', `${shown} has no key ${unknown.map((k) => JSON.stringify(k)).join(', ')} (its keys: ${have || 'none'}${known.size > 20 ? ', …' : ''})`);
        }
      }
      const limitText = option(args, '--limit');
      const limit = limitText === undefined ? undefined : usageNumber(limitText, '--limit');
      const table = engine.history(shown, { keys, offset: limit === undefined ? 0 : -limit, limit });
      if (json) out(`${JSON.stringify(historyJson(table))}\n`);
      else if (args.options.has('--jsonl')) out(historyJson(table).map((row) => `${JSON.stringify(row)}\n`).join(''));
      else if (args.options.has('--csv')) out(historyCsv(table));
      else out(textTable(['_step', '_time', ...table.columns], table.rows.map((r) => [String(r.step), wallTime(r.time), ...r.cells.map(cellText)])));
      return;
    }
    case 'rewind': {
      const runId = target('rewind');
      const { step, checkpoint } = rewindStep(engine, runId, args);
      const result = engine.rewind(runId, step);
      if (json) {
        out(`${JSON.stringify({ run: runJson(result.run), version: result.version, archived: result.archived ?? null, checkpoint: checkpoint ? checkpointJson(checkpoint) : null }, null, 2)}\n`);
        return;
      }
      const lines = [`Rewound run ${runId} to step ${result.run.lastStep}: version ${result.archived} is archived, ${result.version} is live.`];
      if (checkpoint) lines.push(`Checkpoint: ${checkpointSpec(checkpoint)} (${checkpoint.type}) at step ${checkpoint.step}.`);
      lines.push(`Continue logging with: run = runrewind.init(id="${runId}", resume="must")`);
      if (checkpoint) lines.push(`Load the checkpoint with: ${checkpointLoadLine(checkpoint)}`);
      out(`${lines.join('\n')}\n`);
      return;
    }
    case 'media': {
      const version = option(args, '--version') ?? engine.getRun(target('media')).version.id;
      const key = option(args, '--key');
      if (key === undefined) {
        const keys = engine.mediaKeys(version);
        if (json) {
          out(`${JSON.stringify(keys.map((k) => ({ key: k.key, kind: k.kind, steps: k.steps, first_step: k.firstStep, last_step: k.lastStep })), null, 2)}\n`);
        } else if (keys.length === 0) {
          out(`Version ${version} logged and inherited no media.\n`);
        } else {
          out(textTable(['KEY', 'KIND', 'STEPS', 'FIRST', 'LAST'], keys.map((k) => [k.key, k.kind, String(k.steps), String(k.firstStep), String(k.lastStep)])));
        }
        return;
      }
      const limitText = option(args, '--limit');
      const limit = limitText === undefined ? undefined : usageNumber(limitText, '--limit');
      const entries = engine.mediaEntries(version, key, undefined, limit);
      if (json) {
        out(`${JSON.stringify(entries.map((e) => ({ step: e.step, kind: e.kind, time: Number.isNaN(e.time) ? null : e.time, version: e.version, inherited: e.inherited, items: e.items })), null, 2)}\n`);
        return;
      }
      if (entries.length === 0) {
        out(`Version ${version} has no media under ${JSON.stringify(key)}.\n`);
        return;
      }
      out(textTable(['STEP', 'KIND', 'ITEMS'], entries.map((e) => [`${e.inherited ? '^' : ' '}${e.step}`, e.kind, e.items.map(describeMediaItem).join('; ')])));
      return;
    }
    case 'artifacts': {
      const version = option(args, '--version') ?? engine.getRun(target('artifacts')).version.id;
      const uses = engine.artifacts(version);
      const marks = new Map(checkpoints(uses).map((c) => [`${c.recordedBy} ${checkpointSpec(c)}`, c.step]));
      const at = (a: ArtifactUse): number | null => (a.action === 'log' ? marks.get(`${a.recordedBy} ${a.name}:${a.artifactVersion}`) ?? null : null);
      if (json) {
        out(`${JSON.stringify(uses.map((a) => ({
          action: a.action, name: a.name, version: a.artifactVersion, spec: `${a.name}:${a.artifactVersion}`, type: a.type, step: a.step, checkpoint_step: at(a),
          aliases: a.aliases, size: a.size, files: a.files, digest: a.digest, metadata: a.metadata, inherited: a.inherited, recorded_by: a.recordedBy,
          source_version: a.sourceVersion, manifest: a.manifestFile,
        })), null, 2)}\n`);
        return;
      }
      if (uses.length === 0) {
        out(`Version ${version} logged, used and inherited no artifacts.\n`);
        return;
      }
      out(textTable(['ACTION', 'ARTIFACT', 'TYPE', 'STEP', 'ALIASES', 'SIZE', 'FILES'], uses.map((a) => [
        `${a.inherited ? '^' : ' '}${at(a) !== null ? '*' : ' '} ${a.action}`, `${a.name}:${a.artifactVersion}`, a.type, a.step === null ? '-' : String(a.step),
        a.aliases.join(','), a.size === null ? '-' : formatBytes(a.size), a.files === null ? '-' : String(a.files),
      ])));
      return;
    }
    case 'delete': {
      const id = target('delete');
      engine.deleteRun(id);
      out(json ? `${JSON.stringify({ deleted: id })}\n` : `Deleted run ${id} (its log files stay; runrewind gc frees the files no other run uses).\n`);
      return;
    }
    case 'gc': {
      if (args.positional.length > 0) throw new UsageError(`runrewind gc takes no RUN (got ${JSON.stringify(args.positional[0])}); it looks at every run of the log directory`);
      const dryRun = args.options.has('--dry-run');
      const result = collectGarbage(engine.logDir, engine.gcReferences(), dryRun);
      if (json) {
        out(`${JSON.stringify({ dry_run: dryRun, removed: result.removed, bytes: result.bytes, kept_recent: result.keptRecent }, null, 2)}\n`);
        return;
      }
      const verb = dryRun ? 'Would remove' : 'Removed';
      for (const e of result.removed) out(`${verb} ${e.kind} ${e.path} (${formatBytes(e.bytes)})\n`);
      out(`${verb} ${result.removed.length} unreferenced file${result.removed.length === 1 ? '' : 's'}, ${formatBytes(result.bytes)}.${result.keptRecent > 0 ? ` Kept ${result.keptRecent} newer than a running run.` : ''}\n`);
      return;
    }
    case 'fork': {
      const source = target('fork');
      const step = requireStep(args, 'fork');
      const result = engine.fork(source, step, { id: option(args, '--id'), name: option(args, '--name') });
      if (json) out(`${JSON.stringify({ run: runJson(result.run), version: result.version }, null, 2)}\n`);
      else out(`Forked ${source} at step ${step} as run ${result.run.id} (${result.run.name}).\nContinue logging with: runrewind.init(id="${result.run.id}", resume="must")\n`);
      return;
    }
  }
}

/**
 * The step `rewind` goes to and the checkpoint that goes with it: --step N as given (its checkpoint is
 * the newest at or before N), or with --to-checkpoint that checkpoint's own step.
 */
function rewindStep(engine: Engine, runId: string, args: Args): { step: number; checkpoint: Checkpoint | undefined } {
  const toCheckpoint = args.options.has('--to-checkpoint');
  if (!toCheckpoint) {
    const step = requireStep(args, 'rewind');
    return { step, checkpoint: checkpointAtOrBefore(engine.artifacts(engine.getRun(runId).version.id), step) };
  }
  const overview = engine.getRun(runId);
  const given = option(args, '--step');
  const last = overview.lastStep;
  // Without --step: the newest checkpoint the rewind can go to (one at the last step changes nothing).
  const limit = given !== undefined ? usageNumber(given, '--step') : last === null ? 0 : Math.max(0, last - 1);
  const all = checkpoints(engine.artifacts(overview.version.id));
  const checkpoint = checkpointAtOrBefore(engine.artifacts(overview.version.id), limit);
  if (!checkpoint) {
    const have = all.map((c) => `${checkpointSpec(c)} at step ${c.step}`);
    throw new RunRewindError('bad-argument', `run ${runId} has no checkpoint at or before step ${limit} (${have.length > 0 ? `its checkpoints: ${have.slice(0, 10).join(', ')}${have.length > 10 ? ', …' : ''}` : 'it logged no artifact of type model or checkpoint, and none with metadata={"step": N}'})`);
  }
  return { step: checkpoint.step, checkpoint };
}

function checkpointJson(c: Checkpoint): Record<string, unknown> {
  return { name: c.name, version: c.artifactVersion, spec: checkpointSpec(c), type: c.type, step: c.step, aliases: c.aliases, logged_by: c.recordedBy, manifest: c.manifestFile };
}

/**
 * `runrewind console`: a page of the lines, then with --follow every new line, reading the logs every
 * FOLLOW_POLL_MS until interrupted. The version is fixed when it starts (a run id follows the version
 * that is live then).
 */
async function consoleCommand(engine: Engine, args: Args, json: boolean, follow: boolean, out: (text: string) => void, stop: AbortSignal | undefined): Promise<void> {
  const version = option(args, '--version') ?? engine.getRun(resolveRun(engine, requireRun(args, 'console'))).version.id;
  const limitText = option(args, '--limit');
  const limit = limitText === undefined ? undefined : usageNumber(limitText, '--limit');
  const jsonl = args.options.has('--jsonl');
  const print = (lines: readonly ConsoleLine[]): void => {
    if (lines.length === 0) return;
    if (jsonl) out(lines.map((l) => `${JSON.stringify(consoleJson(l))}\n`).join(''));
    else out(lines.map((l) => `${consoleTime(l.time)}  ${l.stream.padEnd(6)}  ${String(l.step).padStart(6)}  ${l.inherited ? '^' : ' '} ${l.text}\n`).join(''));
  };
  const first = engine.consoleLines(version, limit === undefined ? {} : { offset: -limit, limit });
  if (json) {
    out(`${JSON.stringify(first.lines.map(consoleJson))}\n`);
    return;
  }
  print(first.lines);
  if (!follow) return;
  let shown = first.offset + first.lines.length;
  const ended = stop ?? interrupted();
  while (!ended.aborted) {
    await sleep(FOLLOW_POLL_MS, ended);
    if (ended.aborted) break;
    engine.ingest();
    const page = engine.consoleLines(version, { offset: shown });
    print(page.lines);
    shown += page.lines.length;
  }
}

function consoleJson(line: ConsoleLine): Record<string, unknown> {
  return { time: line.time, stream: line.stream, step: line.step, text: line.text, version: line.version, inherited: line.inherited };
}

/**
 * `runrewind sync`: the runs named (default all) to an MLflow server, progress on stderr. The test hook
 * RUNREWIND_SYNC_TEST_KILL_AFTER_BATCHES=N kills the process (SIGKILL) right after the server accepted
 * batch N, before the sync state records it: the case a resumed sync must get right.
 * RUNREWIND_SYNC_TEST_KILL_MID_UPLOAD=N kills it while the bytes of an upload go out: the first one
 * numbered N or later of a file of 1 MiB or more, after half of them.
 */
async function syncCommand(engine: Engine, args: Args, json: boolean, out: (text: string) => void, warn: (text: string) => void, stop: AbortSignal | undefined): Promise<void> {
  const uri = option(args, '--mlflow') ?? process.env.MLFLOW_TRACKING_URI;
  if (uri === undefined || uri.trim() === '') throw new UsageError('sync needs --mlflow URI, the tracking server (or MLFLOW_TRACKING_URI)');
  const runs = args.positional.map((r) => resolveRun(engine, r));
  const killAfter = Number(process.env.RUNREWIND_SYNC_TEST_KILL_AFTER_BATCHES ?? '');
  const killMidUpload = Number(process.env.RUNREWIND_SYNC_TEST_KILL_MID_UPLOAD ?? '');
  const maxUpload = option(args, '--max-upload-mb');
  const maxUploadMb = maxUpload === undefined ? undefined : Number(maxUpload);
  if (maxUploadMb !== undefined && (maxUpload!.trim() === '' || !Number.isFinite(maxUploadMb) || maxUploadMb < 0)) {
    throw new UsageError(`--max-upload-mb takes a number of megabytes, 0 or more (got ${JSON.stringify(maxUpload)})`);
  }
  let lastLine = 0;
  const signal = stop ?? interrupted();
  const result = await syncToMlflow(engine, {
    uri, experiment: option(args, '--experiment'), runs, statePath: syncStatePath(engine.logDir, uri), auth: authFromEnvironment(), signal,
    maxUploadBytes: maxUploadMb === undefined ? undefined : Math.round(maxUploadMb * 1024 ** 2),
    progress: (p) => {
      // At most a line every half second: a long history is thousands of batches.
      if (Date.now() - lastLine < 500) return;
      lastLine = Date.now();
      warn(`sync: ${Math.round(p.fraction * 100)}%  ${p.pointsSent} points sent  ${p.filesUploaded} files uploaded  ${p.message}\n`);
    },
    uploadTap: Number.isInteger(killMidUpload) && killMidUpload > 0 ? (n, sent, size) => {
      if (n >= killMidUpload && size >= 1024 ** 2 && sent >= size / 2) process.kill(process.pid, 'SIGKILL');
    } : undefined,
    afterBatch: Number.isInteger(killAfter) && killAfter > 0 ? (n) => {
      if (n >= killAfter) process.kill(process.pid, 'SIGKILL');
    } : undefined,
  }).catch((error: unknown) => {
    if (signal.aborted) throw new RunRewindError('io', 'sync interrupted; run it again to send the rest (nothing is sent twice)');
    throw error;
  });
  for (const w of result.warnings) warn(`runrewind: warning: ${w}\n`);
  if (json) {
    out(`${JSON.stringify({
      uri: result.uri,
      versions: result.versions.map((v) => ({ run: v.run, version: v.version, archived: v.archived, experiment: v.experiment, experiment_id: v.experimentId, mlflow_run_id: v.mlflowRunId, points: v.points, files: v.files, bytes: v.bytes, unchanged: v.unchanged })),
      created: result.created, points: result.points, params: result.params, tags: result.tags, files: result.files, bytes: result.bytes, batches: result.batches, requests: result.requests, warnings: result.warnings,
    }, null, 2)}\n`);
    return;
  }
  const unchanged = result.versions.filter((v) => v.unchanged).length;
  const rows = result.versions.filter((v) => !v.unchanged).map((v) => [v.run, v.archived ? `${v.version} (archived)` : v.version, v.experiment, v.mlflowRunId, String(v.points), String(v.files)]);
  if (rows.length > 0) out(textTable(['RUN', 'VERSION', 'EXPERIMENT', 'MLFLOW RUN', 'POINTS SENT', 'FILES UPLOADED'], rows));
  out(`Synced ${result.versions.length} version${result.versions.length === 1 ? '' : 's'} to ${result.uri}: ${result.points} points, ${result.params} params, ${result.tags} tags in ${result.batches} batches, ${result.files} files (${(result.bytes / 1024 ** 2).toFixed(1)} MB); ${result.created} MLflow run${result.created === 1 ? '' : 's'} created${unchanged > 0 ? `, ${unchanged} unchanged since the last sync` : ''}.\n`);
}

/** Aborted on the first SIGINT (Ctrl-C): `console --follow` then ends with exit code 0. */
function interrupted(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Local wall time to the millisecond (a console line's time). */
function consoleTime(unixSeconds: number): string {
  if (!Number.isFinite(unixSeconds)) return ''.padEnd(23);
  const ms = Math.round(unixSeconds * 1000);
  return `${wallTime(Math.floor(ms / 1000))}.${String(ms % 1000).padStart(3, '0')}`;
}

/** Local wall time to the second, sortable (the history table's _time column). */
function wallTime(unixSeconds: number): string {
  if (!Number.isFinite(unixSeconds)) return '';
  const d = new Date(unixSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function listText(runs: readonly RunInfo[]): string {
  const rows: string[][] = [];
  for (const r of runs) {
    const headline = r.headline ? `${r.headline.key}=${formatNumber(r.headline.value)}` : '';
    const origin = r.forkedFrom ? `forked from ${r.forkedFrom.run}@${r.forkedFrom.step}` : r.origin ? r.origin.label : '';
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

/** One media item in a line: its file (relative to the log directory) and what it is, or a histogram's shape. */
function describeMediaItem(item: MediaFileItem): string {
  const parts: string[] = [];
  if (item.bins && item.counts) {
    const total = item.counts.reduce((a, b) => a + b, 0);
    parts.push(`${item.counts.length} bins over [${formatNumber(item.bins[0])}, ${formatNumber(item.bins[item.bins.length - 1])}], ${formatNumber(total)} values`);
  }
  const file = mediaFile(item);
  if (file) parts.push(file);
  if (typeof item.width === 'number' && typeof item.height === 'number') parts.push(`${item.width}×${item.height}`);
  if (typeof item.size === 'number') parts.push(formatBytes(item.size));
  if (typeof item.caption === 'string' && item.caption !== '') parts.push(JSON.stringify(item.caption));
  return parts.join(' ');
}
