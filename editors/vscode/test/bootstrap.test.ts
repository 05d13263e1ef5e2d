/**
 * The bundled server's setup without VS Code and without network: Python candidates, the probe,
 * and `ensureBundledServer` driven by a fake process runner over a real temporary folder (the fake
 * `python -m venv` and `pip install` create the files the real ones would). The real install, with
 * a real Python and pip, is run by tests/test_vscode_extension.py.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, beforeEach, describe, it } from "node:test";

import {
  BundledWheel,
  HostInfo,
  MARKER_FILE,
  PROBE_SCRIPT,
  PythonCandidate,
  Rejection,
  RunOptions,
  RunResult,
  Runner,
  SetupError,
  SetupOptions,
  envDirName,
  ensureBundledServer,
  findBundledWheel,
  installedServer,
  noPythonMessage,
  probePython,
  pythonCandidates,
  removeBundledServer,
  removeOldEnvironments,
  runProcess,
  suitablePythons,
} from "../src/bootstrap";

function host(overrides: Partial<HostInfo> = {}): HostInfo {
  return { platform: "linux", homeDir: "/home/u", env: {}, exists: () => false, listDir: () => [], ...overrides };
}

const commands = (candidates: PythonCandidate[]): string[] => candidates.map((c) => [c.command, ...c.args].join(" "));

describe("pythonCandidates", () => {
  it("tries the Python extension's interpreter, then PATH, then the usual locations, pyenv and uv", () => {
    const existing = new Set([
      "/usr/bin/python3",
      "/usr/bin/python3.11",
      "/home/u/.pyenv/versions/3.12.1/bin/python3",
      "/home/u/.pyenv/versions/3.13.0/bin/python3",
      "/home/u/.pyenv/versions/3.9.18/bin/python3",
      "/home/u/.local/share/uv/python/cpython-3.12.4-linux-x86_64-gnu/bin/python3",
    ]);
    const listing: Record<string, string[]> = {
      "/home/u/.pyenv/versions": ["3.9.18", "3.12.1", "3.13.0", "2.7.18", "system"],
      "/home/u/.local/share/uv/python": ["cpython-3.12.4-linux-x86_64-gnu", "cpython-3.10.1-linux-x86_64-gnu"],
    };
    const list = pythonCandidates(
      host({ exists: (file) => existing.has(file), listDir: (dir) => listing[dir] ?? [] }),
      "/ws/.venv/bin/python",
    );
    assert.deepEqual(commands(list), [
      "/ws/.venv/bin/python",
      "python3",
      "python",
      "python3.15",
      "python3.14",
      "python3.13",
      "python3.12",
      "python3.11",
      "/usr/bin/python3.11",
      "/usr/bin/python3",
      "/home/u/.pyenv/versions/3.13.0/bin/python3",
      "/home/u/.pyenv/versions/3.12.1/bin/python3",
      "/home/u/.local/share/uv/python/cpython-3.12.4-linux-x86_64-gnu/bin/python3",
    ]);
    assert.equal(list[0].source, "the Python extension's interpreter");
    assert.equal(list[1].source, "PATH");
  });

  it("honours PYENV_ROOT and leaves out what does not exist", () => {
    const list = pythonCandidates(
      host({
        env: { PYENV_ROOT: "/opt/pyenv" },
        exists: (file) => file === "/opt/pyenv/versions/3.11.9/bin/python3",
        listDir: (dir) => (dir === "/opt/pyenv/versions" ? ["3.11.9"] : []),
      }),
    );
    assert.equal(commands(list).at(-1), "/opt/pyenv/versions/3.11.9/bin/python3");
    assert.ok(!commands(list).some((command) => command.startsWith("/usr/")));
  });

  it("uses the py launcher and the python.org install folders on Windows", () => {
    const local = "C:\\Users\\u\\AppData\\Local";
    const list = pythonCandidates(
      host({
        platform: "win32",
        homeDir: "C:\\Users\\u",
        env: { LOCALAPPDATA: local },
        exists: (file) => file === `${local}\\Programs\\Python\\Python312\\python.exe`,
      }),
    );
    assert.deepEqual(commands(list).slice(0, 4), ["py -3", "python", "python3", "py -3.15"]);
    assert.equal(commands(list).at(-1), `${local}\\Programs\\Python\\Python312\\python.exe`);
  });

  it("looks in the python.org framework on macOS", () => {
    const framework = "/Library/Frameworks/Python.framework/Versions/3.12/bin/python3";
    const list = pythonCandidates(host({ platform: "darwin", exists: (file) => file === framework || file === "/opt/homebrew/bin/python3" }));
    assert.deepEqual(commands(list).slice(-2), ["/opt/homebrew/bin/python3", framework]);
  });
});

function result(overrides: Partial<RunResult> = {}): RunResult {
  return { code: 0, stdout: "", stderr: "", ...overrides };
}

function answer(version: number[], venv = true, executable = "/usr/bin/python3"): RunResult {
  return result({ stdout: `${JSON.stringify({ executable, version, venv })}` });
}

const candidate = (command: string): PythonCandidate => ({ command, args: [], source: "PATH" });

describe("probePython", () => {
  const cases: [string, RunResult, string][] = [
    ["missing", result({ code: null, error: "ENOENT" }), "not found"],
    [
      "a pyenv shim without that version",
      result({ code: 127, stderr: "pyenv: python3.12: command not found\n\nThe `python3.12' command exists in..." }),
      "exited with code 127: pyenv: python3.12: command not found",
    ],
    ["too old", answer([3, 10, 13]), "Python 3.10.13 is older than 3.11"],
    ["python 2", answer([2, 7, 18]), "Python 2.7.18 is older than 3.11"],
    ["without venv", answer([3, 11, 2], false), "Python 3.11.2 has no venv module"],
    ["something else", result({ stdout: "hello\n" }), "did not tell its version (hello)"],
    ["hanging", result({ code: null, timedOut: true }), "did not answer within 15 s"],
  ];
  for (const [name, reply, reason] of cases) {
    it(`rejects: ${name}`, async () => {
      const probe = await probePython(candidate("python3"), async () => reply);
      assert.deepEqual(probe, { ok: false, reason });
    });
  }

  it("accepts Python 3.11+ with venv and reads the probe's line after other output", async () => {
    let seen: string[] = [];
    const probe = await probePython({ command: "py", args: ["-3.12"], source: "the py launcher" }, async (_command, args) => {
      seen = args;
      return result({ stdout: `a warning\n${answer([3, 12, 1], true, "C:\\Python312\\python.exe").stdout}\n` });
    });
    assert.deepEqual(seen, ["-3.12", "-c", PROBE_SCRIPT]);
    assert.ok(probe.ok);
    assert.deepEqual(probe.python.version, [3, 12, 1]);
    assert.equal(probe.python.executable, "C:\\Python312\\python.exe");
  });
});

describe("suitablePythons and noPythonMessage", () => {
  it("yields each fitting interpreter once and records the others", async () => {
    const replies: Record<string, RunResult> = {
      python3: answer([3, 10, 12]),
      python: result({ code: null, error: "ENOENT" }),
      "python3.12": answer([3, 12, 1], true, "/usr/bin/python3.12"),
      "/usr/bin/python3.12": answer([3, 12, 1], true, "/usr/bin/python3.12"),
      "python3.11": answer([3, 11, 2], true, "/usr/bin/python3.11"),
    };
    const rejections: Rejection[] = [];
    const found = [];
    for await (const python of suitablePythons(Object.keys(replies).map(candidate), async (c) => replies[c], rejections)) {
      found.push(python.executable);
    }
    assert.deepEqual(found, ["/usr/bin/python3.12", "/usr/bin/python3.11"]);
    assert.deepEqual(
      rejections.map((r) => `${r.candidate.command}: ${r.reason}`),
      ["python3: Python 3.10.12 is older than 3.11", "python: not found"],
    );
  });

  it("says what was found and what to do", () => {
    const none = noPythonMessage([{ candidate: candidate("python3"), reason: "not found" }]);
    assert.match(none, /needs Python 3\.11 or newer .* found none \(no python3, python, python3\.1x or py on PATH/);
    assert.match(none, /Install Python 3\.11\+ .* Python extension, then choose Retry; or set "dig-lsp\.server\.path"/);
    const old = noPythonMessage(
      ["a", "b", "c", "d"].map((name) => ({ candidate: candidate(name), reason: "Python 3.9.2 is older than 3.11" })),
    );
    assert.match(old, /found none that fits \(a: Python 3\.9\.2 is older than 3\.11; b: .*; c: .*; 1 more in the output\)/);
  });
});

// ---------------------------------------------------------------------------------------------
// A fake machine for ensureBundledServer

interface Machine {
  /** command -> [version, sys.executable]; absent commands are not found. */
  pythons: Record<string, [number[], string]>;
  /** Pythons whose `-m venv` fails like Debian's without python3.X-venv. */
  noEnsurepip?: Set<string>;
  pipFails?: boolean;
  /** What `dig-lsp --version` prints. */
  versionOutput?: string;
  /** Called when pip starts (the test can abort there). */
  onPip?: () => void;
}

