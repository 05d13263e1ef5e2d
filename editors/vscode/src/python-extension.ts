/**
 * The interpreter the Python extension (ms-python.python) has selected for the workspace, if that
 * extension is installed: the first candidate for the bundled server's environment. Its API is
 * read defensively (no dependency on its typings): `environments` in current versions,
 * `settings.getExecutionDetails` in older ones.
 */
import * as vscode from "vscode";

const PYTHON_EXTENSION_ID = "ms-python.python";
const ACTIVATION_TIMEOUT_MS = 15_000;

interface EnvironmentPath {
  id?: string;
  path?: string;
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?: (resource?: vscode.Uri) => EnvironmentPath | undefined;
    resolveEnvironment?: (
      environment: EnvironmentPath | string,
    ) => Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails?: (resource?: vscode.Uri) => { execCommand?: string[] } | undefined;
  };
}

function withTimeout<T>(promise: Thenable<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/** The selected interpreter's path, or undefined (no Python extension, nothing selected, an error). */
export async function selectedPython(log: (line: string) => void): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (extension === undefined) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await withTimeout(extension.activate(), ACTIVATION_TIMEOUT_MS);
    if (api === undefined) {
      log("dig-lsp: the Python extension did not answer; looking for Python elsewhere");
      return undefined;
    }
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const active = api.environments?.getActiveEnvironmentPath?.(resource);
    if (active?.path) {
      const resolved = api.environments?.resolveEnvironment
        ? await withTimeout(api.environments.resolveEnvironment(active), ACTIVATION_TIMEOUT_MS)
        : undefined;
      return resolved?.executable?.uri?.fsPath ?? active.path;
    }
    const command = api.settings?.getExecutionDetails?.(resource)?.execCommand;
    return command !== undefined && command.length === 1 ? command[0] : undefined;
  } catch (error) {
    log(`dig-lsp: cannot ask the Python extension for its interpreter: ${String(error)}`);
    return undefined;
  }
}
