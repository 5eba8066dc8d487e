// Proves the harness itself: these tests run inside a real VS Code extension host (code-server), with
// Run Rewind loaded from the repository as the extension under development.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'runrewind.run-rewind';

describe('integration harness', () => {
  it('runs inside a VS Code 1.100 extension host', () => {
    assert.match(vscode.version, /^1\.100\./);
    assert.equal(typeof vscode.commands.executeCommand, 'function');
  });

  it('loads Run Rewind from the repository as the development extension', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not among ${vscode.extensions.all.length} extensions`);
    const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
    assert.equal(path.resolve(ext.extensionPath), repoRoot);
    assert.equal(ext.packageJSON.name, 'run-rewind');
  });

  it('opens the workspace folder given by the runner', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, 'exactly one workspace folder');
    assert.equal(folders[0].uri.scheme, 'file');
  });
});
