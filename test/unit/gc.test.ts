// `runrewind delete` and `runrewind gc` on logs the Python client wrote: deleting a run removes no file;
// gc then removes exactly the artifact manifests and objects, saved files and media files only the
// deleted run referred to, and keeps what another run logged, used or inherits (a fork of a deleted run).
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { NAMES_DIR, projectKey } from '../../src/core/runNumbers';
import { openEngine, runPython, tempDir } from './helpers';


const SCRIPT = `
import os
import runrewind as wandb
def write(name, text):
    with open(name, "w") as f:
        f.write(text)
    return os.path.abspath(name)
gone = wandb.init(project="gc", id="gone")
gone.log({"shared": wandb.Image([[10]]), "only": wandb.Image([[20]]), "tbl": wandb.Table(columns=["img"], data=[[wandb.Image([[30]])]])})
data = wandb.Artifact("data", type="dataset")
data.add_file(write("data.csv", "shared data"))
gone.log_artifact(data)
mine = wandb.Artifact("gone-only", type="model")
mine.add_file(write("gone.pt", "gone weights"))
gone.log_artifact(mine)
gone.save(write("gone-notes.txt", "gone notes"), policy="now")
gone.finish()
keeper = wandb.init(project="gc", id="keeper")
keeper.use_artifact("data:latest")
keeper.log({"shared": wandb.Image([[10]]), "tbl": wandb.Table(columns=["img"], data=[[wandb.Image([[40]])]])})
keeper.save(write("keeper-notes.txt", "keeper notes"), policy="now")
keeper.finish()
src = wandb.init(project="gc", id="src")
src.log({"inherited": wandb.Image([[50]])})
src.log({"loss": 1})
src.finish()
fork = wandb.init(project="gc", id="fk", fork_from="src?_step=0")
fork.log({"loss": 2})
fork.finish()
`;

const sha = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');
const object = (text: string): string => `objects/${sha(text).slice(0, 2)}/${sha(text)}`;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const top of ['objects', 'media', 'artifacts']) {
    const walk = (rel: string): void => {
      for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        if (e.isDirectory()) walk(`${rel}/${e.name}`);
        else out.push(`${rel}/${e.name}`);
      }
    };
    if (fs.existsSync(path.join(dir, top))) walk(top);
  }
  return out.sort();
}

async function cli(dir: string, ...argv: string[]): Promise<string> {
  let out = '';
  const code = await main([...argv, '--dir', dir, '--no-cache'], (text) => {
    out += text;
  });
  assert.equal(code, 0);
  return out;
}

