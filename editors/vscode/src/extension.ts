/**
 * The VS Code side: read the settings, start dig-lsp through vscode-languageclient (installing the
 * bundled server first when no setting names one), offer the dry-run command and keep the lint status
 * in the status bar. Decisions live in `options.ts` and `bootstrap.ts` (testable without VS Code);
 * this file only wires them to the `vscode` API.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";

import {
  BUNDLED_DIR,
  BundledWheel,
  HostInfo,
  ManagedServer,
  SetupError,
  SetupOptions,
  ensureBundledServer,
  findBundledWheel,
  installedServer,
  pythonCandidates,
  removeBundledServer,
} from "./bootstrap";
import {
  CONFIG_SECTION,
  DiagnosticCounts,
  Environment,
  LANGUAGE_ID,
  buildClientOptions,
  buildDryRunCommand,
  buildServerExecutable,
  normalizeSettings,
  shellQuote,
  statusText,
  usesBundledServer,
} from "./options";
import { selectedPython } from "./python-extension";

const SETTING_KEYS = [
  "server.path",
  "server.pythonPath",
  "server.args",
  "lint.path",
  "dryRun.args",
  "profile",
  "select",
  "ignore",
  "pluginOperators",
];
/** Settings that change how the server is started: changing one restarts it. */
const RESTART_KEYS = ["server.path", "server.pythonPath", "server.args"];

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem | undefined;
let serverState: "starting" | "running" | "stopped" = "stopped";
/** The log of the setup and of the language client ("dig-lsp" output). */
let channel: vscode.OutputChannel | undefined;
/** The bundled server's environment once it is ready (also gives the dry-run its dig-lint). */
let managed: ManagedServer | undefined;
/** The setup in progress, shared by concurrent starts. */
let setup: Promise<ManagedServer | undefined> | undefined;

function readSettings(): ReturnType<typeof normalizeSettings> {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const raw: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    raw[key] = config.get(key);
  }
  return normalizeSettings(raw);
}

function environment(): Environment {
  return {
    platform: process.platform,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    homeDir: os.homedir(),
    exists: (file) => fs.existsSync(file),
  };
}

function hostInfo(): HostInfo {
  return {
    platform: process.platform,
    homeDir: os.homedir(),
    env: process.env,
    exists: (file) => fs.existsSync(file),
    listDir: (dir) => {
      try {
        return fs.readdirSync(dir);
      } catch {
        return [];
      }
    },
  };
}

function log(line: string): void {
  channel?.appendLine(line);
}

function bundledWheel(context: vscode.ExtensionContext): BundledWheel | undefined {
  return findBundledWheel(path.join(context.extensionPath, BUNDLED_DIR));
}

function setupOptions(context: vscode.ExtensionContext, wheel: BundledWheel): SetupOptions {
  return {
    storageDir: context.globalStorageUri.fsPath,
    wheel,
    platform: process.platform,
    candidates: async () => pythonCandidates(hostInfo(), await selectedPython(log)),
    log,
  };
}

/**
 * The bundled server's environment, installed first (with a progress notification) when it is
 * missing or holds another wheel; undefined when the `.vsix` carries no wheel (built from source).
 */
async function bundledServer(context: vscode.ExtensionContext): Promise<ManagedServer | undefined> {
  const wheel = bundledWheel(context);
  if (wheel === undefined) {
    return undefined;
  }
  const ready = installedServer(context.globalStorageUri.fsPath, wheel, process.platform);
  if (ready !== undefined) {
    return ensureBundledServer(setupOptions(context, wheel)); // marks it used, removes old ones
  }
  setup ??= Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "dig-lsp: setting up the language server", cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return ensureBundledServer({
          ...setupOptions(context, wheel),
          signal: controller.signal,
          report: (message) => progress.report({ message }),
        });
      },
    ),
  ).finally(() => {
    setup = undefined;
  });
  return setup;
}

