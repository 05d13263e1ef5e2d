/**
 * The client options without VS Code: `src/options.ts` must not import `vscode` (this test would
 * fail to load if it did, since the module only exists inside VS Code).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { describe, it } from "node:test";

import {
  Environment,
  buildClientOptions,
  buildDryRunCommand,
  buildServerExecutable,
  expandPath,
  normalizeSettings,
  shellQuote,
  statusText,
  usesBundledServer,
} from "../src/options";
import { EXTENSION_ROOT } from "./grammar";

function env(overrides: Partial<Environment> = {}): Environment {
  return { platform: "linux", workspaceFolder: "/ws", homeDir: "/home/u", exists: () => false, ...overrides };
}

const defaults = normalizeSettings({});

describe("normalizeSettings", () => {
  it("falls back to defaults for missing or mistyped values", () => {
    assert.deepEqual(defaults, {
      serverPath: "",
      pythonPath: "",
      serverArgs: [],
      lintPath: "",
      dryRunArgs: [],
      profile: null,
      select: [],
      ignore: [],
      pluginOperators: [],
      docsUrl: "",
    });
    const odd = normalizeSettings({ "server.path": 3, profile: "bogus", select: "DL1", ignore: [1, " DL2 ", "DL2", ""] });
    assert.equal(odd.serverPath, "");
    assert.equal(odd.profile, null);
    assert.deepEqual(odd.select, []);
    assert.deepEqual(odd.ignore, ["DL2"]);
  });

  it("strips a trailing > from plugin operators", () => {
    assert.deepEqual(normalizeSettings({ pluginOperators: ["slack>", "ecs_task.sh"] }).pluginOperators, [
      "slack",
      "ecs_task.sh",
    ]);
  });
});

describe("buildServerExecutable", () => {
  it("uses dig-lsp from PATH by default, in the workspace folder", () => {
    assert.deepEqual(buildServerExecutable(defaults, env()), { command: "dig-lsp", args: [], options: { cwd: "/ws" } });
  });

  it("prefers a workspace .venv when there is one", () => {
    const exists = (file: string): boolean => file === "/ws/.venv/bin/dig-lsp";
    assert.equal(buildServerExecutable(defaults, env({ exists })).command, "/ws/.venv/bin/dig-lsp");
    const winExists = (file: string): boolean => file === "C:\\ws\\.venv\\Scripts\\dig-lsp.exe";
    const win = buildServerExecutable(defaults, env({ platform: "win32", workspaceFolder: "C:\\ws", exists: winExists }));
    assert.equal(win.command, "C:\\ws\\.venv\\Scripts\\dig-lsp.exe");
  });

  it("an explicit server path wins and is expanded", () => {
    const settings = normalizeSettings({
      "server.path": "${workspaceFolder}/env/bin/dig-lsp",
      "server.pythonPath": "/usr/bin/python3",
      "server.args": ["--log-file", "/tmp/l"],
    });
    assert.deepEqual(buildServerExecutable(settings, env()), {
      command: "/ws/env/bin/dig-lsp",
      args: ["--log-file", "/tmp/l"],
      options: { cwd: "/ws" },
    });
  });

  it("uses the bundled server's environment when nothing else names a server", () => {
    const bundled = "/gs/env-0.1.0-abc/bin/dig-lsp";
    assert.ok(usesBundledServer(defaults, env()));
    assert.equal(buildServerExecutable(defaults, env(), bundled).command, bundled);
    // a setting or a workspace .venv skips it
    for (const settings of [
      normalizeSettings({ "server.path": "/opt/dig-lsp" }),
      normalizeSettings({ "server.pythonPath": "/usr/bin/python3" }),
    ]) {
      assert.ok(!usesBundledServer(settings, env()));
      assert.notEqual(buildServerExecutable(settings, env(), bundled).command, bundled);
    }
    const exists = (file: string): boolean => file === "/ws/.venv/bin/dig-lsp";
    assert.ok(!usesBundledServer(defaults, env({ exists })));
    assert.equal(buildServerExecutable(defaults, env({ exists }), bundled).command, "/ws/.venv/bin/dig-lsp");
  });

  it("runs the server module with a configured interpreter", () => {
    const settings = normalizeSettings({ "server.pythonPath": "~/venv/bin/python" });
    assert.deepEqual(buildServerExecutable(settings, env({ workspaceFolder: undefined })), {
      command: "/home/u/venv/bin/python",
      args: ["-m", "dig_lsp.lsp.server"],
      options: undefined,
    });
  });
});

describe("buildClientOptions", () => {
  it("selects digdag documents and SQL files, and passes only the settings that are set", () => {
    const options = buildClientOptions(defaults);
    assert.deepEqual(options.documentSelector, [
      { scheme: "file", language: "digdag" },
      { scheme: "untitled", language: "digdag" },
      { scheme: "file", language: "sql" },
    ]);
    assert.deepEqual(options.initializationOptions, {});
    assert.deepEqual(options.synchronize, { configurationSection: "dig-lsp" });
  });

  it("maps the settings to the server's configuration names", () => {
    const settings = normalizeSettings({
      profile: "treasure-data",
      select: ["DL2", "DL4"],
      ignore: ["DL107"],
      pluginOperators: ["slack"],
      docsUrl: "https://docs.example.com/dig-lsp/rules/{code}.html",
    });
    assert.deepEqual(buildClientOptions(settings).initializationOptions, {
      profile: "treasure-data",
      select: ["DL2", "DL4"],
      ignore: ["DL107"],
      "plugin-operators": ["slack"],
      "docs-url": "https://docs.example.com/dig-lsp/rules/{code}.html",
    });
  });
});

describe("buildDryRunCommand", () => {
  const file = "/ws/project/wf.dig";

  it("runs dig-lint dry-run in the file's directory, with the extra arguments and no lint options", () => {
    const settings = normalizeSettings({ profile: "digdag", select: ["DL2"], "dryRun.args": ["-p", "env=dev"] });
    assert.deepEqual(buildDryRunCommand(settings, file, env()), {
      command: "dig-lint",
      args: ["dry-run", "-p", "env=dev", file],
      options: { cwd: "/ws/project" },
    });
  });

  it("finds dig-lint next to an explicit server, or through the interpreter", () => {
    const beside = normalizeSettings({ "server.path": "/opt/venv/bin/dig-lsp" });
    assert.equal(buildDryRunCommand(beside, file, env()).command, "/opt/venv/bin/dig-lint");
    const python = normalizeSettings({ "server.pythonPath": "/usr/bin/python3" });
    assert.deepEqual(buildDryRunCommand(python, file, env()).args, ["-m", "dig_lsp.cli.main", "dry-run", file]);
    const explicit = normalizeSettings({ "lint.path": "~/bin/dig-lint", "server.path": "/opt/venv/bin/dig-lsp" });
    assert.equal(buildDryRunCommand(explicit, file, env()).command, "/home/u/bin/dig-lint");
  });

  it("uses the bundled server's dig-lint after the settings and a workspace .venv", () => {
    const bundled = "/gs/env-0.1.0-abc/bin/dig-lint";
    assert.equal(buildDryRunCommand(defaults, file, env(), bundled).command, bundled);
    const exists = (file: string): boolean => file === "/ws/.venv/bin/dig-lint";
    assert.equal(buildDryRunCommand(defaults, file, env({ exists }), bundled).command, "/ws/.venv/bin/dig-lint");
    const beside = normalizeSettings({ "server.path": "/opt/venv/bin/dig-lsp" });
    assert.equal(buildDryRunCommand(beside, file, env(), bundled).command, "/opt/venv/bin/dig-lint");
  });
});

describe("helpers", () => {
  it("expandPath", () => {
    assert.equal(expandPath("~", env()), "/home/u");
    assert.equal(expandPath("${userHome}/x", env()), "/home/u/x");
    assert.equal(expandPath("${workspaceFolder}/x", env({ workspaceFolder: undefined })), "${workspaceFolder}/x");
  });

  it("shellQuote", () => {
    assert.equal(shellQuote("/a/b.dig"), "/a/b.dig");
    assert.equal(shellQuote("it's here"), "'it'\\''s here'");
  });

  it("statusText", () => {
    const none = { errors: 0, warnings: 0, others: 2 };
    assert.equal(statusText("running", none), "$(check) dig-lsp");
    assert.equal(statusText("running", { errors: 2, warnings: 1, others: 0 }), "$(error) 2 $(warning) 1 dig-lsp");
    assert.equal(statusText("stopped", none), "$(circle-slash) dig-lsp");
  });

  it("options.ts and bootstrap.ts do not depend on the vscode module", () => {
    for (const name of ["options.ts", "bootstrap.ts"]) {
      const source = fs.readFileSync(path.join(EXTENSION_ROOT, "src", name), "utf8");
      assert.ok(!/from\s+["']vscode["']|require\(["']vscode["']\)/.test(source), name);
    }
  });
});

describe("package.json", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, "package.json"), "utf8"));

  it("contributes the digdag language for *.dig and every setting options.ts reads", () => {
    const language = manifest.contributes.languages[0];
    assert.equal(language.id, "digdag");
    assert.deepEqual(language.extensions, [".dig"]);
    const properties = Object.keys(manifest.contributes.configuration.properties);
    for (const key of ["server.path", "server.pythonPath", "server.args", "lint.path", "dryRun.args", "profile", "select", "ignore", "pluginOperators", "docsUrl"]) {
      assert.ok(properties.includes(`dig-lsp.${key}`), key);
    }
    assert.deepEqual(manifest.contributes.configuration.properties["dig-lsp.profile"].enum, ["digdag", "treasure-data", null]);
  });

  it("names its repository and license, and a command for every command it registers", () => {
    assert.equal(manifest.license, "Apache-2.0");
    assert.equal(manifest.repository.url, "https://github.com/dig-lsp/dig-lsp.git");
    assert.equal(manifest.main, "./dist/extension.js");
    const source = fs.readFileSync(path.join(EXTENSION_ROOT, "src", "extension.ts"), "utf8");
    const registered = [...source.matchAll(/registerCommand\("([^"]+)"/g)].map((match) => match[1]).sort();
    const contributed = manifest.contributes.commands.map((command: { command: string }) => command.command).sort();
    assert.deepEqual(registered, contributed);
  });

  it("points at files that exist", () => {
    for (const file of [manifest.contributes.grammars[0].path, manifest.contributes.languages[0].configuration]) {
      assert.ok(fs.existsSync(path.join(EXTENSION_ROOT, file)), file);
    }
    JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, "language-configuration.json"), "utf8"));
  });
});
