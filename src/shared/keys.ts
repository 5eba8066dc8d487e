// How metric keys sort everywhere — the store's listings, the chart's key list, grid and sections — so
// "layer2" comes before "layer10" in every view. A leaf module (no imports) so the webview can use it;
// the store's own `compareKeys` (src/core/store.ts) must be this one (test/unit/chartImports.test.ts
// checks that they agree until the store imports it from here).

/** Keys sort naturally: "layer2" before "layer10", sections by prefix. */
export function compareKeys(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
