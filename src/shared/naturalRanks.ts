// Ranks of texts in compareKeys' natural order, for sorting a table column of 10,000 names in well under
// the 100 ms a sort may take: comparing with the collator itself costs ~130,000 ICU calls per sort. Each
// distinct text gets a plain string key that orders ASCII text the way the collator does (its primary
// weights read from the collator once, digit runs as numbers, case after); the texts are sorted by key
// with JavaScript's own comparison, then each neighbour pair is checked with the collator (n calls). If
// every pair is in order the result is the collator's order exactly; if one is not (accents, odd
// punctuation), the texts are sorted with the collator instead. So the order never changes, only its cost.
import { compareKeys } from './keys';

const base = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** A digit run's place among the other characters: where the collator puts "0". */
let digitSlot = 0;
/** Per ASCII code (32–126, digits aside): a character whose code orders like the collator's primary weight. */
const primary: string[] = [];

function buildPrimary(): void {
  const chars: string[] = [];
  for (let c = 32; c < 127; c++) {
    const ch = String.fromCharCode(c);
    if (ch < '1' || ch > '9') chars.push(ch);
  }
  chars.sort((a, b) => base.compare(a, b) || (a < b ? -1 : 1));
  let rank = 0;
  for (let i = 0; i < chars.length; i++) {
    if (i > 0 && base.compare(chars[i - 1], chars[i]) !== 0) rank++;
    // 48 up: above the separator and the length characters' low range is not needed, ranks stay distinct.
    if (chars[i] === '0') digitSlot = rank;
    else primary[chars[i].charCodeAt(0)] = String.fromCharCode(48 + rank);
  }
}

/** The key of one text, or undefined when it has characters beyond printable ASCII (its key would be a guess). */
function keyOf(text: string): string | undefined {
  if (primary.length === 0) buildPrimary();
  let key = '';
  let cases = '';
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // A number: its place, its length without leading zeros, then its digits.
      let j = i;
      while (j < n && text.charCodeAt(j) === 48) j++;
      let k = j;
      while (k < n && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57) k++;
      key += String.fromCharCode(48 + digitSlot) + String.fromCharCode(200 + k - j) + text.slice(j, k);
      i = k;
      continue;
    }
    const p = c >= 32 && c < 127 ? primary[c] : undefined;
    if (p === undefined) return undefined;
    key += p;
    // Case comes after every primary difference: lower case first, as the collator orders it.
    cases += c >= 65 && c <= 90 ? '1' : '0';
    i++;
  }
  return `${key}\u0001${cases}`;
}

/**
 * Each distinct text's rank in compareKeys' order: texts the collator calls equal share a rank. Sorting
 * rows by (rank, position) is then the same stable natural order as sorting them with compareKeys.
 */
export function naturalRanks(texts: Iterable<string>): Map<string, number> {
  const distinct = [...new Set(texts)];
  const keyed: [string, string][] = [];
  let guessed = true;
  for (const t of distinct) {
    const key = keyOf(t);
    if (key === undefined) {
      guessed = false;
      break;
    }
    keyed.push([key, t]);
  }
  // Per neighbour pair of `ordered`, whether the collator calls them equal (the same rank).
  let ordered: string[] | undefined;
  let same: Uint8Array | undefined;
  if (guessed) {
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    ordered = keyed.map((k) => k[1]);
    same = new Uint8Array(ordered.length);
    for (let i = 1; i < ordered.length; i++) {
      const c = compareKeys(ordered[i - 1], ordered[i]);
      if (c > 0) {
        ordered = undefined;
        break;
      }
      same[i] = c === 0 ? 1 : 0;
    }
  }
  if (!ordered) {
    ordered = distinct.sort(compareKeys);
    same = new Uint8Array(ordered.length);
    for (let i = 1; i < ordered.length; i++) same[i] = compareKeys(ordered[i - 1], ordered[i]) === 0 ? 1 : 0;
  }
  const ranks = new Map<string, number>();
  let rank = 0;
  for (let i = 0; i < ordered.length; i++) {
    if (i > 0 && same![i] === 0) rank++;
    ranks.set(ordered[i], rank);
  }
  return ranks;
}
