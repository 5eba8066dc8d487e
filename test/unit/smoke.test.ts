import * as assert from 'node:assert/strict';
import { linearRun, openEngine, tempDir, writer } from './helpers';

describe('engine smoke', () => {
  it('ingests a run, rewinds and forks it', async () => {
    const dir = tempDir();
    const run1 = linearRun(dir, 300, { project: 'p', name: 'first' });
    const engine = await openEngine(dir);
    const result = engine.ingest();
    assert.equal(result.rows, 300);
    const runs = engine.listRuns();
    assert.equal(runs.length, 1);
    assert.equal(runs[0].lastStep, 299);
    assert.equal(runs[0].state, 'finished');

    const rewound = engine.rewind(run1.run, 200);
    assert.equal(rewound.run.id, run1.run);
    assert.equal(rewound.run.lastStep, 200);
    assert.equal(rewound.archived, run1.version);
    const series = engine.series(rewound.version, 'metric');
    assert.equal(series.total, 201);
    assert.equal(series.values[200], 200);

    const w = writer(dir, { run: run1.run, version: rewound.version, mode: 'resume', lastStep: 200 });
    for (let i = 201; i < 300; i++) w.log({ metric: i * 2 });
    w.finish();
    engine.ingest();
    const after = engine.series(rewound.version, 'metric');
    assert.equal(after.total, 300);
    assert.equal(after.values[250], 500);
    const archived = engine.series(run1.version, 'metric');
    assert.equal(archived.values[250], 250);
    assert.equal(engine.getRun(run1.run).summary.metric, 598);

    const fork = engine.fork(run1.run, 250, { id: 'forked' });
    assert.equal(fork.run.forkedFrom?.run, run1.run);
    const forkSeries = engine.series('forked', 'metric');
    assert.equal(forkSeries.total, 251);
    assert.equal(forkSeries.values[250], 500);
    const ds = engine.downsample(rewound.version, 'metric', 100);
    assert.equal(ds.exact, true);
  });
});