interface Call {
  command: string;
  args: string[];
}

function fakeRunner(machine: Machine): { run: Runner; calls: Call[] } {
  const calls: Call[] = [];
  const run: Runner = async (command: string, args: string[], options?: RunOptions) => {
    calls.push({ command, args });
    if (args.includes("-c")) {
      const python = machine.pythons[command];
      return python === undefined ? result({ code: null, error: "ENOENT" }) : answer(python[0], true, python[1]);
    }
    if (args[0] === "-m" && args[1] === "venv") {
      if (machine.noEnsurepip?.has(command)) {
        return result({
          code: 1,
          stdout: "The virtual environment was not created successfully because ensurepip is not\navailable.",
        });
      }
      fs.mkdirSync(path.join(args[2], "bin"), { recursive: true });
      fs.writeFileSync(path.join(args[2], "bin", "python"), "");
      return result();
    }
    if (args[0] === "-m" && args[1] === "pip") {
      machine.onPip?.();
      if (options?.signal?.aborted) {
        return result({ code: null, cancelled: true });
      }
      options?.onOutput?.("Processing ./dig_lsp-0.1.0-py3-none-any.whl\nCollecting pygls>=2.0.0\n");
      if (machine.pipFails) {
        options?.onOutput?.("ERROR: Could not find a version that satisfies the requirement pygls>=2.0.0\n");
        return result({
          code: 1,
          stderr: "ERROR: Could not find a version that satisfies the requirement pygls>=2.0.0\nERROR: No matching distribution found for pygls>=2.0.0\n",
        });
      }
      const bin = path.dirname(command);
      fs.writeFileSync(path.join(bin, "dig-lsp"), "");
      fs.writeFileSync(path.join(bin, "dig-lint"), "");
      options?.onOutput?.("Successfully installed dig-lsp-0.1.0 pygls-2.0.0\n");
      return result({ stdout: "Processing ...\nSuccessfully installed dig-lsp-0.1.0 pygls-2.0.0\n" });
    }
    if (args[0] === "--version") {
      return result({ stdout: machine.versionOutput ?? "dig-lsp 0.1.0\n" });
    }
    throw new Error(`unexpected command ${command} ${args.join(" ")}`);
  };
  return { run, calls };
}

