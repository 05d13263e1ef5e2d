/**
 * The bundled server. The `.vsix` carries dig-lsp's wheel (`bundled/dig_lsp-<version>-py3-none-any.whl`);
 * when no setting names a server, the extension finds a Python >= 3.11, creates a virtual environment in
 * its global storage (`env-<version>-<hash>/`) and installs the wheel there with pip, which fetches the
 * dependencies from PyPI (or the index pip is configured with). A marker file written last records what
 * was installed: the next activation uses the environment as is, and a different wheel (a new version of
 * the extension) gets a new environment.
 *
 * No `vscode` import: `extension.ts` supplies the progress, the log and the Python extension's
 * interpreter; the unit tests call these functions directly.
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const MIN_PYTHON = { major: 3, minor: 11 } as const;
export const MIN_PYTHON_TEXT = `${MIN_PYTHON.major}.${MIN_PYTHON.minor}`;
/** Versioned names (`python3.15` ... `python3.11`) are tried newest first. */
const NEWEST_MINOR = 15;
/** The folder of the `.vsix` that holds the wheel. */
export const BUNDLED_DIR = "bundled";
/** Written into the environment once the install is complete and checked. */
export const MARKER_FILE = "dig-lsp-install.json";

const PROBE_TIMEOUT_MS = 15_000;
const VENV_TIMEOUT_MS = 180_000;
const PIP_TIMEOUT_MS = 900_000;
const CHECK_TIMEOUT_MS = 60_000;
/** An environment not used for this long, other than the current one, is removed. */
const OLD_ENV_MS = 24 * 3600_000;

// ---------------------------------------------------------------------------------------------
// Processes

export interface RunResult {
  /** Exit code; null when the process could not start, timed out or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why the process did not start (`ENOENT`, `EACCES`...). */
  error?: string;
  timedOut?: boolean;
  cancelled?: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with each chunk of stdout and stderr as it arrives. */
  onOutput?: (text: string) => void;
}

export type Runner = (command: string, args: string[], options?: RunOptions) => Promise<RunResult>;

/** Run a process without a shell and collect its output; never rejects. */
export const runProcess: Runner = (command, args, options = {}) =>
  new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let settled = false;
    let timedOut = false;
    let cancelled = false;
    const finish = (result: RunResult): void => {
      if (settled) {
        return;
      }
      settled = true;
      if (timer !== undefined) {
        clearTimeout(timer);
      }
      options.signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      cancelled = true;
      child.kill();
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    } catch (error) {
      finish({ code: null, stdout, stderr, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    child.stdout?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      stdout += text;
      options.onOutput?.(text);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      stderr += text;
      options.onOutput?.(text);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      finish({ code: null, stdout, stderr, error: error.code ?? error.message });
    });
    child.on("close", (code) => {
      finish({ code: timedOut || cancelled ? null : code, stdout, stderr, timedOut, cancelled });
    });
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        child.kill();
      }, options.timeoutMs);
    }
    if (options.signal?.aborted) {
      onAbort();
    } else {
      options.signal?.addEventListener("abort", onAbort);
    }
  });

// ---------------------------------------------------------------------------------------------
// Finding a Python

/** A way to start a Python interpreter: `py -3.12` on Windows is a command with arguments. */
export interface PythonCandidate {
  command: string;
  args: string[];
  /** Where it came from, for the log: "the Python extension", "PATH", "a usual location". */
  source: string;
}

/** What the candidates depend on; injected so tests need no real machine layout. */
export interface HostInfo {
  platform: NodeJS.Platform;
  homeDir: string;
  env: Record<string, string | undefined>;
  exists: (file: string) => boolean;
  /** Entries of a directory, [] when it does not exist. */
  listDir: (dir: string) => string[];
}

export function describeCandidate(candidate: PythonCandidate): string {
  return [candidate.command, ...candidate.args].join(" ");
}

function minorsNewestFirst(): number[] {
  const minors: number[] = [];
  for (let minor = NEWEST_MINOR; minor >= MIN_PYTHON.minor; minor -= 1) {
    minors.push(minor);
  }
  return minors;
}

