// Starts the real VS Code workbench (code-server, installed by scripts/install-code-server.sh) with
// Run Rewind loaded from the repository as the extension under development, and drives it in headless
// Chromium through playwright-core. Used by scripts/run-vscode-tests.js (integration tests in the
// extension host), by test/ui/harness.ts (UI tests) and by scripts/demo.sh's smoke check.
//
// Everything it starts (code-server's process group, Chromium, temp dirs) is stopped by `stop()`, and
// also when the Node process exits for any reason.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION || '4.100.3';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Process groups and temp dirs still alive; cleaned synchronously when Node exits. */
const live = { groups: new Set(), tmpDirs: new Set() };
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live.groups) killGroup(pid, 'SIGKILL');
    for (const dir of live.tmpDirs) rmrf(dir);
  });
  // A signal's default action skips 'exit' handlers: turn it into an exit, unless the program
  // has its own handler for that signal (then it is in charge of stopping what it started).
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [sig, code] of Object.entries(codes)) {
    process.on(sig, () => {
      if (process.listenerCount(sig) <= 1) process.exit(code);
    });
  }
}

function rmrf(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // best effort: a file watcher may still be releasing a handle
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(pid, graceMs = 3000) {
  if (!killGroup(pid, 'SIGTERM')) {
    live.groups.delete(pid);
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupAlive(pid)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
  live.groups.delete(pid);
}

class HarnessError extends Error {}

/** The code-server install directory; throws with the command to run when it is missing. */
function codeServerDir() {
  const dir =
    process.env.CODE_SERVER_DIR ||
    path.join(process.env.RUNREWIND_CACHE || path.join(os.homedir(), '.cache', 'runrewind'), `code-server-${CODE_SERVER_VERSION}`);
  if (!fs.existsSync(path.join(dir, 'out', 'node', 'entry.js'))) {
    throw new HarnessError(`code-server ${CODE_SERVER_VERSION} is not installed at ${dir}: run \`bash scripts/install-code-server.sh\``);
  }
  return dir;
}

/** Throws a clear error when the extension has not been built. */
function ensureBuilt(extensionPath = REPO_ROOT) {
  const main = path.join(extensionPath, 'dist', 'extension.js');
  if (!fs.existsSync(main)) {
    throw new HarnessError(`${path.relative(process.cwd(), main) || main} is missing: run \`npm run build\` first`);
  }
}

function makeTempRoot(prefix = 'runrewind-vscode-') {
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  live.tmpDirs.add(dir);
  return dir;
}

/**
 * The workspace folder to open: `folder` if given (must exist), else a fresh copy of
 * test/fixtures/workspace inside `tmpRoot` when that exists, else an empty dir inside `tmpRoot`.
 */
function prepareWorkspace(folder, tmpRoot) {
  if (folder) {
    const abs = path.resolve(folder);
    if (!fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
      throw new HarnessError(`workspace folder ${abs} does not exist`);
    }
    return abs;
  }
  const ws = path.join(tmpRoot, 'workspace');
  const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
  if (fs.existsSync(fixture)) {
    fs.cpSync(fixture, ws, { recursive: true });
  } else {
    fs.mkdirSync(ws, { recursive: true });
  }
  return ws;
}

/**
 * A multi-root workspace inside `tmpRoot`: fresh copies of test/fixtures/workspace (`workspace-a`) and
 * test/fixtures/workspace-b (`workspace-b`), and `multi-root.code-workspace` listing both in that order.
 * Returns the `.code-workspace` file's path and the folders.
 */
function prepareMultiRootWorkspace(tmpRoot) {
  const folders = [];
  for (const [fixture, name] of [['workspace', 'workspace-a'], ['workspace-b', 'workspace-b']]) {
    const src = path.join(REPO_ROOT, 'test', 'fixtures', fixture);
    if (!fs.existsSync(src)) throw new HarnessError(`fixture ${src} is missing`);
    const dest = path.join(tmpRoot, name);
    fs.cpSync(src, dest, { recursive: true });
    folders.push(dest);
  }
  const file = path.join(tmpRoot, 'multi-root.code-workspace');
  fs.writeFileSync(file, JSON.stringify({ folders: folders.map((f) => ({ path: path.basename(f) })), settings: {} }, null, 2));
  return { file, folders };
}

/** Quiet defaults for a test workbench: no welcome page, no git scanning, no update checks. */
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'window.restoreWindows': 'none',
};

function writeUserSettings(userDataDir, extra) {
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...(extra || {}) }, null, 2));
}

