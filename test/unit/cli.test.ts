// The command line: outputs for scripts and one clear line on bad input.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliSnapshotName, main } from '../../src/cli';
import { encodeRecord } from '../../src/core/protocol';
import { linearRun, snapshotTree, tempDir, writer } from './helpers';

const cliPath = path.join(__dirname, '..', '..', 'src', 'cli.js');

async function capture(argv: string[]): Promise<string> {
  let out = '';
  const code = await main(argv, (text) => {
    out += text;
  });
  assert.equal(code, 0);
  return out;
}

function cli(argv: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...argv], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('runrewind command line', () => {
  it('prints history as JSON with _step, _timestamp and non-finite values as strings', async () => {
    const dir = tempDir();
    let t = 100;
    const w = writer(dir, { clock: () => t++ });
    w.log({ loss: 0.5, acc: Number.NaN });
    w.log({ loss: Number.POSITIVE_INFINITY, note: 'hi' });
    w.finish();
    const rows = JSON.parse(await capture(['history', w.run, '--dir', dir, '--json'])) as unknown[];
    assert.deepEqual(rows, [
      { _step: 0, _timestamp: 101, acc: 'NaN', loss: 0.5 },
      { _step: 1, _timestamp: 102, loss: 'Infinity', note: 'hi' },
    ]);
    const csv = await capture(['history', w.run, '--dir', dir, '--csv', '--keys', 'loss']);
    assert.equal(csv, '_step,_timestamp,loss\n0,101,0.5\n1,102,Infinity\n');
  });

  it('shows a run with its versions, lineage and forked_from, and rewinds and forks', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 50, { config: { lr: 3 } });
    const rewound = JSON.parse(await capture(['rewind', w.run, '--step', '20', '--dir', dir, '--json'])) as { version: string; archived: string };
    assert.equal(rewound.archived, w.version);
    const forked = JSON.parse(await capture(['fork', w.run, '--step', '10', '--id', 'f1', '--name', 'Fork one', '--dir', dir, '--json'])) as { run: { id: string; name: string } };
    assert.deepEqual([forked.run.id, forked.run.name], ['f1', 'Fork one']);
    const shown = JSON.parse(await capture(['show', 'f1', '--dir', dir, '--json'])) as Record<string, unknown>;
    assert.deepEqual(shown.forked_from, { run: w.run, version: rewound.version, step: 10 });
    assert.deepEqual(shown.config, { lr: 3 });
    assert.equal(shown.last_step, 10);
    const run = JSON.parse(await capture(['show', w.run, '--dir', dir, '--json'])) as { versions: { id: string; archived: boolean; parent: string | null; branch_step: number | null }[] };
    assert.deepEqual(run.versions.map((v) => [v.id, v.archived, v.parent, v.branch_step]), [[rewound.version, false, w.version, 20], [w.version, true, null, null]]);
    const list = await capture(['list', '--dir', dir]);
    assert.match(list, new RegExp(`└ ${w.version}\\s+archived`));
    assert.match(list, new RegExp(`forked from ${w.run}@10`));
  });

  it('says what was wrong in one line and exits non-zero, writing nothing', () => {
    const dir = tempDir();
    const w = linearRun(dir, 5);
    const before = snapshotTree(dir);
    const cases: [string[], number, RegExp][] = [
      [['rewind', w.run, '--step', '9', '--dir', dir, '--no-cache'], 1, /Cannot rewind run \w+ to step 9: its last step is 4/],
      [['rewind', w.run, '--step', 'x', '--dir', dir, '--no-cache'], 2, /step must be a non-negative integer, got "x"/],
      [['rewind', w.run, '--step', '-1', '--dir', dir, '--no-cache'], 2, /step must be a non-negative integer, got "-1"/],
      [['history', w.run, '--limit', 'lots', '--dir', dir, '--no-cache'], 2, /--limit: the step must be a non-negative integer/],
      [['history', w.run, '--keys', 'metric,nope', '--dir', dir, '--no-cache'], 1, /has no key "nope" \(its keys: metric\)/],
      [['history', w.run, '--csv', '--json', '--dir', dir, '--no-cache'], 2, /cannot be combined/],
      [['rewind', w.run, '--dir', dir, '--no-cache'], 2, /rewind needs --step N/],
      [['fork', 'ghost', '--step', '1', '--dir', dir, '--no-cache'], 1, /no run or version "ghost"/],
      [['frobnicate', '--dir', dir], 2, /unknown command "frobnicate"/],
      [['list', '--bogus'], 2, /unknown option --bogus/],
      [['list', '--dir', path.join(dir, 'missing')], 1, /does not exist/],
    ];
    for (const [argv, code, pattern] of cases) {
      const r = cli(argv);
      assert.equal(r.code, code, argv.join(' '));
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${argv.join(' ')}`);
    }
    assert.deepEqual(snapshotTree(dir), before);
  });

  it('lists only the runs a --filter query matches, and names where a bad query is wrong', async () => {
    const dir = tempDir();
    const slow = linearRun(dir, 5, { name: 'slow', config: { lr: 0.001 } });
    const fast = linearRun(dir, 50, { name: 'fast', config: { lr: 0.1 } });
    const picked = JSON.parse(await capture(['list', '--dir', dir, '--json', '--filter', 'config.lr > 0.01 and summary.metric.max >= 49'])) as { id: string }[];
    assert.deepEqual(picked.map((r) => r.id), [fast.run]);
    assert.match(await capture(['list', '--dir', dir, '--filter', "params.lr = '0.001'"]), new RegExp(slow.run));
    assert.match(await capture(['list', '--dir', dir, '--filter', 'name = nobody']), /No run in .* matches the filter/);
    const bad = cli(['list', '--dir', dir, '--no-cache', '--filter', 'config.lx > 1']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /config key "lx".*did you mean "lr".*at column 1/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  it('reads RUNREWIND_DIR when --dir is not given', () => {
    const dir = tempDir();
    const w = linearRun(dir, 3);
    const r = cli(['list', '--json'], { RUNREWIND_DIR: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { id: string }[])[0].id, w.run);
  });

  it('names runs by id, version id, unique name or unique id prefix, and lists the candidates when ambiguous', async () => {
    const dir = tempDir();
    linearRun(dir, 3, { run: 'abc111', name: 'nc-base' });
    linearRun(dir, 3, { run: 'abc222', name: 'twin' });
    linearRun(dir, 3, { run: 'xyz333', name: 'twin' });
    const show = async (name: string): Promise<string> => (JSON.parse(await capture(['show', name, '--dir', dir, '--no-cache', '--json'])) as { id: string }).id;
    assert.equal(await show('nc-base'), 'abc111');
    assert.equal(await show('xyz'), 'xyz333');
    assert.equal(await show('abc222'), 'abc222');
    const byName = cli(['show', 'twin', '--dir', dir, '--no-cache']);
    assert.equal(byName.code, 1);
    assert.match(byName.stderr, /"twin" is the name of 2 runs: abc222 \(twin, uncategorized\), xyz333 \(twin, uncategorized\)\. Name one by its id\./);
    const byPrefix = cli(['rewind', 'abc', '--step', '1', '--dir', dir, '--no-cache']);
    assert.equal(byPrefix.code, 1);
    assert.match(byPrefix.stderr, /"abc" is the start of the ids of 2 runs/);
    assert.match(cli(['show', 'nothing-like-it', '--dir', dir, '--no-cache']).stderr, /no run or version "nothing-like-it"/);
  });

  it("gives each command its own help, history a time column and --jsonl one object per line", async () => {
    const dir = tempDir();
    let t = 1_700_000_000;
    const w = writer(dir, { clock: () => t++ });
    for (let i = 0; i < 3; i++) w.log({ m: i });
    w.finish();
    const rewindHelp = cli(['rewind', '--help']);
    assert.equal(rewindHelp.code, 0);
    assert.match(rewindHelp.stdout, /^Usage: runrewind rewind RUN --step N/);
    assert.doesNotMatch(rewindHelp.stdout, /Commands:/);
    assert.match(cli(['help', 'fork']).stdout, /^Usage: runrewind fork RUN --step N \[--id ID\]/);
    const text = await capture(['history', w.run, '--dir', dir, '--no-cache']);
    assert.match(text.split('\n')[0], /^_step\s+_time\s+m$/);
    assert.match(text.split('\n')[1], /^0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+0$/);
    const jsonl = (await capture(['history', w.run, '--jsonl', '--dir', dir, '--no-cache'])).trimEnd().split('\n');
    assert.equal(jsonl.length, 3);
    assert.deepEqual(JSON.parse(jsonl[2]), { _step: 2, _timestamp: 1_700_000_003, m: 2 });
  });

  it('writes control and bidi characters from names and keys as escapes, never raw to the terminal', () => {
    const dir = tempDir();
    const w = writer(dir, { run: 'esc', name: 'red\u001b[31mname\u001b]0;pwned\u0007\u202egnp.exe' });
    w.log({ 'k\u001b[2Jey': 1, '\u009b31m': 2 });
    w.finish();
    for (const argv of [['show', 'esc'], ['history', 'esc', '--csv'], ['history', 'esc'], ['list'], ['show', 'esc', '--json']]) {
      const r = cli([...argv, '--dir', dir, '--no-cache']);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, argv.join(' '));
    }
    const shown = cli(['show', 'esc', '--dir', dir, '--no-cache']).stdout;
    assert.match(shown, /red\\u001b\[31mname\\u001b\]0;pwned\\u0007\\u202egnp\.exe/);
    const json = JSON.parse(cli(['show', 'esc', '--json', '--dir', dir, '--no-cache']).stdout) as { name: string; summary: Record<string, number> };
    assert.equal(json.name, 'red\u001b[31mname\u001b]0;pwned\u0007\u202egnp.exe', 'JSON escapes decode to the same name');
    assert.equal(json.summary['\u009b31m'], 2);
  });

  it('applies an operation once when its cache cannot be written: a warning and exit 0, no temp files', () => {
    const dir = tempDir();
    const w = linearRun(dir, 5);
    // A directory where the snapshot file should be: the rename of the new snapshot fails.
    fs.mkdirSync(path.join(dir, '.cache', cliSnapshotName(dir, [])), { recursive: true });
    const r = cli(['rewind', w.run, '--step', '2', '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: the store cache .* could not be written/);
    assert.deepEqual(fs.readdirSync(path.join(dir, '.cache')), [cliSnapshotName(dir, [])], 'no .tmp left behind');
    assert.equal(fs.readdirSync(path.join(dir, 'ops')).length, 1, 'one rewind');
    const again = cli(['show', w.run, '--dir', dir, '--json']);
    assert.equal(again.code, 0);
    assert.equal((JSON.parse(again.stdout) as { versions: unknown[] }).versions.length, 2);
  });

  it('prints a console with inherited lines marked, as --json and --jsonl, with escape codes never raw', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'runs', 'c1');
    fs.mkdirSync(folder, { recursive: true });
    const line = (t: number, stream: string, step: number, text: string): unknown[] => [t, stream, step, text];
    const file = (stamp: string, records: Record<string, unknown>[]): void => fs.writeFileSync(path.join(folder, `${stamp}.jsonl`), records.map((r) => `${encodeRecord(r)}\n`).join(''));
    const start = { type: 'start', protocol: 1, protocol_minor: 1, time: 100, run: 'c1', mode: 'new', version: 'vcli000000000', host: 'elsewhere', pid: 1 };
    // A hostile line: a writer that did not strip escapes (the protocol says it must) still cannot
    // move the cursor or recolour the terminal through the command line.
    file('1700000000000-aaaaaaaa', [start, { type: 'console', time: 101, lines: [line(100.5, 'stdout', 0, 'loading'), line(101.25, 'stderr', 1, 'evil \u001b[2J\u001b]0;title\u0007 \u202e end')] },
      { type: 'row', time: 101, step: 0, data: { x: 1 } }, { type: 'row', time: 102, step: 1, data: { x: 2 } }, { type: 'finish', time: 103, exit_code: 0 }]);
    file('1700000000001-aaaaaaaa', [{ ...start, version: 'vcli000000001', mode: 'rewind', source: { run: 'c1', version: 'vcli000000000', step: 1 } },
      { type: 'console', time: 110, lines: [line(110, 'stdout', 2, 'own line\twith tab')] }, { type: 'finish', time: 111, exit_code: 0 }]);
    const text = await capture(['console', 'c1', '--dir', dir]);
    const rows = text.trimEnd().split('\n');
    assert.equal(rows.length, 3);
    assert.match(rows[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.500 {2}stdout {2} {5}0 {2}\^ loading$/);
    assert.match(rows[1], /stderr {2} {5}1 {2}\^ evil /);
    assert.match(rows[2], /stdout {2} {5}2 {4}own line\twith tab$/);
    const jsonl = (await capture(['console', 'c1', '--dir', dir, '--jsonl'])).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(jsonl.map((l) => [l.version, l.inherited, l.stream, l.step]), [['vcli000000000', true, 'stdout', 0], ['vcli000000000', true, 'stderr', 1], ['vcli000000001', false, 'stdout', 2]]);
    assert.equal(jsonl[1].text, 'evil \u001b[2J\u001b]0;title\u0007 \u202e end', 'JSON keeps the text exactly (JSON escapes it)');
    const json = JSON.parse(await capture(['console', 'vcli000000000', '--dir', dir, '--json', '--limit', '1'])) as Record<string, unknown>[];
    assert.deepEqual(json.map((l) => [l.inherited, l.step]), [[false, 1]]);
    // Through the real process, on a terminal's stdout: no escape or bidi character gets out raw.
    const shown = cli(['console', 'c1', '--dir', dir]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.doesNotMatch(shown.stdout, /[\u001b\u0007\u202e]/);
    assert.match(shown.stdout, /evil \\u001b\[2J\\u001b\]0;title\\u0007 \\u202e end/);
    assert.match(cli(['console', '--help']).stdout, /Usage: runrewind console RUN/);
    assert.equal(cli(['console', 'c1', '--dir', dir, '--follow', '--json']).code, 2);
    assert.equal(cli(['history', 'c1', '--dir', dir, '--follow']).code, 2);
  });

  it('follows a console until interrupted, then exits 0', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'runs', 'live');
    fs.mkdirSync(folder, { recursive: true });
    const logFile = path.join(folder, '1700000000000-aaaaaaaa.jsonl');
    const append = (record: Record<string, unknown>): void => fs.appendFileSync(logFile, `${encodeRecord(record)}\n`);
    append({ type: 'start', protocol: 1, protocol_minor: 1, time: 100, run: 'live', mode: 'new', version: 'vlive00000000', host: 'elsewhere', pid: 1 });
    append({ type: 'console', time: 100, lines: [[100, 'stdout', 0, 'before follow']] });
    const child = spawn(process.execPath, [cliPath, 'console', 'live', '--dir', dir, '--follow', '--jsonl', '--no-cache'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (text: string): Promise<void> => {
      while (!stdout.includes(text)) {
        if (child.exitCode !== null) assert.fail(`the follower exited early: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitFor('before follow');
    append({ type: 'console', time: 101, lines: [[101, 'stdout', 0, 'printed later'], [101, 'stderr', 0, 'and another']] });
    await waitFor('and another');
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.deepEqual(stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { text: string }).text), ['before follow', 'printed later', 'and another']);
  });
});