/** `3.12.1` > `3.9.18`: compare dotted version strings by their numbers. */
function compareVersionNames(a: string, b: string): number {
  const numbers = (text: string): number[] => (text.match(/\d+/g) ?? []).map(Number);
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const diff = (x[i] ?? -1) - (y[i] ?? -1);
    if (diff !== 0) {
      return diff;
    }
  }
  return 0;
}

/**
 * The interpreters to try, in order: the one the Python extension selected, then `python3` /
 * `python` and the versioned names on PATH (the py launcher on Windows), then the usual install
 * locations (VS Code started from a desktop launcher may not have the shell's PATH).
 */
export function pythonCandidates(host: HostInfo, selected?: string): PythonCandidate[] {
  const candidates: PythonCandidate[] = [];
  const seen = new Set<string>();
  const add = (command: string, args: string[], source: string): void => {
    const key = [command, ...args].join("\0");
    if (!seen.has(key)) {
      seen.add(key);
      candidates.push({ command, args, source });
    }
  };
  const addIfExists = (file: string, source: string): void => {
    if (host.exists(file)) {
      add(file, [], source);
    }
  };
  if (selected !== undefined && selected.trim() !== "") {
    add(selected.trim(), [], "the Python extension's interpreter");
  }
  const minors = minorsNewestFirst();
  if (host.platform === "win32") {
    const p = path.win32;
    add("py", ["-3"], "the py launcher");
    add("python", [], "PATH");
    add("python3", [], "PATH");
    for (const minor of minors) {
      add("py", [`-3.${minor}`], "the py launcher");
    }
    for (const minor of minors) {
      const folder = `Python3${minor}`;
      if (host.env["LOCALAPPDATA"]) {
        addIfExists(p.join(host.env["LOCALAPPDATA"], "Programs", "Python", folder, "python.exe"), "a usual location");
      }
      for (const root of [host.env["ProgramFiles"], host.env["PROGRAMFILES"], "C:\\"]) {
        if (root) {
          addIfExists(p.join(root, folder, "python.exe"), "a usual location");
        }
      }
    }
    return candidates;
  }
  const p = path.posix;
  add("python3", [], "PATH");
  add("python", [], "PATH");
  for (const minor of minors) {
    add(`python3.${minor}`, [], "PATH");
  }
  const names = [...minors.map((minor) => `python3.${minor}`), "python3"];
  const dirs = ["/opt/homebrew/bin", "/usr/local/bin", "/usr/bin", "/opt/local/bin", p.join(host.homeDir, ".local", "bin")];
  for (const dir of dirs) {
    for (const name of names) {
      addIfExists(p.join(dir, name), "a usual location");
    }
  }
  if (host.platform === "darwin") {
    for (const minor of minors) {
      addIfExists(`/Library/Frameworks/Python.framework/Versions/3.${minor}/bin/python3`, "a usual location");
    }
  }
  // Interpreters that pyenv and uv manage (their shims need a shell's PATH), recent enough by name.
  const recent = (names: string[], pattern: RegExp): string[] =>
    names
      .filter((name) => {
        const match = pattern.exec(name);
        return match !== null && Number(match[1]) === MIN_PYTHON.major && Number(match[2]) >= MIN_PYTHON.minor;
      })
      .sort(compareVersionNames)
      .reverse();
  const pyenvRoot = host.env["PYENV_ROOT"] || p.join(host.homeDir, ".pyenv");
  for (const name of recent(host.listDir(p.join(pyenvRoot, "versions")), /^(\d+)\.(\d+)\.\d+$/)) {
    addIfExists(p.join(pyenvRoot, "versions", name, "bin", "python3"), "pyenv");
  }
  const uvRoot = p.join(host.env["XDG_DATA_HOME"] || p.join(host.homeDir, ".local", "share"), "uv", "python");
  for (const name of recent(host.listDir(uvRoot), /^cpython-(\d+)\.(\d+)\./)) {
    addIfExists(p.join(uvRoot, name, "bin", "python3"), "uv");
  }
  return candidates;
}

