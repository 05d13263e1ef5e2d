/**
 * The bundled server's setup as the extension runs it, without VS Code: finds a Python on this
 * machine, creates the environment in STORAGE_DIR from the wheel in EXTENSION_DIR/bundled and
 * installs it with the real pip. Progress and the log go to stderr; the environment, as JSON, to stdout.
 *
 *     node out/test/install-bundled.js EXTENSION_DIR STORAGE_DIR
 *
 * tests/test_vscode_extension.py runs it on the extension unpacked from the `.vsix`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { BUNDLED_DIR, SetupError, ensureBundledServer, findBundledWheel, pythonCandidates } from "../src/bootstrap";

async function main(): Promise<number> {
  const [extensionDir, storageDir] = process.argv.slice(2);
  if (extensionDir === undefined || storageDir === undefined) {
    process.stderr.write("usage: install-bundled.js EXTENSION_DIR STORAGE_DIR\n");
    return 2;
  }
  const wheel = findBundledWheel(path.join(extensionDir, BUNDLED_DIR));
  if (wheel === undefined) {
    process.stderr.write(`no wheel in ${path.join(extensionDir, BUNDLED_DIR)}\n`);
    return 2;
  }
  const host = {
    platform: process.platform,
    homeDir: os.homedir(),
    env: process.env,
    exists: (file: string) => fs.existsSync(file),
    listDir: (dir: string) => {
      try {
        return fs.readdirSync(dir);
      } catch {
        return [];
      }
    },
  };
  try {
    const server = await ensureBundledServer({
      storageDir,
      wheel,
      platform: process.platform,
      candidates: async () => pythonCandidates(host, process.env["SELECTED_PYTHON"]),
      log: (line) => process.stderr.write(`${line}\n`),
      report: (message) => process.stderr.write(`progress: ${message}\n`),
    });
    process.stdout.write(`${JSON.stringify(server)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`${error instanceof SetupError ? `${error.kind}: ` : ""}${String(error instanceof Error ? error.message : error)}\n`);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
