// The per-surface escaping of user text (src/userText.ts), checked against the parsers VS Code applies on
// each surface: its linked-text parser (notifications, input-box prompts) and its theme-icon parser
// (quick picks, status bar, markdown with supportThemeIcons), copied from the workbench's sources.
import * as assert from 'node:assert/strict';
import { fileNameText, labelText, markdownText, messageText, singleLine, stripBidi } from '../../src/userText';

/** vs/base/common/linkedText.ts: what becomes a clickable link in a notification. */
const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
/** vs/base/browser/ui/iconLabel/iconLabels.ts: what becomes an icon (a leading backslash escapes it). */
const ICON = /(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;

const links = (text: string): string[] => [...text.matchAll(LINK)].map((m) => m[2] ?? '');
const icons = (text: string): string[] => [...text.matchAll(ICON)].filter((m) => !m[1]).map((m) => m[2] ?? '');
const visible = (text: string): string => text.replace(/\u200b/g, '');

const COMMAND_LINK =
  '[details](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22touch%20/tmp/pwned%5Cn%22%7D)';
const PAYLOADS = [COMMAND_LINK, '$(alert) fake', '$(sync~spin) x', '<img src=x onerror=alert(1)>', '[a](https://example.com "t")', 'a]', '$'];

describe('user text on each surface', () => {
  it('the payloads parse as links and icons before escaping (so the checks below mean something)', () => {
    assert.deepEqual(links(COMMAND_LINK), ['command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22touch%20/tmp/pwned%5Cn%22%7D']);
    assert.deepEqual(icons('$(alert) fake'), ['alert']);
  });

  it('messageText: no link and no icon survives, and the text reads as typed', () => {
    for (const p of PAYLOADS) {
      const shown = messageText(p);
      assert.deepEqual(links(shown), [], p);
      assert.deepEqual(icons(shown), [], p);
      assert.equal(visible(shown), p);
    }
  });

  it('messageText: a link cannot be assembled from two escaped values and the template between them', () => {
    // "Forked {0}@{1} into the new run {2}" with hostile parts on both sides of the template text.
    const message = `Forked ${messageText('[x')}@5 into the new run ${messageText('](command:evil)')}`;
    assert.deepEqual(links(message), []);
    const adjacent = `${messageText('[x]')}${'(command:evil)'}`;
    assert.deepEqual(links(adjacent), [], 'a value ending in "]" before a template "(" stays broken');
    assert.deepEqual(icons(`${messageText('$')}(alert)`), []);
  });

  it('labelText: no icon survives; brackets are left alone (labels do not render links)', () => {
    for (const p of PAYLOADS) {
      const shown = labelText(p);
      assert.deepEqual(icons(shown), [], p);
      assert.equal(visible(shown), p);
    }
    assert.equal(labelText(COMMAND_LINK, 500), COMMAND_LINK);
  });

  it('markdownText: every markdown token is escaped; what markdown shows is the text as typed, no icon', () => {
    // CommonMark: a backslash before ASCII punctuation is that character, literally, never syntax.
    const rendered = (md: string): string => md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
    for (const p of [...PAYLOADS, '**bold** `code` | pipe |', 'www.example.com https://example.com/x', '\\$(alert)']) {
      const md = markdownText(p);
      const unescaped = md.replace(/\\[!-/:-@[-`{-~]/g, '');
      assert.doesNotMatch(unescaped, /[!-/:-@[-`{-~]/, `every punctuation character escaped: ${md}`);
      // What VS Code then does with supportThemeIcons: render $(name) in the rendered text.
      assert.deepEqual(icons(rendered(md)), [], `${p} -> ${md}`);
      assert.equal(visible(rendered(md)), p);
    }
  });

  it('bidi overrides and isolates are removed everywhere; other text is kept', () => {
    const hostile = 'safe-\u202Etxt.exe\u202C \u2066x\u2069 \u202Ay\u202B\u202D';
    for (const f of [stripBidi, singleLine, labelText, messageText, fileNameText]) {
      assert.doesNotMatch(f(hostile), /[\u202a-\u202e\u2066-\u2069]/, f.name);
    }
    assert.equal(stripBidi(hostile), 'safe-txt.exe x y');
    assert.equal(stripBidi('שלום abc 한국어'), 'שלום abc 한국어', 'right-to-left text itself stays');
  });

  it('line breaks and control characters collapse; long text is cut with an ellipsis', () => {
    assert.equal(singleLine('a\nb\r\n\tc\u2028d'), 'a b c d');
    assert.equal(singleLine('x'.repeat(10), 5), 'xxxx…');
    assert.equal(messageText('a\n[b](command:c)').includes('\n'), false);
  });

  it('fileNameText: no path separators or reserved characters, never empty or hidden', () => {
    assert.equal(fileNameText('../../etc/passwd'), '__.._etc_passwd');
    assert.equal(fileNameText('a/b\\c:d?e#f%g'), 'a_b_c_d_e_f_g');
    assert.equal(fileNameText(''), '_');
    assert.equal(fileNameText('\u202E'), '_');
    assert.equal(fileNameText('baseline'), 'baseline');
  });
});