/** A Python that fits: version >= 3.11 with the venv module. */
export interface PythonInfo {
  candidate: PythonCandidate;
  /** `sys.executable` */
  executable: string;
  version: [number, number, number];
}

export interface Rejection {
  candidate: PythonCandidate;
  reason: string;
}

/** Valid Python 2 and 3, so that an old `python` answers with its version rather than a syntax error. */
export const PROBE_SCRIPT = [
  "import sys, json",
  "try:",
  "    import venv",
  "    has_venv = True",
  "except Exception:",
  "    has_venv = False",
  "sys.stdout.write(json.dumps({'executable': sys.executable, 'version': list(sys.version_info[:3]), 'venv': has_venv}))",
].join("\n");

export function versionText(version: readonly number[]): string {
  return version.join(".");
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((item) => item.trim() !== "") ?? "";
  return line.trim().slice(0, 200);
}

function lastLine(text: string, prefer?: RegExp): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
  const preferred = prefer === undefined ? [] : lines.filter((line) => prefer.test(line));
  const line = preferred.length > 0 ? preferred[preferred.length - 1] : lines[lines.length - 1];
  return (line ?? "").slice(0, 300);
}

export type ProbeResult = { ok: true; python: PythonInfo } | { ok: false; reason: string };

/** Start the candidate with `PROBE_SCRIPT` and judge its answer. */
export async function probePython(candidate: PythonCandidate, run: Runner): Promise<ProbeResult> {
  const result = await run(candidate.command, [...candidate.args, "-c", PROBE_SCRIPT], { timeoutMs: PROBE_TIMEOUT_MS });
  if (result.error !== undefined) {
    return { ok: false, reason: result.error === "ENOENT" ? "not found" : `cannot be started (${result.error})` };
  }
  if (result.timedOut) {
    return { ok: false, reason: `did not answer within ${PROBE_TIMEOUT_MS / 1000} s` };
  }
  if (result.code !== 0) {
    const detail = firstLine(result.stderr) || firstLine(result.stdout);
    return { ok: false, reason: `exited with code ${result.code ?? "?"}${detail ? `: ${detail}` : ""}` };
  }
  let answer: { executable?: unknown; version?: unknown; venv?: unknown } | undefined;
  for (const line of result.stdout.split(/\r?\n/).reverse()) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === "object" && parsed !== null) {
        answer = parsed;
        break;
      }
    } catch {
      // not the probe's line
    }
  }
  const version = answer?.version;
  if (
    answer === undefined ||
    !Array.isArray(version) ||
    version.length !== 3 ||
    !version.every((part) => typeof part === "number")
  ) {
    return { ok: false, reason: `did not tell its version (${firstLine(result.stdout) || "no output"})` };
  }
  const [major, minor, micro] = version as number[];
  if (major < MIN_PYTHON.major || (major === MIN_PYTHON.major && minor < MIN_PYTHON.minor)) {
    return { ok: false, reason: `Python ${versionText(version)} is older than ${MIN_PYTHON_TEXT}` };
  }
  if (answer.venv !== true) {
    return { ok: false, reason: `Python ${versionText(version)} has no venv module` };
  }
  const executable = typeof answer.executable === "string" && answer.executable !== "" ? answer.executable : candidate.command;
  return { ok: true, python: { candidate, executable, version: [major, minor, micro] } };
}

/**
 * The candidates that fit, probed one at a time (a Python that fails later, at creating the
 * environment, lets the caller go on with the next); the others are added to `rejections`.
 */
export async function* suitablePythons(
  candidates: PythonCandidate[],
  run: Runner,
  rejections: Rejection[],
  log: (line: string) => void = () => undefined,
): AsyncGenerator<PythonInfo> {
  const executables = new Set<string>();
  for (const candidate of candidates) {
    const probe = await probePython(candidate, run);
    if (!probe.ok) {
      log(`  ${describeCandidate(candidate)} (${candidate.source}): ${probe.reason}`);
      rejections.push({ candidate, reason: probe.reason });
      continue;
    }
    if (executables.has(probe.python.executable)) {
      continue;
    }
    executables.add(probe.python.executable);
    log(
      `  ${describeCandidate(candidate)} (${candidate.source}): Python ${versionText(probe.python.version)} ` +
        `at ${probe.python.executable}`,
    );
    yield probe.python;
  }
}

