"""The VS Code extension: its own tests (``npm test`` in editors/vscode: TypeScript build, grammar
snapshot tests with vscode-textmate/vscode-oniguruma, client option and server setup unit tests), the
``.vsix`` it packages (esbuild bundle, the server's wheel, LICENSE, nothing else) and the bundled
server's install on this machine: a Python >= 3.11 found on PATH, a virtual environment created from
the wheel unpacked from the ``.vsix``, pip fetching the dependencies, the installed ``dig-lsp``
answering ``--version`` and an LSP session.

The npm parts run only when ``node``/``npm`` are installed and ``npm ci`` has been run there
(``node_modules`` exists); the install needs PyPI (or the index pip is configured with) too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from lsp_wire import frame, read_message  # bench/ is not a package: found through sys.path

EXTENSION = ROOT / "editors" / "vscode"
NPM = shutil.which("npm")
NODE = shutil.which("node")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
# What the .vsix holds, all of it: no node_modules, no sources, no source maps.
VSIX_FILES = {
    "extension.vsixmanifest",
    "[Content_Types].xml",
    "extension/package.json",
    "extension/readme.md",
    "extension/LICENSE.txt",
    "extension/language-configuration.json",
    "extension/syntaxes/digdag.tmLanguage.json",
    "extension/dist/extension.js",
    f"extension/bundled/dig_lsp-{VERSION}-py3-none-any.whl",
}
VSIX_MAX_BYTES = 2_000_000


def _skip_reason() -> str | None:
    if NODE is None or NPM is None:
        return "node/npm are not installed; the VS Code extension's tests (npm test in editors/vscode) are not run"
    if not (EXTENSION / "node_modules").is_dir():
        return "editors/vscode/node_modules is missing: run 'npm ci' in editors/vscode to run the extension's tests"
    return None


needs_npm = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


def _index_reason() -> str | None:
    """Why pip could not fetch the server's dependencies here, or None."""
    if os.environ.get("PIP_INDEX_URL"):
        return None
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
    except OSError as error:
        return f"pypi.org is not reachable ({error}): the bundled server's dependencies cannot be installed"
    return None


def test_license_and_repository() -> None:
    """LICENSE is the Apache License 2.0 that pyproject and package.json name, and both name one repository."""
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert PYPROJECT["project"]["license"] == {"text": manifest["license"]} == {"text": "Apache-2.0"}
    assert manifest["repository"]["url"].removesuffix(".git") == PYPROJECT["project"]["urls"]["Repository"]


