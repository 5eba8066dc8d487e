// The one way Run Rewind writes a date and time — in the tree, its tooltips, history documents and the
// chart panel's overview — in the user's locale. No `vscode` or DOM import: the extension host passes
// VS Code's display language, the webview its own (the same one).

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string | undefined): Intl.DateTimeFormat {
  const key = locale ?? '';
  let f = cache.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' };
    try {
      f = new Intl.DateTimeFormat(locale, options);
    } catch {
      // A language tag Intl does not know (VS Code's pseudo-locale, say): the runtime's default.
      f = new Intl.DateTimeFormat(undefined, options);
    }
    cache.set(key, f);
  }
  return f;
}

/** Local wall time to the second, e.g. "Nov 29, 2026, 10:07:26 PM" (en) or "2026. 11. 29. 오후 10:07:26" (ko);
 * empty for a missing or non-finite time. */
export function formatDateTime(unixSeconds: number | null | undefined, locale?: string): string {
  if (unixSeconds === null || unixSeconds === undefined || !Number.isFinite(unixSeconds)) return '';
  return formatter(locale).format(new Date(unixSeconds * 1000));
}