// ---------------------------------------------------------------------------------------------
// The bundled wheel and its environment

export interface BundledWheel {
  path: string;
  fileName: string;
  version: string;
  sha256: string;
}

/** The wheel in `dir` (the `.vsix`'s `bundled/` folder), or undefined when there is none (a build from source). */
export function findBundledWheel(dir: string): BundledWheel | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined;
  }
  const wheels = names.filter((name) => /^dig_lsp-[^-]+-.+\.whl$/.test(name)).sort(compareVersionNames);
  const fileName = wheels[wheels.length - 1];
  if (fileName === undefined) {
    return undefined;
  }
  const file = path.join(dir, fileName);
  const sha256 = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  return { path: file, fileName, version: fileName.split("-")[1], sha256 };
}

/** The environment's folder name: a different wheel (version or content) gets a new environment. */
export function envDirName(wheel: BundledWheel): string {
  return `env-${wheel.version}-${wheel.sha256.slice(0, 12)}`;
}

export interface EnvPaths {
  python: string;
  digLsp: string;
  digLint: string;
}

export function envPaths(envDir: string, platform: NodeJS.Platform): EnvPaths {
  if (platform === "win32") {
    const scripts = path.win32.join(envDir, "Scripts");
    return {
      python: path.win32.join(scripts, "python.exe"),
      digLsp: path.win32.join(scripts, "dig-lsp.exe"),
      digLint: path.win32.join(scripts, "dig-lint.exe"),
    };
  }
  const bin = path.posix.join(envDir, "bin");
  return { python: path.posix.join(bin, "python"), digLsp: path.posix.join(bin, "dig-lsp"), digLint: path.posix.join(bin, "dig-lint") };
}

/** What the marker file records. */
export interface InstallRecord {
  wheel: string;
  sha256: string;
  version: string;
  python: string;
  pythonVersion: string;
  installedAt: string;
}

/** A ready environment. */
export interface ManagedServer extends EnvPaths {
  envDir: string;
  version: string;
  /** The interpreter the environment was created with. */
  basePython: string;
  /** Whether this call installed it (false: it was there already). */
  installed: boolean;
}

/** The environment for `wheel` if it is completely installed, else undefined (no process is started). */
export function installedServer(storageDir: string, wheel: BundledWheel, platform: NodeJS.Platform): ManagedServer | undefined {
  const envDir = path.join(storageDir, envDirName(wheel));
  const paths = envPaths(envDir, platform);
  let record: Partial<InstallRecord>;
  try {
    record = JSON.parse(fs.readFileSync(path.join(envDir, MARKER_FILE), "utf8")) as Partial<InstallRecord>;
  } catch {
    return undefined;
  }
  if (record.wheel !== wheel.fileName || record.sha256 !== wheel.sha256 || !fs.existsSync(paths.digLsp)) {
    return undefined;
  }
  return { ...paths, envDir, version: wheel.version, basePython: String(record.python ?? ""), installed: false };
}

export type SetupErrorKind = "no-python" | "pip" | "check" | "cancelled";

/** A setup failure; `message` is what the user is shown (what happened and what to do). */
export class SetupError extends Error {
  constructor(
    readonly kind: SetupErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "SetupError";
  }
}

const CUSTOM_SERVER_HINT = 'or set "dig-lsp.server.path" to a dig-lsp you installed yourself';

export function noPythonMessage(rejections: Rejection[]): string {
  const telling = rejections.filter((rejection) => rejection.reason !== "not found");
  let found: string;
  if (telling.length === 0) {
    found = "found none (no python3, python, python3.1x or py on PATH, nothing in the usual locations)";
  } else {
    const shown = telling.slice(0, 3).map((rejection) => `${describeCandidate(rejection.candidate)}: ${rejection.reason}`);
    const more = telling.length > shown.length ? `; ${telling.length - shown.length} more in the output` : "";
    found = `found none that fits (${shown.join("; ")}${more})`;
  }
  return (
    `dig-lsp needs Python ${MIN_PYTHON_TEXT} or newer to install its language server and ${found}. ` +
    `Install Python ${MIN_PYTHON_TEXT}+ (python.org or your package manager) or select one with the Python ` +
    `extension, then choose Retry; ${CUSTOM_SERVER_HINT}.`
  );
}

