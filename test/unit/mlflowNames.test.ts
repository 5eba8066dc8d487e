// The pure parts of the MLflow sync: what MLflow accepts as a name (checked against the real server's
// rules in the mlflow stage), config → params, long values split, the tracking URI, wire values.
import * as assert from 'node:assert/strict';
import { KeyMap, MAX_PARAM_VALUE_LENGTH, flattenConfig, mlflowKey, planParams, tagValue, validMlflowKey, wireValue } from '../../src/core/sync/mlflowNames';
import { MlflowRest, parseTrackingUri } from '../../src/core/sync/mlflowRest';
import { syncStatePath } from '../../src/core/sync/mlflowSync';

describe('MLflow sync: names, params and URIs', () => {
  it('accepts the names MLflow accepts and renames the others as close as it can', () => {
    for (const ok of ['loss', 'val/loss', 'a.b-c d:e', '손실', 'x_1']) assert.ok(validMlflowKey(ok), ok);
    for (const bad of ['', 'a(b)', '/abs', 'a//b', 'a/./b', '../x', 'x/', 'e\u0301', 'x'.repeat(251)]) assert.ok(!validMlflowKey(bad), bad);
    assert.equal(mlflowKey('odd(key)'), 'odd_key_');
    assert.equal(mlflowKey('a//b'), 'a/_/b');
    assert.equal(mlflowKey('../x'), '__/x');
    const long = mlflowKey(`${'k'.repeat(300)}`);
    assert.ok(validMlflowKey(long) && long.length === 250, long);
    assert.notEqual(mlflowKey(`${'k'.repeat(300)}a`), mlflowKey(`${'k'.repeat(300)}b`), 'two long keys stay apart');
  });

  it('maps keys one to one: a renamed key never takes a name another key has as it is', () => {
    const keys = new KeyMap();
    keys.key('a_b_');
    assert.equal(keys.key('a(b)'), 'a_b__2');
    assert.equal(keys.key('a_b_'), 'a_b_');
    assert.deepEqual(keys.renamed, { 'a(b)': 'a_b__2' });
    const plan = planParams({ 'a(b)': 1, a_b_: 2 });
    assert.deepEqual(plan.params, [['a_b__2', '1'], ['a_b_', '2']]);
  });

  it('flattens config to params: strings as they are, other values as JSON, NaN as Python writes it', () => {
    assert.deepEqual(flattenConfig({ lr: 0.001, opt: { name: 'adam', betas: [0.9, 0.99] }, on: true, none: null, empty: {}, x: Number.NaN }), [
      ['lr', '0.001'], ['opt.name', 'adam'], ['opt.betas', '[0.9,0.99]'], ['on', 'true'], ['none', 'null'], ['empty', '{}'], ['x', 'NaN'],
    ]);
  });

  it('splits a value longer than MLflow\'s limit over key, key.part2, … and cuts it after 20 parts', () => {
    const value = `${'a'.repeat(MAX_PARAM_VALUE_LENGTH)}${'b'.repeat(10)}`;
    const plan = planParams({ long: value });
    assert.deepEqual(plan.params.map(([k, v]) => [k, v.length]), [['long', 6000], ['long.part2', 10]]);
    assert.equal(plan.params.map(([, v]) => v).join(''), value);
    assert.deepEqual(plan.split, { long: 2 });
    const huge = planParams({ huge: 'z'.repeat(MAX_PARAM_VALUE_LENGTH * 25) });
    assert.equal(huge.params.length, 20);
    assert.deepEqual(huge.truncated, ['huge']);
    // Characters as Python counts them: an emoji is one, never half of a surrogate pair.
    const emoji = planParams({ e: '😀'.repeat(MAX_PARAM_VALUE_LENGTH + 1) });
    assert.deepEqual(emoji.params.map(([k, v]) => [k, [...v].length]), [['e', 6000], ['e.part2', 1]]);
    assert.equal(tagValue('t'.repeat(9000)).length, 8000);
  });

  it('writes non-finite metric values as protobuf JSON spells them', () => {
    assert.deepEqual([1.5, Number.NaN, Infinity, -Infinity].map(wireValue), [1.5, 'NaN', 'Infinity', '-Infinity']);
  });

  it('refuses a tracking URI that is not a server, saying why; keeps credentials out of the address', () => {
    assert.equal(parseTrackingUri(' http://127.0.0.1:5000/ '), 'http://127.0.0.1:5000');
    assert.equal(parseTrackingUri('https://example.test/mlflow/'), 'https://example.test/mlflow');
    assert.throws(() => parseTrackingUri('databricks'), /is not a URL/);
    assert.throws(() => parseTrackingUri('databricks://profile'), /Databricks workspaces are not supported/);
    assert.throws(() => parseTrackingUri('file:///tmp/mlruns'), /a local store is not a tracking server/);
    assert.throws(() => parseTrackingUri('http://h/?x=1'), /query or fragment/);
    assert.equal(new MlflowRest('http://ann:pw@127.0.0.1:5000').base, 'http://127.0.0.1:5000');
    assert.equal(syncStatePath('/logs', 'http://ann:pw@127.0.0.1:5000/'), syncStatePath('/logs', 'http://127.0.0.1:5000'), 'one state file per server, whoever logs in');
  });

  it('authenticates as MLflow\'s client does: basic auth wins over a token, user:password in the URI last', async () => {
    const sent: string[] = [];
    const fake = (async (_url: string | URL | Request, init?: RequestInit) => {
      sent.push((init?.headers as Record<string, string>).authorization ?? '');
      return new Response(JSON.stringify({ run: { info: { run_id: 'r', experiment_id: '0' }, data: {} } }), { status: 200 });
    }) as typeof fetch;
    await new MlflowRest('http://127.0.0.1:1', { token: 't', username: 'u', password: 'p' }, undefined, fake).getRun('r');
    await new MlflowRest('http://127.0.0.1:1', { token: 't' }, undefined, fake).getRun('r');
    await new MlflowRest('http://ann:p%40ss@127.0.0.1:1', {}, undefined, fake).getRun('r');
    await new MlflowRest('http://127.0.0.1:1', {}, undefined, fake).getRun('r');
    assert.deepEqual(sent, [`Basic ${Buffer.from('u:p').toString('base64')}`, 'Bearer t', `Basic ${Buffer.from('ann:p@ss').toString('base64')}`, '']);
  });
});