/**
 * Starts code-server detached in its own process group. Resolves when it listens.
 * @returns {Promise<{pid:number, port:number, output:string[], exited:Promise<number|null>, stop:()=>Promise<void>}>}
 */
function startCodeServer({ userDataDir, extensionsDir, env = {}, host = '127.0.0.1', port = 0, timeoutMs = 60_000, extraArgs = [] }) {
  installExitHook();
  const csDir = codeServerDir();
  const xdg = path.join(userDataDir, '..', 'xdg');
  fs.mkdirSync(path.join(xdg, 'config'), { recursive: true });
  fs.mkdirSync(path.join(xdg, 'data'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const args = [
    path.join(csDir, 'out', 'node', 'entry.js'),
    '--bind-addr', `${host}:${port}`,
    '--auth', 'none',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(xdg, 'config'),
      XDG_DATA_HOME: path.join(xdg, 'data'),
      // The workbench must not try to open a browser of its own.
      BROWSER: 'none',
      ...env,
    },
  });
  live.groups.add(child.pid);
  const output = [];
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = () => stopGroup(child.pid);

  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => finish(new HarnessError(`code-server did not start listening within ${timeoutMs / 1000}s`)), timeoutMs);
    function finish(err, boundPort) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        const tail = output.slice(-30).join('\n');
        err.message += tail ? `\n--- code-server output ---\n${tail}` : '';
        stop().then(() => reject(err));
      } else {
        resolve({ pid: child.pid, port: boundPort, output, exited, stop });
      }
    }
    function onData(chunk) {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        output.push(line);
        if (output.length > 2000) output.shift();
        const m = /HTTP server listening on https?:\/\/[^\s]*?:(\d+)\/?/.exec(line);
        if (m) finish(null, Number(m[1]));
      }
    }
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => finish(new HarnessError(`code-server failed to start: ${err.message}`)));
    exited.then((code) => finish(new HarnessError(`code-server exited with code ${code} before listening`)));
  });
}

function toRemoteUri(absPath) {
  return `vscode-remote://remote${absPath.split(path.sep).map(encodeURIComponent).join('/')}`;
}

/**
 * The workbench URL for a folder (or a `.code-workspace` file: `workspaceFile`), with the development
 * extension and (optionally) a tests module.
 */
function workbenchUrl({ port, host = '127.0.0.1', folder, workspaceFile, extensionDevelopmentPath, extensionTestsPath }) {
  const params = [];
  if (workspaceFile) params.push(`workspace=${encodeURIComponent(workspaceFile)}`);
  else if (folder) params.push(`folder=${encodeURIComponent(folder)}`);
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', toRemoteUri(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', toRemoteUri(extensionTestsPath)]);
  if (payload.length) params.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `http://${host}:${port}/${params.length ? '?' + params.join('&') : ''}`;
}

async function launchBrowser() {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    throw new HarnessError('playwright-core is not installed: run `npm ci`');
  }
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new HarnessError(`${executablePath} is missing: run \`bash scripts/install-system-deps.sh\` (Debian package chromium)`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    timeout: 60_000,
  });
}

/** The last `lines` lines of every extension-host log under a user-data dir. */
function exthostLogTail(userDataDir, lines = 60) {
  const logsDir = path.join(userDataDir, 'logs');
  const out = [];
  if (!fs.existsSync(logsDir)) return '';
  for (const rel of fs.readdirSync(logsDir, { recursive: true })) {
    if (!/exthost\d*[\\/]remoteexthost\.log$/.test(rel)) continue;
    const text = fs.readFileSync(path.join(logsDir, rel), 'utf8').trimEnd().split('\n');
    out.push(`--- ${path.join(logsDir, rel)} (last ${Math.min(lines, text.length)} lines) ---`, ...text.slice(-lines));
  }
  return out.join('\n');
}