/** Why `python -m venv` failed, in a line (Debian and Ubuntu ship venv's pip separately). */
export function venvFailureReason(result: RunResult, python: PythonInfo): string {
  const output = `${result.stderr}\n${result.stdout}`;
  if (/ensurepip/.test(output)) {
    const [major, minor] = python.version;
    return `cannot create a virtual environment: ensurepip is not available (Debian/Ubuntu: sudo apt install python${major}.${minor}-venv)`;
  }
  if (result.error !== undefined) {
    return `cannot create a virtual environment (${result.error})`;
  }
  if (result.timedOut) {
    return "creating a virtual environment timed out";
  }
  return `cannot create a virtual environment: ${lastLine(output) || `exit code ${result.code ?? "?"}`}`;
}

export function pipFailureMessage(result: RunResult, version: string): string {
  const why = result.timedOut
    ? `it did not finish within ${PIP_TIMEOUT_MS / 60_000} minutes`
    : lastLine(`${result.stdout}\n${result.stderr}`, /^ERROR:/) || `exit code ${result.code ?? "?"}`;
  return (
    `dig-lsp: pip could not install the language server (dig-lsp ${version} and its dependencies): ${why}. ` +
    "Check that pip can reach PyPI (a proxy or another index goes in pip's configuration or PIP_INDEX_URL), " +
    `then choose Retry; ${CUSTOM_SERVER_HINT}. pip's output is in the dig-lsp output.`
  );
}

export interface SetupOptions {
  /** The extension's global storage folder. */
  storageDir: string;
  wheel: BundledWheel;
  platform: NodeJS.Platform;
  /** The interpreters to try; called only when an install is needed. */
  candidates: () => Promise<PythonCandidate[]>;
  run?: Runner;
  log?: (line: string) => void;
  /** Short progress messages ("creating a Python 3.11.2 environment"). */
  report?: (message: string) => void;
  signal?: AbortSignal;
  /** A lock older than this (not refreshed by its owner) is taken over. */
  lockStaleMs?: number;
  pollMs?: number;
  now?: () => number;
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SetupError("cancelled", "dig-lsp: the setup of the language server was cancelled.");
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
  });
}

const LOCK_OWNER = "owner.json";

/** Whether the lock was taken by a process of this machine that no longer runs. */
function ownerIsGone(lockDir: string): boolean {
  let owner: { pid?: unknown; host?: unknown };
  try {
    owner = JSON.parse(fs.readFileSync(path.join(lockDir, LOCK_OWNER), "utf8")) as { pid?: unknown; host?: unknown };
  } catch {
    return false; // not written yet, or another layout: the lock's age decides
  }
  if (owner.host !== os.hostname() || typeof owner.pid !== "number" || owner.pid === process.pid) {
    return false;
  }
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * A lock folder beside the environment, so that two VS Code windows starting at once do not
 * install into the same folder: mkdir is atomic. The owner refreshes its time and records its
 * process id; a lock left by a window that died is taken over at once when that process is gone
 * from this machine, else once stale. Returns undefined when, while waiting, the other
 * window finished the install.
 */
async function acquireLock(
  lockDir: string,
  options: SetupOptions,
  isDone: () => boolean,
): Promise<{ release: () => void } | undefined> {
  const staleMs = options.lockStaleMs ?? 120_000;
  const pollMs = options.pollMs ?? 1000;
  const now = options.now ?? Date.now;
  let waiting = false;
  for (;;) {
    throwIfCancelled(options.signal);
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, LOCK_OWNER), JSON.stringify({ pid: process.pid, host: os.hostname() }));
      const heartbeat = setInterval(() => {
        try {
          const time = new Date(now());
          fs.utimesSync(lockDir, time, time);
        } catch {
          // the lock was taken over: nothing to refresh
        }
      }, Math.max(10, staleMs / 4));
      heartbeat.unref();
      return {
        release: () => {
          clearInterval(heartbeat);
          fs.rmSync(lockDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw error;
      }
    }
    if (isDone()) {
      return undefined;
    }
    let age: number;
    try {
      age = now() - fs.statSync(lockDir).mtimeMs;
    } catch {
      continue; // released in between
    }
    const dead = ownerIsGone(lockDir);
    if (age > staleMs || dead) {
      const why = dead ? "its process has ended" : `${Math.round(age / 1000)} s old`;
      options.log?.(`dig-lsp: taking over a stale lock (${why}): ${lockDir}`);
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!waiting) {
      waiting = true;
      options.log?.(`dig-lsp: another VS Code window is installing the server (${lockDir}); waiting`);
      options.report?.("waiting for another VS Code window that is installing dig-lsp");
    }
    await sleep(pollMs, options.signal);
  }
}

