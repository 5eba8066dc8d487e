// The chart webview (media/) reaches the extension's code only through src/shared, which imports no
// runtime code of the extension host; and the key order the webview uses is the store's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareKeys } from '../../src/shared/keys';
import { openEngine, tempDir, writer } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier a file imports or re-exports (static, dynamic, require). */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const re of [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g]) {
    for (const m of text.matchAll(re)) found.push(m[1]);
  }
  return found;
}

describe('what the chart webview imports', () => {
  it('finds the imports it checks (so an empty result means something)', () => {
    const app = path.join(ROOT, 'media', 'chart', 'app.ts');
    assert.ok(specifiers(app).includes('../../src/shared/protocol'));
  });

  it('imports from the extension only src/shared/*, never src/core or the host side', () => {
    const wrong: string[] = [];
    for (const file of tsFiles(path.join(ROOT, 'media'))) {
      for (const spec of specifiers(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
        if (target.startsWith('media')) continue;
        if (!target.startsWith(path.join('src', 'shared') + path.sep)) wrong.push(`${path.relative(ROOT, file)} → ${spec}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('gets from src/shared no module that needs the extension host (vscode, node)', () => {
    for (const file of tsFiles(path.join(ROOT, 'src', 'shared'))) {
      for (const spec of specifiers(file)) {
        assert.ok(spec !== 'vscode' && !spec.startsWith('node:'), `${path.relative(ROOT, file)} imports ${spec}`);
      }
    }
  });

  it('sorts metric keys as the store does: naturally ("layer2" before "layer10")', async () => {
    const keys = ['layer10/loss', 'layer2/loss', 'acc', 'Acc', 'loss_1', 'loss_10', 'loss_2', 'a/b', 'a-b', 'z', '10', '9'];
    const dir = tempDir();
    const w = writer(dir);
    w.log(Object.fromEntries(keys.map((k, i) => [k, i])));
    w.finish();
    const engine = await openEngine(dir);
    engine.ingest();
    assert.deepEqual(engine.metricKeys(w.run).map((k) => k.key), [...keys].sort(compareKeys));
    assert.ok(compareKeys('layer2', 'layer10') < 0);
  });
});
