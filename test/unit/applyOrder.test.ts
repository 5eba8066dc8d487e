// The order log files are applied in, kept up to date as files come and go (ingest.ts resortForApply):
// always the order a full sort by applyOrder gives, whatever came, went or was already there.
import * as assert from 'node:assert/strict';
import { applyOrder, resortForApply } from '../../src/core/ingest';

/** A path like the log directory's: runs/<run>/<stamp>.jsonl or ops/<stamp>.jsonl, with repeated stamps. */
function fileOf(random: () => number): string {
  const stamp = `2026113${Math.floor(random() * 3)}T0${Math.floor(random() * 10)}${Math.floor(random() * 60)}-${Math.floor(random() * 4)}`;
  return random() < 0.2 ? `/logs/ops/${stamp}.jsonl` : `/logs/runs/run${Math.floor(random() * 30)}/${stamp}.jsonl`;
}

describe('apply order of log files', () => {
  it('re-sorting after files come and go equals sorting from scratch', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const previous = [...new Set(Array.from({ length: Math.floor(random() * 300) }, () => fileOf(random)))].sort(applyOrder);
      const kept = previous.filter(() => random() > 0.05);
      const added = Array.from({ length: Math.floor(random() * (round % 2 === 0 ? 10 : 100)) }, () => fileOf(random)).filter((f) => !kept.includes(f));
      const files = [...new Set([...kept, ...added])].sort(() => random() - 0.5);
      assert.deepEqual(resortForApply(previous, files), [...files].sort(applyOrder), `round ${round}`);
    }
  });
});
