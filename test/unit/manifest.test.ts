// package.json and src/ids.ts spell the same identifiers: every command, view, context key and setting
// the code uses is contributed, and every one contributed is known to the code.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandId, ContextKey, InternalCommandId, SETTINGS_SECTION, Setting, ViewContainerId, ViewId } from '../../src/ids';
import { TABLE_VIEW_TYPE } from '../../src/shared/tableProtocol';

interface Manifest {
  contributes: {
    commands: { command: string; enablement?: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string }[] };
    viewsWelcome: { view: string; when?: string }[];
    menus: Record<string, { command?: string; when?: string }[]>;
    keybindings: { command: string; when?: string }[];
    configuration: { properties: Record<string, unknown> };
  };
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const contributes = manifest.contributes;

describe('package.json and src/ids.ts', () => {
  it('contribute exactly the commands the code registers for users (internal ones never)', () => {
    const contributed: string[] = contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, (Object.values(CommandId) as string[]).sort());
    for (const internal of Object.values(InternalCommandId) as string[]) assert.ok(!contributed.includes(internal), internal);
  });

  it('name only known commands in menus and key bindings', () => {
    const known = new Set<string>(Object.values(CommandId));
    for (const [menu, items] of Object.entries(contributes.menus)) {
      for (const item of items) if (item.command) assert.ok(known.has(item.command), `${menu}: ${item.command}`);
    }
    for (const binding of contributes.keybindings) assert.ok(known.has(binding.command), binding.command);
  });

  it('use the view and container ids of the code', () => {
    assert.deepEqual(contributes.viewsContainers.activitybar.map((c) => c.id), Object.values(ViewContainerId));
    assert.deepEqual(Object.values(contributes.views).flat().map((v) => v.id), Object.values(ViewId));
  });

  it('use every context key the code sets, and no other runRewind key', () => {
    const whens = [
      ...contributes.commands.map((c) => c.enablement),
      ...contributes.viewsWelcome.map((w) => w.when),
      ...Object.values(contributes.menus).flat().map((m) => m.when),
      ...contributes.keybindings.map((k) => k.when),
    ].filter((w): w is string => typeof w === 'string');
    // Views and the chart panel's and runs table's webview types appear in when clauses too; they are not context keys.
    const notKeys = new Set<string>([...Object.values(ViewId), 'runRewind.charts', TABLE_VIEW_TYPE]);
    const used = new Set(whens.flatMap((w) => w.match(/runRewind\.[A-Za-z]+/g) ?? []).filter((k) => !notKeys.has(k)));
    assert.deepEqual([...used].sort(), Object.values(ContextKey).sort());
  });

  it('disable Rewind Run to Selected Step on an archived version, wherever it is offered', () => {
    const rewind = contributes.commands.find((c) => c.command === CommandId.RewindToSelectedStep);
    assert.match(rewind?.enablement ?? '', new RegExp(`!${ContextKey.SelectedStepArchived.replace('.', '\\.')}`));
  });

  it('declare exactly the settings the code reads', () => {
    assert.deepEqual(Object.keys(contributes.configuration.properties).sort(), Object.values(Setting).map((s) => `${SETTINGS_SECTION}.${s}`).sort());
  });
});
