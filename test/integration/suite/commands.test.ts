// Each command's success path and each refusal, driven with arguments instead of prompts (the prompts
// themselves are driven by the UI tests).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LineageOutcome } from '../../../src/commands/lineage';
import type { SimpleOutcome } from '../../../src/commands/runCommands';
import { stepRefusal } from '../../../src/commands/stepInput';
import { CommandId, EXTENSION_ID, SETTINGS_SECTION, Setting } from '../../../src/ids';
import { extensionApi, listedRun, logDir, logRun, runRow, showRunsViewAndStore, uniqueId, waitFor } from './helpers';

async function run<T>(command: CommandId, ...args: unknown[]): Promise<T> {
  return (await vscode.commands.executeCommand(command, ...args)) as T;
}

describe('commands', () => {
  before(async () => {
    await showRunsViewAndStore();
  });

  it('rewinds a run: same id, new live version, the old one archived, revealed and selected', async () => {
    const api = await extensionApi();
    const id = uniqueId('rw');
    logRun(id, 100);
    const before = await waitFor(() => listedRun(api, id), `${id} ingested`);
    const outcome = await run<LineageOutcome>(CommandId.RewindToStep, id, 60, { confirm: false });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.runId, id);
    assert.equal(outcome.archived, before.liveVersion);
    const after = await listedRun(api, id);
    assert.equal(after?.lastStep, 60);
    assert.notEqual(after?.liveVersion, before.liveVersion);
    assert.ok(after?.versions.some((v) => v.id === before.liveVersion && v.archived));
    assert.ok(api.runs.view.selection.some((n) => n.kind === 'run' && n.runId === id), 'the rewound run is selected');
    const row = await runRow(api, id);
    assert.match(String(row?.item.description), new RegExp(`^${id} · step 60`));
  });

  it('refuses a rewind beyond the last step, of a running run, and of an archived version', async () => {
    const api = await extensionApi();
    const id = uniqueId('rf');
    logRun(id, 10);
    const info = await waitFor(() => listedRun(api, id), `${id} ingested`);
    const beyond = await run<LineageOutcome>(CommandId.RewindToStep, id, 11, { confirm: false });
    assert.equal(beyond.ok, false);
    assert.match(!beyond.ok ? beyond.reason : '', /beyond the last step of .* \(9\)/);

    const live = uniqueId('live');
    const writer = logRun(live, 5, { finish: false });
    try {
      await waitFor(async () => (await listedRun(api, live))?.state === 'running', `${live} running`);
      const running = await run<LineageOutcome>(CommandId.RewindToStep, live, 2, { confirm: false });
      assert.equal(running.ok, false);
      assert.match(!running.ok ? running.reason : '', /still running/);
      // Forking a running run is allowed.
      const fork = await run<LineageOutcome>(CommandId.ForkAtStep, live, 2);
      assert.ok(fork.ok, JSON.stringify(fork));
    } finally {
      writer.finish();
    }

    await run<LineageOutcome>(CommandId.RewindToStep, id, 5, { confirm: false });
    const archived = (await listedRun(api, id))?.versions.find((v) => v.archived);
    assert.ok(archived);
    const ofArchived = await run<LineageOutcome>(CommandId.RewindToStep, archived.id, 3, { confirm: false });
    assert.match(!ofArchived.ok ? ofArchived.reason : '', /archived and cannot be rewound/);
    assert.equal((await listedRun(api, id))?.lastStep, 5, 'nothing happened');
    void info;
  });

  it('validates typed steps the way the prompt shows them', async () => {
    const api = await extensionApi();
    const base = await listedRun(api, 'base01');
    assert.ok(base);
    const live = base.versions.find((v) => v.id === base.liveVersion);
    assert.ok(live);
    assert.match(stepRefusal('abc', base, live, 'rewind') ?? '', /not a step/);
    assert.match(stepRefusal('-3', base, live, 'fork') ?? '', /not a step/);
    assert.match(stepRefusal('1.5', base, live, 'fork') ?? '', /not a step/);
    assert.match(stepRefusal('100000', base, live, 'fork') ?? '', /beyond the last step/);
    assert.equal(stepRefusal(' 120 ', base, live, 'fork'), undefined);
    assert.equal(stepRefusal('0', base, live, 'rewind'), undefined);
    // The last step: a fork from it is fine, a rewind to it would change nothing (the core refuses it too).
    assert.equal(stepRefusal(String(live.lastStep), base, live, 'fork'), undefined);
    assert.match(stepRefusal(String(live.lastStep), base, live, 'rewind') ?? '', /already at step \d+: rewinding it there would change nothing/);
  });

  it('forks a run into a new run that records where it came from', async () => {
    const api = await extensionApi();
    const id = uniqueId('fk');
    logRun(id, 50);
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    const outcome = await run<LineageOutcome>(CommandId.ForkAtStep, id, 20, { name: 'my fork' });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.notEqual(outcome.runId, id);
    const fork = await listedRun(api, outcome.runId);
    assert.equal(fork?.name, 'my fork');
    assert.equal(fork?.lastStep, 20);
    assert.equal(fork?.forkedFrom?.run, id);
    assert.equal(fork?.forkedFrom?.step, 20);
    assert.ok(api.runs.view.selection.some((n) => n.kind === 'run' && n.runId === outcome.runId), 'the fork is selected');
    const refused = await run<LineageOutcome>(CommandId.ForkAtStep, id, 51);
    assert.equal(refused.ok, false);
  });

  it('copies the run id, the immutable id and resume snippets', async () => {
    const api = await extensionApi();
    const base = await listedRun(api, 'base01');
    assert.ok(base);
    assert.equal(await run<string>(CommandId.CopyRunId, 'base01'), 'base01');
    assert.equal(await run<string>(CommandId.CopyVersionId, 'base01'), base.liveVersion);
    const archived = base.versions.find((v) => v.archived);
    assert.ok(archived);
    assert.equal(await run<string>(CommandId.CopyVersionId, archived.id), archived.id);
    assert.equal(await run<string>(CommandId.CopyResumeSnippet, 'base01', 200, 'rewind'), 'run = runrewind.init(project="mnist", resume_from="base01?_step=200")');
    assert.equal(await run<string>(CommandId.CopyResumeSnippet, 'base01', 120, 'fork'), 'run = runrewind.init(project="mnist", fork_from="base01?_step=120")');
    assert.equal(await run<string>(CommandId.CopyResumeSnippet, archived.id, 30, 'fork'), `run = runrewind.init(project="mnist", fork_from="${archived.id}?_step=30")`);
    assert.equal(await run<string>(CommandId.CopyResumeSnippet, 'base01', undefined, 'resume'), 'run = runrewind.init(project="mnist", id="base01", resume="must")');
    // Multi-selection from the tree: (clicked, selected[]).
    const a = await runRow(api, 'base01');
    const b = await runRow(api, 'fork01');
    assert.equal(await run<string>(CommandId.CopyRunId, a?.node, [a?.node, b?.node]), 'base01\nfork01');
  });

  it('renames a run, and refuses an empty name', async () => {
    const api = await extensionApi();
    const id = uniqueId('rn');
    logRun(id, 3);
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    const empty = await run<SimpleOutcome>(CommandId.RenameRun, id, '   ');
    assert.equal(empty.ok, false);
    const ok = await run<SimpleOutcome>(CommandId.RenameRun, id, 'renamed run');
    assert.ok(ok.ok);
    assert.equal((await runRow(api, id))?.item.label, 'renamed run');
  });

  it('deletes a run with its archived versions', async () => {
    const api = await extensionApi();
    const id = uniqueId('dl');
    logRun(id, 30);
    await waitFor(() => listedRun(api, id), `${id} ingested`);
    await run<LineageOutcome>(CommandId.RewindToStep, id, 10, { confirm: false });
    const versions = (await listedRun(api, id))?.versions.map((v) => v.id) ?? [];
    assert.equal(versions.length, 2);
    const outcome = await run<SimpleOutcome>(CommandId.DeleteRun, id, { confirm: false });
    assert.ok(outcome?.ok);
    assert.equal(await listedRun(api, id), undefined);
    assert.equal(await runRow(api, id), undefined);
    const data = api.runIndex.get(api.folders.all[0]?.key ?? '');
    for (const v of versions) assert.equal(data?.versionToRun.has(v), false, `archived version ${v} is gone too`);
  });

  it('refreshes, rebuilds the store to the same runs, and shows the log', async () => {
    const api = await extensionApi();
    const key = api.folders.all[0]?.key ?? '';
    await run(CommandId.Refresh);
    const before = await api.runIndex.refresh(key);
    await run(CommandId.RebuildStore);
    const after = await api.runIndex.refresh(key);
    assert.deepEqual([...after.runs.keys()].sort(), [...before.runs.keys()].sort());
    for (const [id, r] of before.runs) {
      const again = after.runs.get(id);
      assert.equal(again?.lastStep, r.lastStep, `${id} last step`);
      assert.equal(again?.versions.length, r.versions.length, `${id} versions`);
    }
    await run(CommandId.ShowLog);
  });

  it('gives terminals RUNREWIND_DIR and the bundled client on PYTHONPATH, unless turned off', async () => {
    const api = await extensionApi();
    const out = path.join(os.tmpdir(), `${uniqueId('env')}.txt`);
    const terminal = vscode.window.createTerminal({ name: 'env check', shellPath: '/bin/sh', shellArgs: ['-c', `printf '%s|%s' "$RUNREWIND_DIR" "$PYTHONPATH" > ${out}`] });
    try {
      const text = await waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8'), 'the terminal to write its environment', 20_000);
      const [dir, pythonPath] = text.split('|');
      assert.equal(dir, logDir());
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(pythonPath?.split(path.delimiter).includes(path.join(ext?.extensionPath ?? '', 'python')), pythonPath);
    } finally {
      terminal.dispose();
    }
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    await config.update(Setting.InjectTerminalEnvironment, false, vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => api.terminals.collection.get('RUNREWIND_DIR') === undefined, 'the variables to be withdrawn');
    } finally {
      await config.update(Setting.InjectTerminalEnvironment, undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor(() => api.terminals.collection.get('RUNREWIND_DIR')?.value === logDir(), 'the variables to come back');
  });
});
