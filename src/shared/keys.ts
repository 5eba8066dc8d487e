// How metric keys sort everywhere — the store's listings, the chart's key list, grid and sections — so
// "layer2" comes before "layer10" in every view. A leaf module (no imports) so the webview can use it;
// the store's queries (src/core/queries.ts) import it from here.

/** Keys sort naturally: "layer2" before "layer10", sections by prefix. */
export function compareKeys(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
