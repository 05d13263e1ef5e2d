#!/usr/bin/env node
/**
 * Puts what the `.vsix` carries besides the JavaScript into this folder (both git-ignored):
 *
 * - `bundled/dig_lsp-<version>-py3-none-any.whl`: the server, built from the repository with
 *   `python -m pip wheel --no-deps`. The build runs in a temporary copy of the files it reads
 *   (pyproject.toml, README.md, LICENSE, dig_lsp/, schemas/), so no `build/` or `*.egg-info` is left
 *   in the repository and nothing stale from an earlier build gets in. pip fetches the build backend
 *   (setuptools) from its index, as for any build. `DIG_LSP_WHEEL=<file>` bundles a wheel built
 *   elsewhere instead; `DIG_LSP_BUILD_PYTHON` picks the Python that builds it (default: the
 *   repository's `.venv`, else `python3`, else `python`).
 * - `LICENSE`: the repository's, which vsce wants beside package.json.
 *
 * Run by `vscode:prepublish`, i.e. by `vsce package` (`npm run package`).
 */
"use strict";

const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const EXTENSION = path.resolve(__dirname, "..");
const REPOSITORY = path.resolve(EXTENSION, "..", "..");
const BUNDLED = path.join(EXTENSION, "bundled");
/** What setuptools reads to build the wheel (pyproject.toml's packages, readme and license file). */
const BUILD_INPUTS = ["pyproject.toml", "README.md", "LICENSE", "dig_lsp", "schemas"];

function fail(message) {
  console.error(`bundle-wheel: ${message}`);
  process.exit(1);
}

function buildPython() {
  if (process.env.DIG_LSP_BUILD_PYTHON) {
    return process.env.DIG_LSP_BUILD_PYTHON;
  }
  const venv =
    process.platform === "win32"
      ? path.join(REPOSITORY, ".venv", "Scripts", "python.exe")
      : path.join(REPOSITORY, ".venv", "bin", "python");
  if (fs.existsSync(venv)) {
    return venv;
  }
  for (const name of process.platform === "win32" ? ["python", "py"] : ["python3", "python"]) {
    if (spawnSync(name, ["--version"], { stdio: "ignore" }).status === 0) {
      return name;
    }
  }
  return fail("no Python found to build the wheel: set DIG_LSP_BUILD_PYTHON");
}

function buildWheel(outDir) {
  const source = fs.mkdtempSync(path.join(os.tmpdir(), "dig-lsp-wheel-"));
  try {
    for (const name of BUILD_INPUTS) {
      const from = path.join(REPOSITORY, name);
      if (!fs.existsSync(from)) {
        fail(`${from} is missing`);
      }
      fs.cpSync(from, path.join(source, name), {
        recursive: true,
        filter: (file) => !/(^|[\\/])(__pycache__|[^\\/]*\.pyc)$/.test(file),
      });
    }
    const python = buildPython();
    const args = ["-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "--quiet", ".", "-w", outDir];
    console.log(`bundle-wheel: ${python} ${args.join(" ")} (in a copy of ${REPOSITORY})`);
    const result = spawnSync(python, args, { cwd: source, stdio: "inherit" });
    if (result.error !== undefined || result.status !== 0) {
      fail(`building the wheel failed (${result.error?.message ?? `exit code ${result.status}`})`);
    }
  } finally {
    fs.rmSync(source, { recursive: true, force: true });
  }
}

function main() {
  fs.rmSync(BUNDLED, { recursive: true, force: true });
  fs.mkdirSync(BUNDLED, { recursive: true });
  if (process.env.DIG_LSP_WHEEL) {
    const wheel = path.resolve(process.env.DIG_LSP_WHEEL);
    fs.copyFileSync(wheel, path.join(BUNDLED, path.basename(wheel)));
  } else {
    buildWheel(BUNDLED);
  }
  const wheels = fs.readdirSync(BUNDLED).filter((name) => /^dig_lsp-[^-]+-py3-none-any\.whl$/.test(name));
  if (wheels.length !== 1 || fs.readdirSync(BUNDLED).length !== 1) {
    fail(`expected one pure-Python dig_lsp wheel in ${BUNDLED}, found: ${fs.readdirSync(BUNDLED).join(", ") || "nothing"}`);
  }
  fs.copyFileSync(path.join(REPOSITORY, "LICENSE"), path.join(EXTENSION, "LICENSE"));
  console.log(`bundle-wheel: bundled/${wheels[0]} and LICENSE`);
}

main();
