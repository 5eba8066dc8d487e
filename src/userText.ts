// User text (run names, projects, keys, config values, tags, notes) made safe for each UI surface, so
// it always shows as typed and never acts: one helper per surface, and no `vscode` import so the
// escaping is unit-tested in plain Node. Pick the helper by where the text lands:
//   messageText  — notifications and dialogs, input-box prompts: VS Code renders `[label](command:…)`
//                  there as a link that runs with command access, and `$(icon)` in prompts.
//   labelText    — quick-pick label/description/detail and title, status-bar text, tree labels and
//                  descriptions, editor and webview titles: `$(icon)` is rendered in the quick pick and
//                  the status bar.
//   markdownText — MarkdownString tooltips: every markdown/HTML token, and `$(icon)`.
// All of them drop bidi overrides and isolates and flatten line breaks.

/** Zero-width space: splits a token so it no longer parses, without changing what the user sees. */
const ZWSP = '\u200b';

/** Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder what follows. */
// eslint-disable-next-line no-misleading-character-class
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

export function stripBidi(text: string): string {
  return text.replace(BIDI, '');
}

/** Collapses line breaks and control characters (and drops bidi controls) so user text cannot break a
 * one-line layout or reorder the text after it. */
export function singleLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = stripBidi(text).replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `$(name)` renders as an icon on several surfaces; a `$` followed by `(` (or ending the text, where a
 * template may put the `(`) gets a zero-width space after it. */
function breakIcons(text: string): string {
  return text.replace(/\$(?=\(|$)/g, `$${ZWSP}`);
}

/** For quick picks, the status bar, tree rows and titles. */
export function labelText(text: string, max = 200): string {
  return breakIcons(singleLine(text, max));
}

/**
 * For notifications, dialogs and input-box prompts. A link there is `[label](target)`; a zero-width
 * space after every `]` that a `(` follows (or may follow, from the message template) stops it parsing.
 */
export function messageText(text: string, max = 200): string {
  return labelText(text, max).replace(/\](?=\(|$)/g, `]${ZWSP}`);
}

/**
 * For MarkdownString tooltips: every ASCII punctuation character is backslash-escaped (CommonMark
 * reads an escaped one as itself, never as syntax), so names like `[x](command:…)` or `<img>` show as typed and never act;
 * `$(icon)` is split as well, because markdown escapes are removed before theme icons are rendered.
 */
export function markdownText(text: string, max = 200): string {
  return singleLine(text, max)
    .replace(/[!-/:-@[-`{-~]/g, '\\$&')
    .replace(/\\\$(?=\\\(|$)/g, `\\$${ZWSP}`);
}

/**
 * A file name for an editor tab (history documents): the text as a label, without path separators or
 * characters file systems and URIs treat specially.
 */
export function fileNameText(text: string, max = 60): string {
  const name = labelText(text, max).replace(/[/\\:*?"<>|#%]/g, '_').trim();
  return name.replace(/^\.+/, '_') || '_';
}
