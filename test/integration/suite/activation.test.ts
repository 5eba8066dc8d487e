// Activation: cheap (no store, no log read until the view is shown), and the manifest agrees with
// the ids the code uses.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandId, ContextKey, EXTENSION_ID, SETTINGS_SECTION, Setting, ViewContainerId, ViewId } from '../../../src/ids';
import { extensionApi } from './helpers';

interface Manifest {
  readonly activationEvents: string[];
  readonly contributes: {
    readonly commands: { command: string; title: string; category?: string; icon?: string }[];
    readonly views: Record<string, { id: string }[]>;
    readonly viewsContainers: { activitybar: { id: string }[] };
    readonly configuration: { properties: Record<string, unknown> };
    readonly keybindings: { command: string; when?: string }[];
    readonly menus: Record<string, { command: string; when?: string }[]>;
  };
}

describe('activation', () => {
  it('activates without starting a store or reading logs', async () => {
    const api = await extensionApi();
    assert.ok(api.activationMs < 500, `activate() took ${api.activationMs} ms`);
    // The Runs view has not been shown yet in this window (Explorer is), so nothing was read.
    for (const folder of api.folders.all) assert.equal(folder.started, false, `${folder.name} started before the view was shown`);
  });

  it('registers every command the manifest contributes, and the manifest every command id', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    // packageJSON in the host is already localized: read the file for the %…% placeholders.
    const manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
    const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
    const ids = new Set<string>(Object.values(CommandId));
    assert.deepEqual([...contributed].sort(), [...ids].sort());
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of ids) assert.ok(registered.has(id), `${id} is not registered`);
    for (const c of manifest.contributes.commands) {
      assert.match(c.title, /^%command\.[\w.]+\.title%$/, `${c.command} title goes through package.nls.json`);
      assert.equal(c.category, '%category%');
      assert.ok(c.icon?.startsWith('$('), `${c.command} has a codicon`);
    }
  });

  it('names views, settings and context keys exactly as the code does', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as Manifest;
    assert.deepEqual(manifest.contributes.viewsContainers.activitybar.map((c) => c.id), [ViewContainerId.Runs]);
    assert.deepEqual(manifest.contributes.views[ViewContainerId.Runs]?.map((v) => v.id), [ViewId.Runs]);
    assert.ok(manifest.activationEvents.includes(`onView:${ViewId.Runs}`));
    const settings = Object.keys(manifest.contributes.configuration.properties).sort();
    assert.deepEqual(settings, Object.values(Setting).map((s) => `${SETTINGS_SECTION}.${s}`).sort());
    for (const k of manifest.contributes.keybindings) assert.equal(k.when, ContextKey.HasSelectedStep);
    // Commands that need a tree element never show in the palette.
    const hidden = manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command);
    assert.deepEqual(hidden.sort(), [CommandId.RevealSource, CommandId.SelectedStepActions, CommandId.RevealArtifact, CommandId.CopyArtifactPath].sort());
  });

  it('ships English and Korean strings for every manifest and code string', () => {
    const root = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '';
    const read = (f: string): Record<string, string> => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')) as Record<string, string>;
    const en = read('package.nls.json');
    const ko = read('package.nls.ko.json');
    assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort());
    const manifestText = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
    for (const m of manifestText.matchAll(/"%([^%"]+)%"/g)) assert.ok(m[1] && m[1] in en, `package.nls.json lacks ${m[1]}`);
    const bundle = read('l10n/bundle.l10n.ko.json');
    const missing = codeStrings(path.join(root, 'src')).filter((s) => !(s in bundle));
    assert.deepEqual(missing, [], 'strings without a Korean translation');
  });
});

/** Every literal first argument of vscode.l10n.t in the extension's sources. */
function codeStrings(dir: string): string[] {
  const out = new Set<string>();
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'core') walk(p);
      } else if (p.endsWith('.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) out.add((m[1] ?? '').replace(/\\'/g, "'").replace(/\\\\/g, '\\'));
        for (const m of text.matchAll(/l10n\.t\(\s*"((?:[^"\\]|\\.)*)"/g)) out.add((m[1] ?? '').replace(/\\"/g, '"'));
      }
    }
  };
  walk(dir);
  return [...out].sort();
}
