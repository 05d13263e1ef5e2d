/**
 * Tokenizes text with the extension's TextMate grammar through vscode-textmate and
 * vscode-oniguruma (the libraries VS Code itself uses), without VS Code.
 *
 * The grammars digdag embeds (source.js, source.sql) ship with VS Code, not with this extension,
 * so here they resolve to nothing: the embedded regions keep their digdag scopes
 * (`meta.embedded.expression.js`, `meta.embedded.block.sql`) and that is what the tests check.
 */
import * as fs from "fs";
import * as path from "path";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";

export const EXTENSION_ROOT = path.resolve(__dirname, "..", "..");
export const GRAMMAR_PATH = path.join(EXTENSION_ROOT, "syntaxes", "digdag.tmLanguage.json");

let registry: textmate.Registry | undefined;

function createRegistry(): textmate.Registry {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  const onigLib = oniguruma.loadWASM(wasm).then(() => ({
    createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text: string) => new oniguruma.OnigString(text),
  }));
  return new textmate.Registry({
    onigLib,
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== "source.digdag") {
        return null;
      }
      const text = fs.readFileSync(GRAMMAR_PATH, "utf8");
      return textmate.parseRawGrammar(text, GRAMMAR_PATH);
    },
  });
}

export async function loadGrammar(): Promise<textmate.IGrammar> {
  registry ??= createRegistry();
  const grammar = await registry.loadGrammar("source.digdag");
  if (grammar === null) {
    throw new Error(`cannot load ${GRAMMAR_PATH}`);
  }
  return grammar;
}

export interface Token {
  line: number;
  text: string;
  scopes: string[];
}

/** Every token of every line (0-based line numbers), with its full scope stack. */
export async function tokenize(text: string): Promise<Token[]> {
  const grammar = await loadGrammar();
  const tokens: Token[] = [];
  let state = textmate.INITIAL;
  text.split(/\r?\n/).forEach((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, state, 5000);
    if (result.stoppedEarly) {
      throw new Error(`tokenizing line ${line + 1} timed out: ${lineText}`);
    }
    for (const token of result.tokens) {
      tokens.push({ line, text: lineText.slice(token.startIndex, token.endIndex), scopes: token.scopes });
    }
    state = result.ruleStack;
  });
  return tokens;
}

/**
 * The snapshot text: each source line, then one row per token with its text (quoted, so
 * whitespace is visible) and its scopes without the `source.digdag` root.
 */
export function renderSnapshot(text: string, tokens: Token[]): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  lines.forEach((lineText, line) => {
    out.push(`> ${lineText}`);
    for (const token of tokens.filter((t) => t.line === line)) {
      const scopes = token.scopes.filter((scope) => scope !== "source.digdag");
      out.push(`  ${JSON.stringify(token.text)} ${scopes.join(" ") || "-"}`);
    }
  });
  return out.join("\n") + "\n";
}

/** The scopes of the first token whose text is `text` (on `line` if given). */
export function scopesOf(tokens: Token[], text: string, line?: number): string[] {
  const token = tokens.find((t) => t.text === text && (line === undefined || t.line === line));
  if (token === undefined) {
    throw new Error(`no token ${JSON.stringify(text)}${line === undefined ? "" : ` on line ${line}`}`);
  }
  return token.scopes;
}