@needs_npm
def test_npm_test() -> None:
    assert NPM is not None
    completed = subprocess.run([NPM, "test"], cwd=EXTENSION, capture_output=True, text=True, timeout=600,
                               stdin=subprocess.DEVNULL, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", output, re.MULTILINE)
    assert passed is not None, output[-3000:]
    assert int(passed.group(1)) > 0, output[-3000:]
    assert failed is not None, output[-3000:]
    assert int(failed.group(1)) == 0, output[-6000:]


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`npm run package`: build, esbuild bundle, the wheel built from this checkout, vsce (offline but for
    the wheel's build backend, which pip fetches like any build)."""
    assert NPM is not None
    target = tmp_path_factory.mktemp("vsix") / "dig-lsp.vsix"
    leftovers = {name: (ROOT / name).exists() for name in ("build", "dig_lsp.egg-info")}
    completed = subprocess.run([NPM, "run", "package", "--", "--out", str(target)], cwd=EXTENSION,
                               capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL, check=False,
                               env={**os.environ, "DIG_LSP_BUILD_PYTHON": sys.executable})
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    # the wheel is built in a copy: nothing is left in the checkout
    assert {name: (ROOT / name).exists() for name in leftovers} == leftovers
    return target


@needs_npm
def test_vsix_contents(vsix: Path, tmp_path: Path) -> None:
    """A few files: the bundled JavaScript, the wheel of this version, LICENSE; no node_modules."""
    assert vsix.stat().st_size < VSIX_MAX_BYTES, vsix.stat().st_size
    with zipfile.ZipFile(vsix) as archive:
        assert set(archive.namelist()) == VSIX_FILES
        archive.extractall(tmp_path)
    extension = tmp_path / "extension"
    assert (extension / "LICENSE.txt").read_text(encoding="utf-8") == (ROOT / "LICENSE").read_text(encoding="utf-8")
    packaged = json.loads((extension / "package.json").read_text(encoding="utf-8"))
    assert packaged["main"] == "./dist/extension.js"
    assert "dig-lsp.reinstallServer" in {command["command"] for command in packaged["contributes"]["commands"]}

    with zipfile.ZipFile(extension / "bundled" / f"dig_lsp-{VERSION}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"dig_lsp-{VERSION}.dist-info/entry_points.txt").decode()
    assert {"dig_lsp/lsp/server.py", "dig_lsp/schemas/group.json",
            f"dig_lsp-{VERSION}.dist-info/licenses/LICENSE"} <= names
    assert not any("__pycache__" in name or name.startswith("tests/") for name in names)
    assert "dig-lsp = dig_lsp.lsp.main:main" in entry_points

    # One file holds the extension and vscode-languageclient: it requires only Node's modules and
    # `vscode`, and loads (with a stand-in for `vscode`, which exists only inside VS Code).
    bundle = extension / "dist" / "extension.js"
    required = set(re.findall(r"""require\(["']([^"']+)["']\)""", bundle.read_text(encoding="utf-8")))
    builtins = json.loads(subprocess.run([NODE or "node", "-p", "JSON.stringify(require('module').builtinModules)"],
                                         capture_output=True, text=True, check=True).stdout)
    assert required - {"vscode"} <= {*builtins, *(f"node:{name}" for name in builtins)}, required
    # the stand-in: every name is a function (a class to extend) whose properties are objects
    loader = (
        "const Module = require('module'); const load = Module._load;"
        "const stub = new Proxy({}, { get: () => new Proxy(function () {}, { get: () => ({}) }) });"
        "Module._load = function (request) {"
        "  return request === 'vscode' ? stub : load.apply(this, arguments);"
        "};"
        f"const ext = require({json.dumps(str(bundle))});"
        "console.log(typeof ext.activate, typeof ext.deactivate);"
    )
    loaded = subprocess.run([NODE or "node", "-e", loader], capture_output=True, text=True, timeout=60, check=False)
    assert loaded.stdout.split() == ["function", "function"], (loaded.stdout + loaded.stderr)[-3000:]


def _python_311_or_newer() -> str:
    """The interpreter this venv was made from (a real one, not the venv's), >= 3.11 like the project."""
    base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    return str(base)


class _Server:
    """dig-lsp from the bundled environment, spoken to over stdio."""

    def __init__(self, command: str, cwd: Path) -> None:
        self.process = subprocess.Popen([command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, cwd=cwd)
        self.watchdog = threading.Timer(120, self.process.kill)
        self.watchdog.start()

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(frame(message))
        self.process.stdin.flush()

    def wait_for(self, wanted: Any) -> dict[str, Any]:
        assert self.process.stdout is not None
        while True:
            message = read_message(self.process.stdout)
            assert message is not None, "the server closed its output"
            if wanted(message):
                return message

    def close(self) -> int:
        self.send({"id": 99, "method": "shutdown"})
        self.wait_for(lambda message: message.get("id") == 99)
        self.send({"method": "exit"})
        code = self.process.wait(timeout=60)
        self.watchdog.cancel()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        return code


@needs_npm
@pytest.mark.skipif(_index_reason() is not None, reason=_index_reason() or "")
def test_bundled_server_installs_from_the_vsix(vsix: Path, tmp_path: Path) -> None:
    """How the .vsix installs on a machine that has only a Python >= 3.11: the extension's setup code
    (out/test/install-bundled.js drives src/bootstrap.ts as extension.ts does) finds `python3` on a
    PATH that holds nothing else, creates the environment from the wheel of the .vsix, pip installs
    the dependencies, and the installed server answers and lints."""
    with zipfile.ZipFile(vsix) as archive:
        archive.extractall(tmp_path / "vsix")
    python = _python_311_or_newer()
    version = subprocess.run([python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(python)
    home = tmp_path / "home"  # no ~/.pyenv, no ~/.local: only PATH and the usual system folders
    home.mkdir()
    storage = tmp_path / "globalStorage"
    env = {**os.environ, "PATH": str(bin_dir), "HOME": str(home)}
    env.pop("VIRTUAL_ENV", None)
    driver = [NODE or "node", str(EXTENSION / "out" / "test" / "install-bundled.js"),
              str(tmp_path / "vsix" / "extension"), str(storage)]

    completed = subprocess.run(driver, capture_output=True, text=True, timeout=900, env=env, check=False)
    assert completed.returncode == 0, completed.stderr[-8000:]
    server = json.loads(completed.stdout)
    assert server["installed"] is True
    assert server["basePython"] == str(bin_dir / "python3")
    assert server["envDir"].startswith(str(storage / f"env-{VERSION}-"))
    log = completed.stderr
    assert f"python3 (PATH): Python {version} at {bin_dir / 'python3'}" in log
    for step in ("looking for Python 3.11 or newer", f"creating a Python {version} environment",
                 f"installing dig-lsp {VERSION} and its dependencies", "checking the server"):
        assert f"progress: {step}\n" in log, log[-4000:]
    assert re.search(r"^Successfully installed .*\bdig-lsp-" + re.escape(VERSION), log, re.MULTILINE), log[-4000:]
    record = json.loads((Path(server["envDir"]) / "dig-lsp-install.json").read_text(encoding="utf-8"))
    assert record["wheel"] == f"dig_lsp-{VERSION}-py3-none-any.whl"
    assert record["pythonVersion"] == version

    answer = subprocess.run([server["digLsp"], "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert (answer.returncode, answer.stdout.strip()) == (0, f"dig-lsp {VERSION}")

    project = tmp_path / "project"
    project.mkdir()
    workflow = project / "wf.dig"
    workflow.write_text("+a:\n  sh>: echo hi\n  _retry: lots\n", encoding="utf-8")
    lint = subprocess.run([server["digLint"], str(workflow)], capture_output=True, text=True, timeout=120,
                          cwd=project, check=False)
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert re.search(r"wf\.dig:3:11: error\[DL\d{3}\] ", lint.stdout), lint.stdout

    lsp = _Server(server["digLsp"], project)
    lsp.send({"id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": project.as_uri(), "capabilities": {}}})
    initialized = lsp.wait_for(lambda message: message.get("id") == 1)
    assert initialized["result"]["serverInfo"]["name"] == "dig-lsp"
    lsp.send({"method": "initialized", "params": {}})
    lsp.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": workflow.as_uri(), "languageId": "digdag", "version": 1, "text": workflow.read_text(encoding="utf-8")}}})
    published = lsp.wait_for(lambda message: message.get("method") == "textDocument/publishDiagnostics"
                             and message["params"]["uri"] == workflow.as_uri())
    assert [d["range"]["start"]["line"] for d in published["params"]["diagnostics"]] == [2]
    assert lsp.close() == 0

    # The next activation finds it ready: no Python is looked for, nothing is installed.
    again = subprocess.run(driver, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {**server, "installed": False}
    assert "progress:" not in again.stderr