/** Remove other environments not used for a day (the current one is touched at each use). */
export function removeOldEnvironments(storageDir: string, keep: string, now: number = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(storageDir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = path.join(storageDir, name);
    if (!/^env-/.test(name) || name.endsWith(".lock") || dir === keep || fs.existsSync(`${dir}.lock`)) {
      continue;
    }
    let used: number;
    try {
      const marker = path.join(dir, MARKER_FILE);
      used = fs.statSync(fs.existsSync(marker) ? marker : dir).mtimeMs;
    } catch {
      continue;
    }
    if (now - used > OLD_ENV_MS) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
        removed.push(dir);
      } catch {
        // in use (Windows) or not ours to remove: try again next time
      }
    }
  }
  return removed;
}

async function install(envDir: string, options: SetupOptions): Promise<ManagedServer> {
  const run = options.run ?? runProcess;
  const log = options.log ?? (() => undefined);
  const report = options.report ?? (() => undefined);
  const { wheel, signal } = options;
  const paths = envPaths(envDir, options.platform);
  fs.rmSync(envDir, { recursive: true, force: true });

  report(`looking for Python ${MIN_PYTHON_TEXT} or newer`);
  log(`dig-lsp: installing the bundled server ${wheel.fileName} into ${envDir}`);
  log(`dig-lsp: looking for Python ${MIN_PYTHON_TEXT}+:`);
  const rejections: Rejection[] = [];
  let base: PythonInfo | undefined;
  for await (const python of suitablePythons(await options.candidates(), run, rejections, log)) {
    throwIfCancelled(signal);
    const version = versionText(python.version);
    report(`creating a Python ${version} environment`);
    log(`dig-lsp: ${python.executable} -m venv ${envDir}`);
    const result = await run(python.candidate.command, [...python.candidate.args, "-m", "venv", envDir], {
      timeoutMs: VENV_TIMEOUT_MS,
      signal,
      onOutput: (text) => log(text.trimEnd()),
    });
    throwIfCancelled(signal);
    if (result.code === 0 && fs.existsSync(paths.python)) {
      base = python;
      break;
    }
    const reason = venvFailureReason(result, python);
    log(`  ${describeCandidate(python.candidate)}: ${reason}`);
    rejections.push({ candidate: python.candidate, reason });
    fs.rmSync(envDir, { recursive: true, force: true });
  }
  throwIfCancelled(signal);
  if (base === undefined) {
    throw new SetupError("no-python", noPythonMessage(rejections));
  }

  report(`installing dig-lsp ${wheel.version} and its dependencies`);
  const pipArgs = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", wheel.path];
  log(`dig-lsp: ${paths.python} ${pipArgs.join(" ")}`);
  let pending = "";
  const pip = await run(paths.python, pipArgs, {
    timeoutMs: PIP_TIMEOUT_MS,
    signal,
    // PIP_USER: a `user = true` in pip's configuration would refuse to install into a virtual environment.
    env: { ...process.env, PIP_NO_INPUT: "1", PIP_USER: "0", PIP_DISABLE_PIP_VERSION_CHECK: "1" },
    onOutput: (text) => {
      pending += text;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) {
        log(line);
        const collecting = /^Collecting (\S+)/.exec(line);
        if (collecting !== null) {
          report(`installing dig-lsp ${wheel.version}: ${collecting[1]}`);
        }
      }
    },
  });
  if (pending !== "") {
    log(pending);
  }
  if (pip.cancelled) {
    fs.rmSync(envDir, { recursive: true, force: true });
    throwIfCancelled(signal);
  }
  if (pip.code !== 0) {
    fs.rmSync(envDir, { recursive: true, force: true });
    throw new SetupError("pip", pipFailureMessage(pip, wheel.version));
  }

  report("checking the server");
  const check = await run(paths.digLsp, ["--version"], { timeoutMs: CHECK_TIMEOUT_MS, signal });
  const answer = `${check.stdout}${check.stderr}`.trim();
  log(`dig-lsp: ${paths.digLsp} --version: ${answer || check.error || `exit code ${check.code ?? "?"}`}`);
  throwIfCancelled(signal);
  if (check.code !== 0 || !answer.includes(wheel.version)) {
    fs.rmSync(envDir, { recursive: true, force: true });
    throw new SetupError(
      "check",
      `dig-lsp: the installed server does not start ('${paths.digLsp} --version' answered ` +
        `${JSON.stringify(answer.slice(0, 200)) || check.error || "nothing"}, expected ${wheel.version}). ` +
        `Choose Retry; ${CUSTOM_SERVER_HINT}. Details are in the dig-lsp output.`,
    );
  }

  const record: InstallRecord = {
    wheel: wheel.fileName,
    sha256: wheel.sha256,
    version: wheel.version,
    python: base.executable,
    pythonVersion: versionText(base.version),
    installedAt: new Date((options.now ?? Date.now)()).toISOString(),
  };
  const marker = path.join(envDir, MARKER_FILE);
  fs.writeFileSync(`${marker}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  fs.renameSync(`${marker}.tmp`, marker);
  log(`dig-lsp: installed dig-lsp ${wheel.version} with Python ${record.pythonVersion} (${base.executable})`);
  return { ...paths, envDir, version: wheel.version, basePython: base.executable, installed: true };
}

/**
 * The environment of the bundled wheel, installed first if needed: finds a Python, creates the
 * virtual environment, installs the wheel with pip, checks `dig-lsp --version` and writes the
 * marker. Throws a `SetupError` whose message tells the user what to do.
 */
export async function ensureBundledServer(options: SetupOptions): Promise<ManagedServer> {
  const { storageDir, wheel, platform } = options;
  const envDir = path.join(storageDir, envDirName(wheel));
  const ready = (): ManagedServer | undefined => installedServer(storageDir, wheel, platform);
  let server = ready();
  if (server === undefined) {
    fs.mkdirSync(storageDir, { recursive: true });
    const lock = await acquireLock(`${envDir}.lock`, options, () => ready() !== undefined);
    if (lock === undefined) {
      server = ready();
    } else {
      try {
        server = ready() ?? (await install(envDir, options));
      } finally {
        lock.release();
      }
    }
  }
  if (server === undefined) {
    // The other window's install vanished in between: install here.
    return ensureBundledServer(options);
  }
  try {
    const time = new Date((options.now ?? Date.now)());
    fs.utimesSync(path.join(envDir, MARKER_FILE), time, time);
  } catch {
    // only used to tell old environments
  }
  for (const dir of removeOldEnvironments(storageDir, envDir, (options.now ?? Date.now)())) {
    options.log?.(`dig-lsp: removed an environment not used for a day: ${dir}`);
  }
  return server;
}

/** Remove the environment of `wheel` (the reinstall command), waiting for an install in progress. */
export async function removeBundledServer(options: SetupOptions): Promise<void> {
  const envDir = path.join(options.storageDir, envDirName(options.wheel));
  fs.mkdirSync(options.storageDir, { recursive: true });
  const lock = await acquireLock(`${envDir}.lock`, options, () => false);
  try {
    fs.rmSync(envDir, { recursive: true, force: true });
  } finally {
    lock?.release();
  }
}
