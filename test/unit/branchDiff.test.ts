// The branch diff (src/core/branchDiff.ts) on real logs: a fork and a rewind against their source at
// the branch step, two forks of one run, two unrelated runs, and the refusals.
import * as assert from 'node:assert/strict';
import { main } from '../../src/cli';
import { goalOf, sharedUntil } from '../../src/core/branchDiff';
import { RunRewindError } from '../../src/core/errors';
import { openEngine, tempDir, writer } from './helpers';

describe('branch diff', () => {
  it("compares a fork with its source at the branch step: config changes, values at the branch, end and best", async () => {
    const dir = tempDir();
    const source = writer(dir, { name: 'baseline', config: { lr: 0.1, batch: 32, optimizer: { name: 'adam', beta: 0.9 } } });
    // loss falls to step 60 then rises; acc rises; note is text.
    for (let i = 0; i <= 100; i++) source.log({ loss: Math.abs(i - 60) + 1, acc: i / 100, ...(i % 10 === 0 ? { val_loss: 200 - i } : {}), note: `s${i}` });
    source.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    const fork = engine.fork(source.run, 45, { id: 'forked1', name: 'lower lr' });
    const next = writer(dir, { run: 'forked1', mode: 'resume', version: fork.version, lastStep: 45 });
    next.config({ lr: 0.01, optimizer: { name: 'adam', beta: 0.95 }, warmup: 5 });
    for (let i = 46; i <= 80; i++) next.log({ loss: 0.5, acc: 0.2 });
    next.finish();
    engine.ingest();

    const diff = engine.branchDiff('forked1');
    assert.equal(diff.relation, 'fork');
    assert.equal(diff.branchStep, 45);
    assert.deepEqual([diff.base.run, diff.base.version, diff.base.name, diff.base.lastStep], [source.run, source.version, 'baseline', 100]);
    assert.deepEqual([diff.other.run, diff.other.version, diff.other.name, diff.other.lastStep], ['forked1', fork.version, 'lower lr', 80]);
    assert.deepEqual(diff.config, [
      { key: 'lr', kind: 'changed', before: 0.1, after: 0.01 },
      { key: 'optimizer.beta', kind: 'changed', before: 0.9, after: 0.95 },
      { key: 'warmup', kind: 'added', after: 5 },
    ]);
    assert.equal(diff.sameConfig, 2, 'batch and optimizer.name are the same');

    const metric = (key: string) => diff.metrics.find((m) => m.key === key)!;
    assert.deepEqual(diff.metrics.map((m) => m.key), ['acc', 'loss', 'note', 'val_loss']);
    // At the branch step both show the source's history: loss |45-60|+1, the last val_loss at or before 45 (step 40).
    assert.deepEqual(metric('loss'), { key: 'loss', goal: 'min', atBranch: 16, end: [41, 0.5], min: [1, 0.5], max: [61, 61] });
    assert.deepEqual(metric('acc'), { key: 'acc', goal: 'max', atBranch: 0.45, end: [1, 0.2], min: [0, 0], max: [1, 0.45] });
    assert.deepEqual(metric('val_loss'), { key: 'val_loss', goal: 'min', atBranch: 160, end: [100, 160], min: [100, 160], max: [200, 200] });
    assert.deepEqual(metric('note'), { key: 'note', goal: null, atBranch: 's45', end: ['s100', 's45'], min: [null, null], max: [null, null] });

    // The same two named explicitly: the source first, so the fork is still the right side.
    const explicit = engine.branchDiff(source.run, 'forked1');
    assert.equal(explicit.relation, 'fork');
    assert.equal(explicit.branchStep, 45);
    assert.deepEqual(explicit.metrics, diff.metrics);
    // The other way round: the fork is the base, and what the fork added reads as removed.
    const reversed = engine.branchDiff('forked1', source.run);
    assert.equal(reversed.relation, 'shared');
    assert.deepEqual(reversed.config.find((c) => c.key === 'warmup'), { key: 'warmup', kind: 'removed', before: 5 });
    assert.deepEqual(reversed.metrics.find((m) => m.key === 'loss')!.end, [0.5, 41]);
  });

  it('compares a rewound run with its archived version, and two forks of one run where they part', async () => {
    const dir = tempDir();
    const w = writer(dir, { name: 'base', config: { lr: 0.1 } });
    for (let i = 0; i < 3000; i++) w.log({ metric: i });
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    const rewound = engine.rewind(w.run, 1500);
    const next = writer(dir, { run: w.run, mode: 'resume', version: rewound.version, lastStep: 1500 });
    next.config({ lr: 0.05 });
    next.log({ metric: -5 });
    next.finish();
    engine.ingest();

    const diff = engine.branchDiff(w.run);
    assert.equal(diff.relation, 'rewind');
    assert.equal(diff.branchStep, 1500);
    assert.equal(diff.base.version, w.version);
    assert.equal(diff.base.archived, true);
    assert.equal(diff.other.version, rewound.version);
    assert.deepEqual(diff.config, [{ key: 'lr', kind: 'changed', before: 0.1, after: 0.05 }]);
    // min/max over each side's visible history, as the runs table computes them (a cut chunk read point by point).
    assert.deepEqual(diff.metrics, [{ key: 'metric', goal: null, atBranch: 1500, end: [2999, -5], min: [0, -5], max: [2999, 1500] }]);

    const a = engine.fork(w.version, 700, { id: 'fa' });
    const b = engine.fork(w.version, 900, { id: 'fb' });
    engine.ingest();
    const forks = engine.branchDiff(a.version, b.version);
    assert.equal(forks.relation, 'shared');
    assert.equal(forks.branchStep, 700, 'two forks of one version share its history up to the earlier fork');
    assert.equal(forks.metrics[0].atBranch, 700);
    assert.deepEqual(forks.metrics[0].end, [700, 900]);
  });

  it('compares two unrelated runs without a branch step, and refuses what has no source', async () => {
    const dir = tempDir();
    const a = writer(dir, { name: 'a', config: { lr: 0.1, dropout: 0.2, tag: 'x' } });
    a.log({ loss: 3 });
    a.finish();
    const b = writer(dir, { name: 'b', config: { lr: 0.1, layers: 4, tag: 'y' } });
    b.log({ 'val/acc': 0.5 });
    b.finish();
    const engine = await openEngine(dir);
    engine.ingest();

    const diff = engine.branchDiff(a.run, b.run);
    assert.equal(diff.relation, 'unrelated');
    assert.equal(diff.branchStep, null);
    assert.deepEqual(diff.config, [
      { key: 'dropout', kind: 'removed', before: 0.2 },
      { key: 'layers', kind: 'added', after: 4 },
      { key: 'tag', kind: 'changed', before: 'x', after: 'y' },
    ]);
    assert.equal(diff.sameConfig, 1);
    assert.deepEqual(diff.metrics, [
      { key: 'loss', goal: 'min', atBranch: null, end: [3, null], min: [3, null], max: [3, null] },
      { key: 'val/acc', goal: 'max', atBranch: null, end: [null, 0.5], min: [null, 0.5], max: [null, 0.5] },
    ]);

    assert.throws(() => engine.branchDiff(a.run), (e: unknown) => e instanceof RunRewindError && e.code === 'bad-argument' && /neither a fork nor a rewind/.test(e.message));
    assert.throws(() => engine.branchDiff(a.run, a.version), /Both sides/);
    assert.throws(() => engine.branchDiff('nope'), (e: unknown) => e instanceof RunRewindError && e.code === 'unknown-version');
  });

  it('prints a diff on the command line, as text and as JSON, and says what is wrong with bad usage', async () => {
    const dir = tempDir();
    const source = writer(dir, { name: 'cli source', config: { lr: 0.1 } });
    for (let i = 0; i < 5; i++) source.log({ loss: 5 - i });
    source.finish();
    let out = '';
    const cli = async (...argv: string[]): Promise<number> => {
      out = '';
      return main([...argv, '--dir', dir, '--no-cache'], (text) => {
        out += text;
      });
    };
    assert.equal(await cli('fork', source.run, '--step', '2', '--id', 'clifork', '--name', 'cli fork'), 0);
    const engine = await openEngine(dir);
    engine.ingest();
    const next = writer(dir, { run: 'clifork', mode: 'resume', version: engine.getRun('clifork').liveVersion, lastStep: 2 });
    next.config({ lr: 0.01 });
    next.log({ loss: 0.5 });
    next.finish();
    assert.equal(await cli('diff', 'clifork'), 0);
    assert.match(out, /^cli fork \(clifork, last step 3\) is forked from cli source \(\w+, last step 4\) up to step 2\.$/m);
    assert.match(out, /^~\s+lr\s+0\.1\s+0\.01$/m);
    assert.match(out, /^loss\s+min\s+3\s+1\s+0\.5\s+1\s+0\.5$/m);
    assert.equal(await cli('diff', source.run, 'clifork', '--json'), 0);
    engine.ingest();
    assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(engine.branchDiff(source.run, 'clifork'))));
    await assert.rejects(main(['diff', 'a', 'b', 'c', '--dir', dir], () => undefined), /diff takes one or two run ids, got 3/);
    await assert.rejects(main(['diff', source.run, '--dir', dir, '--no-cache'], () => undefined), /neither a fork nor a rewind/);
  });

  it('knows a goal from define_metric summaries or from the name, else none', () => {
    assert.equal(goalOf('score_x', new Set(['score_x', 'score_x.min'])), 'min', 'define_metric(summary="min") wins over the name');
    assert.equal(goalOf('val/loss', new Set()), 'min');
    assert.equal(goalOf('train_acc', new Set()), 'max');
    assert.equal(goalOf('lossless_acc', new Set()), 'max', 'words, not substrings');
    assert.equal(goalOf('lr', new Set()), null);
    assert.equal(goalOf('acc_loss', new Set()), null, 'both words: unknown');
  });

  it('finds the shared history of two lineages', () => {
    const seg = (version: string, from: number, to: number) => ({ version, runId: 'r', from, to });
    const inf = Number.POSITIVE_INFINITY;
    assert.equal(sharedUntil([seg('s', 0, inf)], [seg('s', 0, 50), seg('f', 51, inf)]), 50);
    assert.equal(sharedUntil([seg('s', 0, 30), seg('a', 31, inf)], [seg('s', 0, 50), seg('b', 51, inf)]), 30);
    assert.equal(sharedUntil([seg('s', 0, 30), seg('a', 31, 40), seg('x', 41, inf)], [seg('s', 0, 30), seg('a', 31, inf)]), 40);
    assert.equal(sharedUntil([seg('a', 0, inf)], [seg('b', 0, inf)]), null);
  });
});
