"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
// Activation: cheap (no store, no log read until the view is shown), and the manifest agrees with
// the ids the code uses.
const assert = __importStar(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const ids_1 = require("../../../src/ids");
const helpers_1 = require("./helpers");
describe('activation', () => {
    it('activates without starting a store or reading logs', async () => {
        const api = await (0, helpers_1.extensionApi)();
        assert.ok(api.activationMs < 500, `activate() took ${api.activationMs} ms`);
        // The Runs view has not been shown yet in this window (Explorer is), so nothing was read.
        for (const folder of api.folders.all)
            assert.equal(folder.started, false, `${folder.name} started before the view was shown`);
    });
    it('registers every command the manifest contributes, and the manifest every command id', async () => {
        const ext = vscode.extensions.getExtension(ids_1.EXTENSION_ID);
        assert.ok(ext);
        // packageJSON in the host is already localized: read the file for the %…% placeholders.
        const manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8'));
        const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
        const ids = new Set(Object.values(ids_1.CommandId));
        assert.deepEqual([...contributed].sort(), [...ids].sort());
        const registered = new Set(await vscode.commands.getCommands(true));
        for (const id of ids)
            assert.ok(registered.has(id), `${id} is not registered`);
        for (const c of manifest.contributes.commands) {
            assert.match(c.title, /^%command\.[\w.]+\.title%$/, `${c.command} title goes through package.nls.json`);
            assert.equal(c.category, '%category%');
            assert.ok(c.icon?.startsWith('$('), `${c.command} has a codicon`);
        }
    });
    it('names views, settings and context keys exactly as the code does', () => {
        const manifest = vscode.extensions.getExtension(ids_1.EXTENSION_ID)?.packageJSON;
        assert.deepEqual(manifest.contributes.viewsContainers.activitybar.map((c) => c.id), [ids_1.ViewContainerId.Runs]);
        assert.deepEqual(manifest.contributes.views[ids_1.ViewContainerId.Runs]?.map((v) => v.id), [ids_1.ViewId.Runs]);
        assert.ok(manifest.activationEvents.includes(`onView:${ids_1.ViewId.Runs}`));
        const settings = Object.keys(manifest.contributes.configuration.properties).sort();
        assert.deepEqual(settings, Object.values(ids_1.Setting).map((s) => `${ids_1.SETTINGS_SECTION}.${s}`).sort());
        for (const k of manifest.contributes.keybindings)
            assert.equal(k.when, ids_1.ContextKey.HasSelectedStep);
        // Commands that need a tree element never show in the palette.
        const hidden = manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command);
        assert.deepEqual(hidden.sort(), [ids_1.CommandId.RevealSource, ids_1.CommandId.SelectedStepActions].sort());
    });
    it('ships English and Korean strings for every manifest and code string', () => {
        const root = vscode.extensions.getExtension(ids_1.EXTENSION_ID)?.extensionPath ?? '';
        const read = (f) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));
        const en = read('package.nls.json');
        const ko = read('package.nls.ko.json');
        assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort());
        const manifestText = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
        for (const m of manifestText.matchAll(/"%([^%"]+)%"/g))
            assert.ok(m[1] && m[1] in en, `package.nls.json lacks ${m[1]}`);
        const bundle = read('l10n/bundle.l10n.ko.json');
        const missing = codeStrings(path.join(root, 'src')).filter((s) => !(s in bundle));
        assert.deepEqual(missing, [], 'strings without a Korean translation');
    });
});
/** Every literal first argument of vscode.l10n.t in the extension's sources. */
function codeStrings(dir) {
    const out = new Set();
    const walk = (d) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== 'core')
                    walk(p);
            }
            else if (p.endsWith('.ts')) {
                const text = fs.readFileSync(p, 'utf8');
                for (const m of text.matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g))
                    out.add((m[1] ?? '').replace(/\\'/g, "'").replace(/\\\\/g, '\\'));
                for (const m of text.matchAll(/l10n\.t\(\s*"((?:[^"\\]|\\.)*)"/g))
                    out.add((m[1] ?? '').replace(/\\"/g, '"'));
            }
        }
    };
    walk(dir);
    return [...out].sort();
}
//# sourceMappingURL=activation.test.js.map