function showSetupError(context: vscode.ExtensionContext, error: unknown): void {
  if (error instanceof SetupError && error.kind === "cancelled") {
    log(error.message);
    void vscode.window.showInformationMessage(
      `${error.message} Run "digdag: Restart the dig-lsp language server" to set it up.`,
    );
    return;
  }
  const message =
    error instanceof SetupError ? error.message : `dig-lsp could not set up its language server: ${String(error)}`;
  log(message);
  void vscode.window.showErrorMessage(message, "Retry", "Show Output", "Open Settings").then((choice) => {
    if (choice === "Retry") {
      void restartClient(context);
    } else if (choice === "Show Output") {
      channel?.show();
    } else if (choice === "Open Settings") {
      void vscode.commands.executeCommand("workbench.action.openSettings", `${CONFIG_SECTION}.server`);
    }
  });
}

function countDiagnostics(): DiagnosticCounts {
  const counts: DiagnosticCounts = { errors: 0, warnings: 0, others: 0 };
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    if (!uri.path.endsWith(".dig")) {
      continue;
    }
    for (const diagnostic of diagnostics) {
      if (diagnostic.source !== undefined && diagnostic.source !== "dig-lsp" && diagnostic.source !== "dig-lint") {
        continue;
      }
      if (diagnostic.severity === vscode.DiagnosticSeverity.Error) {
        counts.errors += 1;
      } else if (diagnostic.severity === vscode.DiagnosticSeverity.Warning) {
        counts.warnings += 1;
      } else {
        counts.others += 1;
      }
    }
  }
  return counts;
}

function updateStatus(): void {
  if (status === undefined) {
    return;
  }
  const counts = countDiagnostics();
  status.text = statusText(serverState, counts);
  status.tooltip =
    serverState === "running"
      ? `dig-lsp: ${counts.errors} errors, ${counts.warnings} warnings, ${counts.others} other findings in .dig files`
      : `dig-lsp is ${serverState}`;
  status.command = serverState === "stopped" ? "dig-lsp.showOutput" : "workbench.actions.view.problems";
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId === LANGUAGE_ID || serverState !== "running") {
    status.show();
  } else {
    status.hide();
  }
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const settings = readSettings();
  managed = undefined;
  if (usesBundledServer(settings, environment())) {
    serverState = "starting";
    updateStatus();
    try {
      managed = await bundledServer(context);
    } catch (error) {
      serverState = "stopped";
      updateStatus();
      showSetupError(context, error);
      return;
    }
  }
  const executable = buildServerExecutable(settings, environment(), managed?.digLsp);
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const data = buildClientOptions(settings);
  const clientOptions: LanguageClientOptions = {
    ...data,
    outputChannel: channel,
    synchronize: {
      ...data.synchronize,
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.dig,*.sql,*.yml,*.yaml,.dig-lint.toml,pyproject.toml}"),
    },
  };
  client = new LanguageClient(CONFIG_SECTION, "dig-lsp", serverOptions, clientOptions);
  context.subscriptions.push(
    client.onDidChangeState((event) => {
      serverState =
        event.newState === State.Running ? "running" : event.newState === State.Starting ? "starting" : "stopped";
      updateStatus();
    }),
  );
  serverState = "starting";
  updateStatus();
  try {
    await client.start();
  } catch (error) {
    serverState = "stopped";
    updateStatus();
    const message = error instanceof Error ? error.message : String(error);
    if (managed !== undefined) {
      void vscode.window.showErrorMessage(
        `dig-lsp could not start the bundled server '${executable.command}': ${message}. ` +
          "Reinstall it (for instance after the Python it was installed with was removed), " +
          "or set 'dig-lsp.server.path' to a dig-lsp you installed yourself.",
        "Reinstall",
        "Show Output",
      ).then((choice) => {
        if (choice === "Reinstall") {
          void reinstallServer(context);
        } else if (choice === "Show Output") {
          channel?.show();
        }
      });
      return;
    }
    void vscode.window.showErrorMessage(
      `dig-lsp could not be started with '${executable.command}': ${message}. ` +
        "Set 'dig-lsp.server.path' (or 'dig-lsp.server.pythonPath') to where dig-lsp is installed.",
      "Open Settings",
    ).then((choice) => {
      if (choice === "Open Settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", CONFIG_SECTION);
      }
    });
  }
}

