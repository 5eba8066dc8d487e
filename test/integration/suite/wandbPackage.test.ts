// The `wandb` package switch setting: off by default; on, terminals get python/wandb-shim on PYTHONPATH
// ahead of the bundled client (so `import wandb` is Run Rewind); off again, it is withdrawn.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, SETTINGS_SECTION, Setting } from '../../../src/ids';
import { extensionApi, waitFor } from './helpers';

describe('wandb package switch', () => {
  it('puts python/wandb-shim on terminals\' PYTHONPATH only while runRewind.terminal.wandbPackage is on', async () => {
    const api = await extensionApi();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    const shim = path.join(ext?.extensionPath ?? '', 'python', 'wandb-shim');
    const pythonPath = (): string => api.terminals.collection.get('PYTHONPATH')?.value ?? '';
    assert.ok(!pythonPath().includes(shim), `off by default: ${pythonPath()}`);
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    await config.update(Setting.WandbPackage, true, vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => pythonPath().startsWith(`${shim}${path.delimiter}`), 'the package switch on PYTHONPATH');
      assert.ok(pythonPath().includes(`${path.join(ext?.extensionPath ?? '', 'python')}${path.delimiter}`), pythonPath());
    } finally {
      await config.update(Setting.WandbPackage, undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor(() => !pythonPath().includes(shim), 'the package switch to be withdrawn');
  });
});