describe('runrewind gc', () => {
  it('after a delete, removes only the files no remaining run logged, used or inherits', async () => {
    const dir = tempDir();
    runPython(dir, SCRIPT);
    // The media files only "gone" names, read from the store before it is deleted.
    const engine = await openEngine(dir);
    engine.ingest();
    const media = (run: string, key: string): { sha256: string; format: string } => engine.mediaAt(run, key, 0)!.items[0] as unknown as { sha256: string; format: string };
    const mediaPath = (m: { sha256: string; format: string }): string => `media/${m.sha256.slice(0, 2)}/${m.sha256}.${m.format}`;
    const only = media('gone', 'only');
    const table = media('gone', 'tbl');
    const cell = (JSON.parse(fs.readFileSync(path.join(dir, mediaPath(table)), 'utf8')) as { data: { sha256: string; format: string }[][] }).data[0][0];
    const keptTable = media('keeper', 'tbl');
    const keptCell = (JSON.parse(fs.readFileSync(path.join(dir, mediaPath(keptTable)), 'utf8')) as { data: { sha256: string; format: string }[][] }).data[0][0];
    const inherited = media('src', 'inherited');
    const shared = media('keeper', 'shared');
    engine.close();

    const before = files(dir);
    assert.match(await cli(dir, 'delete', 'gone'), /Deleted run gone/);
    assert.match(await cli(dir, 'delete', 'src'), /Deleted run src/);
    // A delete only hides the runs: every file is still there.
    assert.deepEqual(files(dir), before);

    const expected = [
      'artifacts/gone-only/v0.json', object('gone weights'),
      'artifacts/run-gone-files/v0.json', object('gone notes'),
      mediaPath(only), mediaPath(table), mediaPath(cell),
      // Four runs of project "gc" claimed 1–4: only the highest is read.
      ...[1, 2, 3].map((n) => `${NAMES_DIR}/${projectKey('gc')}/${n}`),
    ].sort();
    const dry = JSON.parse(await cli(dir, 'gc', '--dry-run', '--json')) as { dry_run: boolean; removed: { path: string; bytes: number }[]; bytes: number };
    assert.equal(dry.dry_run, true);
    assert.deepEqual(dry.removed.map((e) => e.path).sort(), expected);
    assert.equal(dry.bytes, dry.removed.reduce((s, e) => s + e.bytes, 0));
    assert.ok(dry.removed.find((e) => e.path === object('gone weights'))!.bytes === 'gone weights'.length);
    assert.deepEqual(files(dir), before);

    const text = await cli(dir, 'gc');
    assert.match(text, new RegExp(`Removed object ${object('gone weights')} \\(12 B\\)`));
    assert.match(text, /Removed 10 unreferenced files, /);
    assert.deepEqual(files(dir), before.filter((f) => !expected.includes(f)));
    // What the remaining runs use is all there: the artifact keeper used, the shared image, keeper's
    // table and its cell image, keeper's saved file, and the image the fork inherits from deleted src.
    const left = new Set(files(dir));
    for (const f of ['artifacts/data/v0.json', object('shared data'), object('keeper notes'), 'artifacts/run-keeper-files/v0.json',
      mediaPath(shared), mediaPath(keptTable), mediaPath(keptCell), mediaPath(inherited)]) {
      assert.ok(left.has(f), `${f} was removed`);
    }
    // keeper can still download the artifact it used.
    const download = runPython(dir, 'import runrewind as wandb\nrun = wandb.init(project="gc", id="keeper", resume="must")\np = run.use_artifact("data:v0").download()\nprint(open(p + "/data.csv").read())\nrun.finish()');
    assert.equal(download, 'shared data');
    assert.match(await cli(dir, 'gc'), /Removed 0 unreferenced files, 0 B\./);
  });

  it('keeps unreferenced files newer than its cutoff (a running run\'s start, or now): a writer stores a file before its record', async () => {
    const dir = tempDir();
    runPython(dir, 'import runrewind as wandb\nrun = wandb.init(project="gc", id="r")\nrun.log({"x": 1})\nrun.finish()');
    fs.mkdirSync(path.join(dir, 'objects', sha('pending').slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(dir, object('pending')), 'pending');
    const engine = await openEngine(dir);
    engine.ingest();
    const past = engine.gcReferences(Date.now() / 1000 - 3600);
    engine.close();
    const { collectGarbage } = await import('../../src/core/gc');
    const result = collectGarbage(dir, past, false);
    assert.deepEqual([result.removed.length, result.keptRecent], [0, 1]);
    assert.ok(fs.existsSync(path.join(dir, object('pending'))));
    const now = JSON.parse(await cli(dir, 'gc', '--json')) as { removed: { path: string }[] };
    assert.deepEqual(now.removed.map((e) => e.path), [object('pending')]);
  });

  it('removes change markers older than a day, and only those', async () => {
    const dir = tempDir();
    runPython(dir, 'import runrewind as wandb\nrun = wandb.init(project="gc", id="m")\nrun.log({"x": 1})\nrun.finish()');
    const [fresh] = fs.readdirSync(path.join(dir, 'changes'));
    assert.match(fresh, /^\d{13}-[a-z0-9]{8}\.m$/, 'the client left a change marker');
    const old = '1700000000000-aaaaaaaa.m';
    fs.writeFileSync(path.join(dir, 'changes', old), '');
    const twoDaysAgo = Date.now() / 1000 - 2 * 86400;
    fs.utimesSync(path.join(dir, 'changes', old), twoDaysAgo, twoDaysAgo);
    const result = JSON.parse(await cli(dir, 'gc', '--json')) as { removed: { kind: string; path: string }[] };
    assert.deepEqual(result.removed, [{ kind: 'marker', path: `changes/${old}`, bytes: 0 }]);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'changes')), [fresh]);
  });

  it("removes every run-number claim but each project's highest; the next run's number goes on from it", async () => {
    const dir = tempDir();
    runPython(dir, 'import runrewind as wandb\nfor i in range(4):\n    wandb.init(project="gc").finish()\nwandb.init(project="other").finish()\nprint("ok")');
    const gcKey = projectKey('gc');
    const claims = (key: string): string[] => fs.readdirSync(path.join(dir, NAMES_DIR, key)).sort();
    assert.deepEqual(claims(gcKey), ['1', '2', '3', '4']);
    const result = JSON.parse(await cli(dir, 'gc', '--json')) as { removed: { kind: string; path: string }[] };
    assert.deepEqual(result.removed.filter((e) => e.kind === 'claim').map((e) => e.path), ['1', '2', '3'].map((n) => `${NAMES_DIR}/${gcKey}/${n}`));
    assert.deepEqual(claims(gcKey), ['4']);
    assert.deepEqual(claims(projectKey('other')), ['1']);
    const name = runPython(dir, 'import runrewind as wandb\nrun = wandb.init(project="gc")\nprint(run.name)\nrun.finish()');
    assert.match(name, /-5$/, `the fifth run of the project is numbered 5 (${name})`);
    assert.deepEqual(claims(gcKey), ['4', '5']);
  });

  it('keeps what a log file the store refused names (a newer protocol), read as text', async () => {
    const dir = tempDir();
    runPython(dir, `
import os
import runrewind as wandb
with open("m.pt", "w") as f:
    f.write("model bytes")
a = wandb.init(project="gc", id="a")
a.log_artifact(os.path.abspath("m.pt"), name="m", type="model")
a.finish()
b = wandb.init(project="gc", id="future")
b.use_artifact("m:v0")
b.finish()
`);
    // The reader of this revision refuses a file of protocol 2: the store never sees run "future".
    const folder = path.join(dir, 'runs', 'future');
    for (const f of fs.readdirSync(folder)) {
      const file = path.join(folder, f);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"protocol": 1,', '"protocol": 2,'));
    }
    await cli(dir, 'delete', 'a');
    const result = JSON.parse(await cli(dir, 'gc', '--json')) as { removed: { kind: string }[] };
    assert.deepEqual(result.removed.filter((e) => e.kind !== 'claim'), []);
    assert.ok(fs.existsSync(path.join(dir, object('model bytes'))));
  });

  it('refuses a RUN argument, as it always looks at every run', async () => {
    const dir = tempDir();
    runPython(dir, 'import runrewind as wandb\nwandb.init(project="gc", id="r").finish()');
    await assert.rejects(main(['gc', 'r', '--dir', dir, '--no-cache'], () => undefined), /takes no RUN/);
  });
});
