/**
 * The VS Code side: read the settings, start dig-lsp through vscode-languageclient, offer the
 * dry-run command and keep the lint status in the status bar. Decisions live in `options.ts`
 * (testable without VS Code); this file only wires them to the `vscode` API.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";

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
} from "./options";

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
  const executable = buildServerExecutable(settings, environment());
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const data = buildClientOptions(settings);
  const clientOptions: LanguageClientOptions = {
    ...data,
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

async function restartClient(context: vscode.ExtensionContext): Promise<void> {
  const previous = client;
  client = undefined;
  if (previous !== undefined) {
    await previous.stop().catch(() => undefined);
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
    const command = buildDryRunCommand(readSettings(), document.uri.fsPath, environment());
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
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.name = "dig-lsp";
  context.subscriptions.push(
    dryRunChannel,
    status,
    vscode.commands.registerCommand("dig-lsp.dryRun", () => dryRun(dryRunChannel)),
    vscode.commands.registerCommand("dig-lsp.restartServer", () => restartClient(context)),
    vscode.commands.registerCommand("dig-lsp.showOutput", () => client?.outputChannel.show()),
    vscode.languages.onDidChangeDiagnostics(() => updateStatus()),
    vscode.window.onDidChangeActiveTextEditor(() => updateStatus()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_KEYS.some((key) => event.affectsConfiguration(`${CONFIG_SECTION}.${key}`))) {
        void restartClient(context);
      }
    }),
  );
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  if (client !== undefined) {
    await client.stop();
    client = undefined;
  }
}