/**
 * Starts code-server with the extension under development and opens the workbench in headless
 * Chromium. Resolves once the page has loaded (for UI tests, wait for what you need with `page`).
 *
 * @param {object} [opts]
 * @param {string} [opts.workspace] folder to open (default: temp copy of test/fixtures/workspace or an empty temp dir)
 * @param {boolean} [opts.multiRoot] open a multi-root workspace instead: temp copies of test/fixtures/workspace
 *   and test/fixtures/workspace-b listed in a `.code-workspace` file (see prepareMultiRootWorkspace)
 * @param {string|null} [opts.extensionDevelopmentPath] default: the repository root; null for none
 * @param {string} [opts.extensionTestsPath] absolute path of a module exporting run(), for integration tests
 * @param {string} [opts.extensionsDir] default: an empty temp dir (pass one with installed VSIXs to test them)
 * @param {Record<string,string>} [opts.env] extra env for code-server and so the extension host
 * @param {(level:string, text:string)=>void} [opts.onLog] receives the extension host's console output
 * @param {Record<string,unknown>} [opts.settings] user settings merged over DEFAULT_SETTINGS
 * @param {{width:number,height:number}} [opts.viewport]
 * @param {boolean} [opts.keepTemp] keep the temp dirs after stop() (also env RUNREWIND_KEEP_TMP=1)
 */
async function openWorkbench(opts = {}) {
  const extensionDevelopmentPath = opts.extensionDevelopmentPath === undefined ? REPO_ROOT : opts.extensionDevelopmentPath;
  if (extensionDevelopmentPath) ensureBuilt(extensionDevelopmentPath);
  const keepTemp = opts.keepTemp || process.env.RUNREWIND_KEEP_TMP === '1';
  const tmpRoot = makeTempRoot();
  const userDataDir = path.join(tmpRoot, 'user-data');
  const extensionsDir = opts.extensionsDir || path.join(tmpRoot, 'extensions');
  fs.mkdirSync(userDataDir, { recursive: true });
  const multiRoot = opts.multiRoot ? prepareMultiRootWorkspace(tmpRoot) : undefined;
  const workspace = multiRoot ? multiRoot.folders[0] : prepareWorkspace(opts.workspace, tmpRoot);
  writeUserSettings(userDataDir, opts.settings);

  let server;
  let browser;
  let stopped = false;
  let exitResolve;
  const exit = new Promise((resolve) => (exitResolve = resolve));
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (browser) {
      await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    }
    if (server) await server.stop();
    if (keepTemp) {
      live.tmpDirs.delete(tmpRoot);
    } else {
      rmrf(tmpRoot);
      live.tmpDirs.delete(tmpRoot);
    }
  };

  try {
    server = await startCodeServer({ userDataDir, extensionsDir, env: opts.env || {} });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: opts.viewport || { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.exposeFunction('codeAutomationLog', (level, args) => {
      if (!opts.onLog) return;
      const parts = Array.isArray(args) ? args : [args];
      opts.onLog(String(level), parts.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      exitResolve({ code: typeof code === 'number' ? code : Number(code), logs });
    });
    const url = workbenchUrl({
      port: server.port,
      folder: workspace,
      workspaceFile: multiRoot?.file,
      extensionDevelopmentPath: extensionDevelopmentPath || undefined,
      extensionTestsPath: opts.extensionTestsPath,
    });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    return {
      page,
      browser,
      url,
      port: server.port,
      workspace,
      /** For a multi-root workbench: the `.code-workspace` file and its folders. */
      workspaceFile: multiRoot?.file,
      folders: multiRoot ? multiRoot.folders : [workspace],
      userDataDir,
      extensionsDir,
      tmpRoot,
      serverOutput: server.output,
      serverExited: server.exited,
      /** Settles when the workbench reports that the extension tests finished: { code, logs }. */
      exit,
      exthostLog: (lines) => exthostLogTail(userDataDir, lines),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Waits until the workbench has rendered (activity bar visible). */
async function waitForWorkbench(page, timeoutMs = 60_000) {
  await page.waitForSelector('.monaco-workbench .part.activitybar', { state: 'visible', timeout: timeoutMs });
}

/** Installs a VSIX into an extensions dir with code-server's own CLI. */
function installVsix(vsixPath, extensionsDir, userDataDir) {
  const { execFileSync } = require('node:child_process');
  const csDir = codeServerDir();
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(userDataDir, { recursive: true });
  return execFileSync(
    process.execPath,
    [path.join(csDir, 'out', 'node', 'entry.js'), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', path.resolve(vsixPath), '--force'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
  );
}

module.exports = {
  REPO_ROOT,
  CODE_SERVER_VERSION,
  HarnessError,
  codeServerDir,
  ensureBuilt,
  makeTempRoot,
  prepareWorkspace,
  prepareMultiRootWorkspace,
  startCodeServer,
  workbenchUrl,
  launchBrowser,
  exthostLogTail,
  openWorkbench,
  waitForWorkbench,
  writeUserSettings,
  DEFAULT_SETTINGS,
  installVsix,
  killGroup,
};
