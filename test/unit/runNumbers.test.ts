// Run numbers shared with the Python client (src/core/runNumbers.ts, python/runrewind/_names.py): a fork
// made here claims the next number of its project in names/, so the Python client's next run does not
// take it again, and a log directory without names/ is left as it is (the store's count is the truth).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NAMES_DIR, projectKey } from '../../src/core/runNumbers';
import { linearRun, openEngine, pythonView, runPython, tempDir } from './helpers';


/** A finished Python run of 5 steps in project "p"; prints its id and name. */
const NEW_RUN = `
import runrewind
run = runrewind.init(project="p")
for i in range(5):
    run.log({"loss": i})
print(run.id, run.name)
run.finish()
`;

const number = (name: string): number => Number(name.slice(name.lastIndexOf('-') + 1));

describe('run numbers', () => {
  it('a fork claims the number after the Python runs, and the next Python run the one after it', async () => {
    const dir = tempDir();
    const [first, firstName] = runPython(dir, NEW_RUN).split(' ');
    const [, secondName] = runPython(dir, NEW_RUN).split(' ');
    assert.deepEqual([number(firstName), number(secondName)], [1, 2]);
    const claims = path.join(dir, NAMES_DIR, projectKey('p'));
    assert.deepEqual(fs.readdirSync(claims).sort(), ['1', '2'], 'the Python client claims in the folder this module names');
    const engine = await openEngine(dir);
    engine.ingest();
    const { run } = engine.fork(first, 2);
    assert.equal(number(run.name), 3);
    assert.equal(fs.readFileSync(path.join(claims, '3'), 'utf8'), run.id);
    const named = engine.fork(first, 3, { name: 'my fork' }).run;
    assert.equal(named.name, 'my fork');
    assert.equal(fs.readFileSync(path.join(claims, '4'), 'utf8'), named.id, 'a named fork claims a number too');
    const [, thirdName] = runPython(dir, NEW_RUN).split(' ');
    assert.equal(number(thirdName), 5);
    engine.ingest();
    // The store and the Python reader show the same runs and names; names/ is no log file to either.
    const shown = Object.fromEntries(engine.listRuns().map((r) => [r.id, r.name]));
    const python_ = Object.fromEntries(Object.entries(pythonView(dir)).map(([id, r]) => [id, r.name]));
    assert.deepEqual(shown, python_);
    assert.deepEqual(Object.values(shown).filter((n) => n !== 'my fork').map(number).sort(), [1, 2, 3, 5]);
    assert.deepEqual(engine.diagnostics(), []);
    engine.close();
  });

  it('without names/ a fork is numbered by the store and claims nothing', async () => {
    const dir = tempDir();
    const w = linearRun(dir, 10, { project: 'p' });
    linearRun(dir, 10, { project: 'p' });
    const engine = await openEngine(dir);
    engine.ingest();
    const { run } = engine.fork(w.run, 5);
    assert.equal(number(run.name), 3);
    assert.equal(fs.existsSync(path.join(dir, NAMES_DIR)), false);
    // The Python client then counts the three runs from the logs, as it always did.
    const [, name] = runPython(dir, NEW_RUN).split(' ');
    assert.equal(number(name), 4);
    engine.close();
  });

  it('a store that knows more runs than names/ holds numbers after them', async () => {
    const dir = tempDir();
    const [first] = runPython(dir, NEW_RUN).split(' ');
    linearRun(dir, 10, { project: 'p' }); // a writer that claims nothing
    const engine = await openEngine(dir);
    engine.ingest();
    const { run } = engine.fork(first, 1);
    assert.equal(number(run.name), 3);
    const [, name] = runPython(dir, NEW_RUN).split(' ');
    assert.equal(number(name), 4);
    engine.close();
  });
});