describe("ensureBundledServer", () => {
  let root: string;
  let storage: string;
  let wheel: BundledWheel;

  function makeWheel(name: string, content: string): BundledWheel {
    const dir = path.join(root, `ext-${name}-${content}`, "bundled");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
    const found = findBundledWheel(dir);
    assert.ok(found);
    return found;
  }

  function options(machine: Machine, overrides: Partial<SetupOptions> = {}): SetupOptions & { calls: Call[]; logs: string[]; reports: string[] } {
    const { run, calls } = fakeRunner(machine);
    const logs: string[] = [];
    const reports: string[] = [];
    return {
      storageDir: storage,
      wheel,
      platform: "linux",
      candidates: async () => ["python3", "python", "python3.12", "python3.11"].map(candidate),
      run,
      log: (line) => logs.push(line),
      report: (message) => reports.push(message),
      pollMs: 5,
      calls,
      logs,
      reports,
      ...overrides,
    };
  }

  const python311: Machine = { pythons: { "python3.11": [[3, 11, 2], "/usr/bin/python3.11"] } };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "dig-lsp-bootstrap-"));
    storage = path.join(root, "globalStorage");
    wheel = makeWheel("dig_lsp-0.1.0-py3-none-any.whl", "wheel one");
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("finds the bundled wheel, its version and hash", () => {
    assert.equal(wheel.fileName, "dig_lsp-0.1.0-py3-none-any.whl");
    assert.equal(wheel.version, "0.1.0");
    assert.match(wheel.sha256, /^[0-9a-f]{64}$/);
    assert.match(envDirName(wheel), /^env-0\.1\.0-[0-9a-f]{12}$/);
    assert.equal(findBundledWheel(path.join(root, "nowhere")), undefined);
    fs.mkdirSync(path.join(root, "empty"));
    assert.equal(findBundledWheel(path.join(root, "empty")), undefined);
  });

  it("creates the environment with the first Python that fits, installs the wheel and checks it", async () => {
    const o = options(python311);
    const server = await ensureBundledServer(o);
    const envDir = path.join(storage, envDirName(wheel));
    assert.deepEqual(server, {
      envDir,
      python: path.join(envDir, "bin", "python"),
      digLsp: path.join(envDir, "bin", "dig-lsp"),
      digLint: path.join(envDir, "bin", "dig-lint"),
      version: "0.1.0",
      basePython: "/usr/bin/python3.11",
      installed: true,
    });
    const steps = o.calls.filter((call) => !call.args.includes("-c"));
    assert.deepEqual(steps, [
      { command: "python3.11", args: ["-m", "venv", envDir] },
      {
        command: server.python,
        args: ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", wheel.path],
      },
      { command: server.digLsp, args: ["--version"] },
    ]);
    assert.deepEqual(o.reports, [
      "looking for Python 3.11 or newer",
      "creating a Python 3.11.2 environment",
      "installing dig-lsp 0.1.0 and its dependencies",
      "installing dig-lsp 0.1.0: pygls>=2.0.0",
      "checking the server",
    ]);
    const record = JSON.parse(fs.readFileSync(path.join(envDir, MARKER_FILE), "utf8"));
    assert.equal(record.wheel, wheel.fileName);
    assert.equal(record.sha256, wheel.sha256);
    assert.equal(record.python, "/usr/bin/python3.11");
    assert.equal(record.pythonVersion, "3.11.2");
    assert.ok(o.logs.some((line) => line.includes("python3 (PATH): not found")));
    assert.ok(o.logs.includes("Successfully installed dig-lsp-0.1.0 pygls-2.0.0"));
    assert.ok(!fs.existsSync(`${envDir}.lock`));

    // The next activation uses it as it is: no process at all.
    const again = options(python311);
    assert.deepEqual(await ensureBundledServer(again), { ...server, installed: false });
    assert.deepEqual(again.calls, []);
    assert.deepEqual(installedServer(storage, wheel, "linux"), { ...server, installed: false });
  });

  it("installs a new environment when the bundled wheel changes, and removes environments unused for a day", async () => {
    const first = await ensureBundledServer(options(python311));
    const old = Date.now() - 2 * 24 * 3600_000;
    fs.utimesSync(path.join(first.envDir, MARKER_FILE), new Date(old), new Date(old));
    wheel = makeWheel("dig_lsp-0.2.0-py3-none-any.whl", "wheel two");
    const o = options({ ...python311, versionOutput: "dig-lsp 0.2.0\n" });
    const second = await ensureBundledServer(o);
    assert.equal(second.installed, true);
    assert.equal(second.version, "0.2.0");
    assert.notEqual(second.envDir, first.envDir);
    assert.ok(!fs.existsSync(first.envDir));
    assert.ok(o.logs.some((line) => line.includes("removed an environment not used for a day")));
  });

  it("reinstalls a rebuilt wheel of the same version (another hash)", async () => {
    const first = await ensureBundledServer(options(python311));
    wheel = makeWheel("dig_lsp-0.1.0-py3-none-any.whl", "wheel one, rebuilt");
    const second = await ensureBundledServer(options(python311));
    assert.equal(second.installed, true);
    assert.notEqual(second.envDir, first.envDir);
    assert.ok(fs.existsSync(first.envDir), "an environment used recently is kept (another window may run it)");
  });

  it("goes on with the next Python when one cannot create a virtual environment", async () => {
    const machine: Machine = {
      pythons: { python3: [[3, 11, 2], "/usr/bin/python3.11"], "python3.12": [[3, 12, 1], "/opt/py/bin/python3.12"] },
      noEnsurepip: new Set(["python3"]),
    };
    const o = options(machine);
    const server = await ensureBundledServer(o);
    assert.equal(server.basePython, "/opt/py/bin/python3.12");
    assert.ok(
      o.logs.some((line) =>
        line.includes("ensurepip is not available (Debian/Ubuntu: sudo apt install python3.11-venv)"),
      ),
    );
  });

  it("tells what to do when no Python fits", async () => {
    const machine: Machine = { pythons: { python3: [[3, 9, 2], "/usr/bin/python3"] } };
    const o = options(machine);
    await assert.rejects(ensureBundledServer(o), (error: unknown) => {
      assert.ok(error instanceof SetupError);
      assert.equal(error.kind, "no-python");
      assert.match(error.message, /found none that fits \(python3: Python 3\.9\.2 is older than 3\.11\)/);
      assert.match(error.message, /Install Python 3\.11\+/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(storage), [], "neither an environment nor a lock is left");
  });

  it("names the missing venv package when the only Python cannot create environments", async () => {
    const machine: Machine = { pythons: { python3: [[3, 11, 2], "/usr/bin/python3"] }, noEnsurepip: new Set(["python3"]) };
    await assert.rejects(ensureBundledServer(options(machine)), /python3: cannot create a virtual environment: ensurepip is not available \(Debian\/Ubuntu: sudo apt install python3\.11-venv\)/);
  });

  it("reports pip's error, leaves nothing half-installed and tries again next time", async () => {
    const o = options({ ...python311, pipFails: true });
    await assert.rejects(ensureBundledServer(o), (error: unknown) => {
      assert.ok(error instanceof SetupError);
      assert.equal(error.kind, "pip");
      assert.match(error.message, /pip could not install the language server \(dig-lsp 0\.1\.0 and its dependencies\): ERROR: No matching distribution found for pygls>=2\.0\.0\./);
      assert.match(error.message, /Check that pip can reach PyPI .* then choose Retry/);
      return true;
    });
    assert.ok(!fs.existsSync(path.join(storage, envDirName(wheel))));
    assert.equal(installedServer(storage, wheel, "linux"), undefined);
    assert.equal((await ensureBundledServer(options(python311))).installed, true);
  });

  it("refuses an environment whose dig-lsp does not answer with the bundled version", async () => {
    await assert.rejects(ensureBundledServer(options({ ...python311, versionOutput: "dig-lsp 0.0.9\n" })), (error: unknown) => {
      assert.ok(error instanceof SetupError);
      assert.equal(error.kind, "check");
      assert.match(error.message, /answered "dig-lsp 0\.0\.9", expected 0\.1\.0/);
      return true;
    });
    assert.ok(!fs.existsSync(path.join(storage, envDirName(wheel))));
  });

  it("stops when cancelled and cleans up", async () => {
    const controller = new AbortController();
    const o = options({ ...python311, onPip: () => controller.abort() }, { signal: controller.signal });
    await assert.rejects(ensureBundledServer(o), (error: unknown) => error instanceof SetupError && error.kind === "cancelled");
    assert.deepEqual(fs.readdirSync(storage), []);
  });

  it("waits for another window that is installing, then uses its environment", async () => {
    const envDir = path.join(storage, envDirName(wheel));
    fs.mkdirSync(`${envDir}.lock`, { recursive: true });
    // held by a live process (this one's parent)
    fs.writeFileSync(path.join(`${envDir}.lock`, "owner.json"), JSON.stringify({ pid: process.ppid, host: os.hostname() }));
    const other = options(python311);
    let otherDone: Promise<unknown> = Promise.resolve();
    setTimeout(() => {
      // the other window gives up its lock and runs again (the two race for the install)
      fs.rmSync(`${envDir}.lock`, { recursive: true });
      otherDone = ensureBundledServer(other);
    }, 50);
    const o = options(python311);
    const server = await ensureBundledServer(o);
    await otherDone;
    assert.ok(o.reports.includes("waiting for another VS Code window that is installing dig-lsp"));
    assert.equal(server.envDir, envDir);
    assert.equal(o.calls.filter((call) => call.args[1] === "venv").length + other.calls.filter((call) => call.args[1] === "venv").length, 1);
  });

  it("takes over a lock its owner stopped refreshing", async () => {
    const envDir = path.join(storage, envDirName(wheel));
    fs.mkdirSync(`${envDir}.lock`, { recursive: true });
    const old = new Date(Date.now() - 10 * 60_000);
    fs.utimesSync(`${envDir}.lock`, old, old);
    const o = options(python311);
    assert.equal((await ensureBundledServer(o)).installed, true);
    assert.ok(o.logs.some((line) => line.includes("taking over a stale lock")));
    assert.ok(!fs.existsSync(`${envDir}.lock`));
  });

  it("takes over at once a lock whose process has ended", async () => {
    const envDir = path.join(storage, envDirName(wheel));
    fs.mkdirSync(`${envDir}.lock`, { recursive: true });
    const gone = await runProcess(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    fs.writeFileSync(path.join(`${envDir}.lock`, "owner.json"), JSON.stringify({ pid: Number(gone.stdout), host: os.hostname() }));
    const o = options(python311, { lockStaleMs: 3600_000 });
    assert.equal((await ensureBundledServer(o)).installed, true);
    assert.ok(o.logs.some((line) => line.includes("taking over a stale lock (its process has ended)")));
  });

  it("removes the environment for a reinstall", async () => {
    const server = await ensureBundledServer(options(python311));
    await removeBundledServer(options(python311));
    assert.ok(!fs.existsSync(server.envDir));
    assert.equal(installedServer(storage, wheel, "linux"), undefined);
  });

  it("keeps environments with a lock or used recently", () => {
    fs.mkdirSync(path.join(storage, "env-0.0.1-aaaaaaaaaaaa"), { recursive: true });
    fs.mkdirSync(path.join(storage, "env-0.0.2-bbbbbbbbbbbb.lock"), { recursive: true });
    fs.mkdirSync(path.join(storage, "env-0.0.2-bbbbbbbbbbbb"), { recursive: true });
    fs.mkdirSync(path.join(storage, "other"), { recursive: true });
    assert.deepEqual(removeOldEnvironments(storage, path.join(storage, "env-0.1.0-cccccccccccc")), []);
    const later = Date.now() + 2 * 24 * 3600_000;
    assert.deepEqual(removeOldEnvironments(storage, path.join(storage, "env-0.1.0-cccccccccccc"), later), [
      path.join(storage, "env-0.0.1-aaaaaaaaaaaa"),
    ]);
  });
});

describe("runProcess", () => {
  it("collects the output and the exit code", async () => {
    const seen: string[] = [];
    const run = await runProcess(
      process.execPath,
      ["-e", "process.stdout.write('out'); process.stderr.write('err'); process.exit(3)"],
      { onOutput: (text) => seen.push(text) },
    );
    assert.equal(run.code, 3);
    assert.equal(run.stdout, "out");
    assert.equal(run.stderr, "err");
    assert.deepEqual(seen.sort(), ["err", "out"]);
  });

  it("reports a missing command, a timeout and a cancellation without throwing", async () => {
    assert.equal((await runProcess("dig-lsp-no-such-command", [])).error, "ENOENT");
    const slow = await runProcess(process.execPath, ["-e", "setTimeout(() => {}, 10000)"], { timeoutMs: 100 });
    assert.equal(slow.timedOut, true);
    assert.equal(slow.code, null);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const cancelled = await runProcess(process.execPath, ["-e", "setTimeout(() => {}, 10000)"], { signal: controller.signal });
    assert.equal(cancelled.cancelled, true);
  });
});
