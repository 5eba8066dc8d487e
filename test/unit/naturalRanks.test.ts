// The runs table's text sort (src/shared/naturalRanks.ts, used by media/table/app.ts): sorting rows by
// their text's rank, then their position, gives exactly the order the table had before — a stable sort
// with compareKeys — on names with numbers, leading zeros, case, accents, punctuation, spaces, empty and
// equal names, and on texts the quick keys cannot order (the collator then sorts them).
import * as assert from 'node:assert/strict';
import { compareKeys } from '../../src/shared/keys';
import { naturalRanks } from '../../src/shared/naturalRanks';

/** The order before: a stable sort of positions with compareKeys. */
function before(names: readonly string[]): number[] {
  return names.map((_, i) => i).sort((a, b) => compareKeys(names[a], names[b]) || a - b);
}

function byRanks(names: readonly string[]): number[] {
  const ranks = naturalRanks(names);
  return names.map((_, i) => i).sort((a, b) => ranks.get(names[a])! - ranks.get(names[b])! || a - b);
}

/** A small deterministic generator: the same names on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('natural text ranks (the runs table sort)', () => {
  it('orders names exactly as the stable compareKeys sort did', () => {
    const names = [
      'run10', 'run9', 'run2', 'Run2', 'RUN2', 'run02', 'run002', 'run1', 'run1a', 'run1A', 'run-1', 'run_1', 'run 1', 'run.1',
      'sweep-100', 'sweep-20', 'sweep-3', 'sweep-3', 'sweep3', 'Sweep-3', '', '', ' ', 'a', 'A', 'b', 'B', 'ab', 'a b', 'a-b', 'a_b',
      'layer2.weight', 'layer10.weight', 'layer2.bias', 'x1y2', 'x1y10', 'x01y2', '10', '9', '0', '00', '007', '1e3', '1.5', '1.10',
      'zeta', 'Zeta', 'éclair', 'eclair', 'Éclair', 'ecla', 'café', 'cafe', 'naïve', 'naive', 'straße', 'strasse', '名前', 'α-run', '🙂 run',
      'run!', 'run?', 'run#1', 'run$1', 'run%', 'run&b', 'run(1)', 'run[1]', 'run{1}', 'run/1', 'run\\1', 'run~', 'run`', "run'", 'run"',
      'run10', 'Run10', '99999999999999999999', '100000000000000000000', 'v1.2.10', 'v1.2.9', 'v1.10.0',
    ];
    assert.deepEqual(byRanks(names), before(names));
  });

  it('orders ASCII names (the quick keys) and the same names with accents (the collator) as before', () => {
    const next = random(16);
    const alphabet = 'abcABC-_ .019xyzXYZ';
    const names: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let name = '';
      const n = Math.floor(next() * 9);
      for (let j = 0; j < n; j++) name += alphabet[Math.floor(next() * alphabet.length)];
      names.push(name);
    }
    assert.deepEqual(byRanks(names), before(names), 'ASCII');
    const accented = names.map((n, i) => (i % 50 === 0 ? `${n}é` : n));
    assert.deepEqual(byRanks(accented), before(accented), 'with accents');
  });

  it('ranks texts the collator calls equal the same', () => {
    const ranks = naturalRanks(['run1', 'run01', 'run2']);
    assert.equal(compareKeys('run1', 'run01') === 0, ranks.get('run1') === ranks.get('run01'));
    assert.ok(ranks.get('run1')! < ranks.get('run2')!);
  });

  it('orders 10,000 sweep names as before', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `sweep-${(i * 7919) % 10_000}`);
    assert.deepEqual(byRanks(names), before(names));
  });
});
