// The one date format of the UI (src/shared/dates.ts): the user's locale, to the second, the same
// function in the tree, tooltips, history documents and the chart overview.
import * as assert from 'node:assert/strict';
import { formatDateTime } from '../../src/shared/dates';

const T = Date.UTC(2026, 10, 29, 22, 7, 26) / 1000;

describe('dates', () => {
  it('writes English as "Nov 29, 2026, 10:07:26 PM" (local time, to the second)', () => {
    assert.match(formatDateTime(T, 'en-US'), /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s[AP]M$/);
  });

  it('writes Korean in its own order', () => {
    assert.match(formatDateTime(T, 'ko'), /^\d{4}\. \d{1,2}\. \d{1,2}\. (오전|오후|AM|PM)\s\d{1,2}:\d{2}:\d{2}$/);
  });

  it('agrees with the runtime for the same locale, so host and webview show the same text', () => {
    const expected = new Date(T * 1000).toLocaleString('de', { dateStyle: 'medium', timeStyle: 'medium' });
    assert.equal(formatDateTime(T, 'de'), expected);
  });

  it('falls back to the default locale for a tag Intl rejects, and is empty without a time', () => {
    assert.equal(formatDateTime(T, 'not a locale!'), formatDateTime(T));
    assert.equal(formatDateTime(null, 'en'), '');
    assert.equal(formatDateTime(undefined), '');
    assert.equal(formatDateTime(Number.NaN), '');
  });
});