async function stopClient(): Promise<void> {
  const previous = client;
  client = undefined;
  if (previous !== undefined) {
    await previous.stop().catch(() => undefined);
  }
}

/**
 * Starts, restarts and reinstalls run one after the other: a setting changed while the bundled
 * server is being installed must not start a second client beside the first.
 */
let queue: Promise<void> = Promise.resolve();

function serially(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task);
  return queue;
}

function restartClient(context: vscode.ExtensionContext): Promise<void> {
  return serially(async () => {
    await stopClient();
    await startClient(context);
  });
}

/** Remove the bundled server's environment and set it up again. */
function reinstallServer(context: vscode.ExtensionContext): Promise<void> {
  return serially(() => reinstall(context));
}

async function reinstall(context: vscode.ExtensionContext): Promise<void> {
  const wheel = bundledWheel(context);
  if (wheel === undefined) {
    void vscode.window.showInformationMessage("dig-lsp: this build of the extension carries no server to install.");
    return;
  }
  await stopClient();
  managed = undefined;
  try {
    await removeBundledServer(setupOptions(context, wheel));
  } catch (error) {
    log(`dig-lsp: cannot remove the bundled server's environment: ${String(error)}`);
  }
  if (!usesBundledServer(readSettings(), environment())) {
    void vscode.window.showInformationMessage(
      "dig-lsp: the bundled server was removed; it is installed again when no setting names a server.",
    );
  }
  await startClient(context);
}

function dryRun(channel: vscode.OutputChannel): void {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.languageId !== LANGUAGE_ID || editor.document.isUntitled) {
    void vscode.window.showWarningMessage("dig-lsp: open a saved .dig file to dry-run it.");
    return;
  }
  const document = editor.document;
  const run = async (): Promise<void> => {
    if (document.isDirty) {
      await document.save();
    }
    const command = buildDryRunCommand(readSettings(), document.uri.fsPath, environment(), managed?.digLint);
    channel.show(true);
    channel.appendLine(`$ ${[command.command, ...command.args].map(shellQuote).join(" ")}`);
    const child = spawn(command.command, command.args, { cwd: command.options?.cwd, env: process.env });
    child.stdout.on("data", (chunk: Buffer) => channel.append(chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => channel.append(chunk.toString("utf8")));
    child.on("error", (error) => {
      channel.appendLine(`dig-lsp: cannot run '${command.command}': ${error.message} (set 'dig-lsp.lint.path')`);
    });
    child.on("close", (code) => channel.appendLine(`[exit code ${code ?? "?"}]`));
  };
  void run();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const dryRunChannel = vscode.window.createOutputChannel("dig-lint dry-run");
  channel = vscode.window.createOutputChannel("dig-lsp");
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.name = "dig-lsp";
  context.subscriptions.push(
    dryRunChannel,
    channel,
    status,
    vscode.commands.registerCommand("dig-lsp.dryRun", () => dryRun(dryRunChannel)),
    vscode.commands.registerCommand("dig-lsp.restartServer", () => restartClient(context)),
    vscode.commands.registerCommand("dig-lsp.reinstallServer", () => reinstallServer(context)),
    vscode.commands.registerCommand("dig-lsp.showOutput", () => channel?.show()),
    vscode.languages.onDidChangeDiagnostics(() => updateStatus()),
    vscode.window.onDidChangeActiveTextEditor(() => updateStatus()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_KEYS.some((key) => event.affectsConfiguration(`${CONFIG_SECTION}.${key}`))) {
        void restartClient(context);
      }
    }),
  );
  // Not awaited: the first start may install the bundled server (a minute or so), which must not
  // hold up the activation (the commands above are usable meanwhile).
  void serially(() => startClient(context));
}

export async function deactivate(): Promise<void> {
  if (client !== undefined) {
    await client.stop();
    client = undefined;
  }
}
