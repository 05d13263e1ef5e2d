/**
 * Everything the extension decides from its settings, without the `vscode` module: which
 * command starts the language server, the language client's options, and the command line of
 * the dry-run. `extension.ts` reads the settings and hands them here; the unit tests call these
 * functions directly with plain objects (the `vscode` module exists only inside VS Code).
 */
import * as path from "path";

/** The language id contributed in package.json (`*.dig`). */
export const LANGUAGE_ID = "digdag";
/** The configuration section of every setting (`dig-lsp.server.path`, ...). */
export const CONFIG_SECTION = "dig-lsp";
/** Module run by `<python> -m` when only an interpreter is configured. */
export const SERVER_MODULE = "dig_lsp.lsp.server";
export const LINT_MODULE = "dig_lsp.cli.main";
export const PROFILES = ["digdag", "treasure-data"] as const;
export type Profile = (typeof PROFILES)[number];

/** The `dig-lsp.*` settings, as `normalizeSettings` cleans them up. */
export interface Settings {
  serverPath: string;
  pythonPath: string;
  serverArgs: string[];
  lintPath: string;
  dryRunArgs: string[];
  profile: Profile | null;
  select: string[];
  ignore: string[];
  pluginOperators: string[];
  /** Where the rule pages are served (a base URL, or a template with `{code}`); "" for the default. */
  docsUrl: string;
}

/** What the host knows that the settings do not; injected so tests need no file system. */
export interface Environment {
  platform: NodeJS.Platform;
  /** Absolute path of the first workspace folder, if any. */
  workspaceFolder?: string;
  homeDir: string;
  /** Whether a file exists (used to find a workspace `.venv`). */
  exists: (file: string) => boolean;
}

/** A process to start: the shape of vscode-languageclient's `Executable`. */
export interface Executable {
  command: string;
  args: string[];
  options?: { cwd?: string; env?: Record<string, string | undefined> };
}

/** The settings the server receives (initializationOptions and workspace/configuration). */
export interface ServerSettings {
  profile?: Profile;
  select?: string[];
  ignore?: string[];
  "plugin-operators"?: string[];
  "docs-url"?: string;
}

/** The plain-data part of vscode-languageclient's `LanguageClientOptions`. */
export interface ClientOptionsData {
  documentSelector: { scheme: string; language: string }[];
  initializationOptions: ServerSettings;
  synchronize: { configurationSection: string };
  diagnosticCollectionName: string;
  outputChannelName: string;
}

