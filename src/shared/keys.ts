// How metric keys sort everywhere — the store's listings, the chart's key list, grid and sections — so
// "layer2" comes before "layer10" in every view. A leaf module (no imports) so the webview can use it;
// the store's queries (src/core/queries.ts) import it from here.

// One collator made once: `localeCompare` with options builds a collator per call, which made sorting
// 10,000 names several times slower. Same locale and options, so the same order.
const collator = new Intl.Collator('en', { numeric: true });

/** Keys sort naturally: "layer2" before "layer10", sections by prefix. */
export function compareKeys(a: string, b: string): number {
  return collator.compare(a, b);
}