function stringSetting(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

function listSetting(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const items = value.filter((item): item is string => typeof item === "string").map((item) => item.trim());
  return [...new Set(items.filter((item) => item.length > 0))];
}

/**
 * Clean raw setting values (as `WorkspaceConfiguration.get` returns them, keyed by their names
 * without the `dig-lsp.` prefix): wrong types fall back to the defaults instead of breaking the
 * extension, since settings.json is edited by hand.
 */
export function normalizeSettings(raw: Record<string, unknown>): Settings {
  const profile = raw["profile"];
  return {
    serverPath: stringSetting(raw["server.path"]),
    pythonPath: stringSetting(raw["server.pythonPath"]),
    serverArgs: Array.isArray(raw["server.args"])
      ? raw["server.args"].filter((item): item is string => typeof item === "string")
      : [],
    lintPath: stringSetting(raw["lint.path"]),
    dryRunArgs: Array.isArray(raw["dryRun.args"])
      ? raw["dryRun.args"].filter((item): item is string => typeof item === "string")
      : [],
    profile: PROFILES.includes(profile as Profile) ? (profile as Profile) : null,
    select: listSetting(raw["select"]),
    ignore: listSetting(raw["ignore"]),
    pluginOperators: listSetting(raw["pluginOperators"]).map((name) => name.replace(/>$/, "")),
    docsUrl: stringSetting(raw["docsUrl"]),
  };
}

/** Expand `~` and `${workspaceFolder}` (and `${userHome}`) the way users write them in settings. */
export function expandPath(value: string, env: Environment): string {
  let result = value;
  if (result === "~" || result.startsWith("~/") || result.startsWith("~\\")) {
    result = env.homeDir + result.slice(1);
  }
  result = result.replace(/\$\{userHome\}/g, env.homeDir);
  if (env.workspaceFolder !== undefined) {
    result = result.replace(/\$\{workspaceFolder\}/g, env.workspaceFolder);
  }
  return result;
}

function pathModule(env: Environment): path.PlatformPath {
  return env.platform === "win32" ? path.win32 : path.posix;
}

/** `<workspace>/.venv/bin/<name>` (`.venv\Scripts\<name>.exe` on Windows) if it exists. */
function venvExecutable(name: string, env: Environment): string | undefined {
  if (env.workspaceFolder === undefined) {
    return undefined;
  }
  const p = pathModule(env);
  const candidate =
    env.platform === "win32"
      ? p.join(env.workspaceFolder, ".venv", "Scripts", `${name}.exe`)
      : p.join(env.workspaceFolder, ".venv", "bin", name);
  return env.exists(candidate) ? candidate : undefined;
}

/**
 * Whether nothing the user set up names a server (no `server.path`, no `server.pythonPath`, no
 * `dig-lsp` in a `.venv` of the workspace folder): the extension then uses the server it bundles,
 * installed on first use into its own environment (`bootstrap.ts`).
 */
export function usesBundledServer(settings: Settings, env: Environment): boolean {
  return !settings.serverPath && !settings.pythonPath && venvExecutable("dig-lsp", env) === undefined;
}

/**
 * How to start `dig-lsp`: an explicit `server.path` wins, then `<pythonPath> -m dig_lsp.lsp.server`,
 * then a `.venv` of the workspace folder, then the bundled server's environment (`bundledServer`:
 * its `dig-lsp` executable, when the `.vsix` carries a wheel), else `dig-lsp` found on PATH.
 */
export function buildServerExecutable(settings: Settings, env: Environment, bundledServer?: string): Executable {
  const cwd = env.workspaceFolder;
  const options = cwd === undefined ? undefined : { cwd };
  if (settings.serverPath) {
    return { command: expandPath(settings.serverPath, env), args: [...settings.serverArgs], options };
  }
  if (settings.pythonPath) {
    return {
      command: expandPath(settings.pythonPath, env),
      args: ["-m", SERVER_MODULE, ...settings.serverArgs],
      options,
    };
  }
  const command = venvExecutable("dig-lsp", env) ?? bundledServer ?? "dig-lsp";
  return { command, args: [...settings.serverArgs], options };
}

/** The settings the server is told about; unset ones are left out so its config file decides. */
export function buildServerSettings(settings: Settings): ServerSettings {
  const result: ServerSettings = {};
  if (settings.profile !== null) {
    result.profile = settings.profile;
  }
  if (settings.select.length > 0) {
    result.select = [...settings.select];
  }
  if (settings.ignore.length > 0) {
    result.ignore = [...settings.ignore];
  }
  if (settings.pluginOperators.length > 0) {
    result["plugin-operators"] = [...settings.pluginOperators];
  }
  if (settings.docsUrl !== "") {
    result["docs-url"] = settings.docsUrl;
  }
  return result;
}

/**
 * The language client's options: `.dig` files on disk and unsaved, the SQL files on disk (a query a
 * workflow renders gets its SQL and `${...}` diagnostics where it is written; the server answers nothing
 * for SQL no digdag project uses), and the settings.
 */
export function buildClientOptions(settings: Settings): ClientOptionsData {
  return {
    documentSelector: [
      { scheme: "file", language: LANGUAGE_ID },
      { scheme: "untitled", language: LANGUAGE_ID },
      { scheme: "file", language: "sql" },
    ],
    initializationOptions: buildServerSettings(settings),
    synchronize: { configurationSection: CONFIG_SECTION },
    diagnosticCollectionName: "dig-lsp",
    outputChannelName: "dig-lsp",
  };
}

/**
 * `dig-lint dry-run [dryRun.args] <file>` (the dry-run takes no lint options): the executable is `lint.path`, else the `dig-lint` beside an explicit
 * `server.path`, else `<pythonPath> -m dig_lsp.cli.main`, else a workspace `.venv`, else the bundled
 * server's environment (`bundledLint`), else PATH.
 * It runs in the file's directory (the project), so relative references resolve as in digdag.
 */
export function buildDryRunCommand(settings: Settings, file: string, env: Environment, bundledLint?: string): Executable {
  const p = pathModule(env);
  const tail = ["dry-run", ...settings.dryRunArgs, file];
  const options = { cwd: p.dirname(file) };
  if (settings.lintPath) {
    return { command: expandPath(settings.lintPath, env), args: tail, options };
  }
  if (settings.serverPath) {
    const server = expandPath(settings.serverPath, env);
    const dir = p.dirname(server);
    if (dir !== "." && p.isAbsolute(server)) {
      const name = env.platform === "win32" && server.toLowerCase().endsWith(".exe") ? "dig-lint.exe" : "dig-lint";
      return { command: p.join(dir, name), args: tail, options };
    }
  }
  if (settings.pythonPath) {
    return { command: expandPath(settings.pythonPath, env), args: ["-m", LINT_MODULE, ...tail], options };
  }
  return { command: venvExecutable("dig-lint", env) ?? bundledLint ?? "dig-lint", args: tail, options };
}

/** Quote an argument for display in the output channel (what a user could paste into a shell). */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Counts shown in the status bar. */
export interface DiagnosticCounts {
  errors: number;
  warnings: number;
  others: number;
}

/** The lint status: the server's state plus the counts of the `.dig` files' diagnostics. */
export function statusText(state: "starting" | "running" | "stopped", counts: DiagnosticCounts): string {
  if (state === "starting") {
    return "$(sync~spin) dig-lsp";
  }
  if (state === "stopped") {
    return "$(circle-slash) dig-lsp";
  }
  if (counts.errors === 0 && counts.warnings === 0) {
    return "$(check) dig-lsp";
  }
  return `$(error) ${counts.errors} $(warning) ${counts.warnings} dig-lsp`;
}
