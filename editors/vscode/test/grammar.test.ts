/**
 * Grammar tests: every fixture in test/fixtures/grammar/*.dig is tokenized and compared, token by
 * token with the full scope list of each, against its `.snap` file (`npm run
 * test:update-snapshots` rewrites them; review the diff). The targeted tests below pin the
 * scopes that matter most, so a wrong snapshot cannot be accepted silently.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { describe, it } from "node:test";

import { EXTENSION_ROOT, renderSnapshot, scopesOf, tokenize } from "./grammar";

const FIXTURES = path.join(EXTENSION_ROOT, "test", "fixtures", "grammar");
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";

describe("grammar snapshots", () => {
  const fixtures = fs.readdirSync(FIXTURES).filter((name) => name.endsWith(".dig")).sort();

  it("has fixtures", () => {
    assert.ok(fixtures.length >= 4, `expected grammar fixtures in ${FIXTURES}`);
  });

  for (const name of fixtures) {
    it(name, async () => {
      const text = fs.readFileSync(path.join(FIXTURES, name), "utf8");
      const actual = renderSnapshot(text, await tokenize(text));
      const snapshot = path.join(FIXTURES, `${name}.snap`);
      if (UPDATE) {
        fs.writeFileSync(snapshot, actual);
        return;
      }
      assert.ok(fs.existsSync(snapshot), `${snapshot} is missing: run 'npm run test:update-snapshots'`);
      assert.equal(actual, fs.readFileSync(snapshot, "utf8"), `${name}: tokens differ from ${name}.snap`);
    });
  }
});

async function scopes(source: string, token: string, line?: number): Promise<string[]> {
  return scopesOf(await tokenize(source), token, line);
}

describe("grammar scopes", () => {
  it("task keys", async () => {
    assert.ok((await scopes("+load_data:\n  echo>: x", "+load_data")).includes("entity.name.function.task.digdag"));
    assert.ok((await scopes("  - +nested_task: {}", "+nested_task")).includes("entity.name.function.task.digdag"));
  });

  it("operators, including plugin names with dots and ?", async () => {
    for (const op of ["td>", "sh>", "ecs_task.sh>", "athena.table_exists?>"]) {
      assert.ok((await scopes(`+t:\n  ${op}: x`, op)).includes("keyword.control.operator.digdag"), op);
    }
  });

  it("directives and only known ones", async () => {
    for (const directive of ["_export", "_parallel", "_retry", "_error", "_do", "_else_do", "_after", "_env"]) {
      assert.ok((await scopes(`  ${directive}: x`, directive)).includes("keyword.other.directive.digdag"), directive);
    }
    assert.ok((await scopes("  _parellel: true", "_parellel")).includes("entity.name.tag.digdag"));
  });

  it("top-level keys only at the top level", async () => {
    assert.ok((await scopes("timezone: UTC", "timezone")).includes("support.type.property-name.top-level.digdag"));
    const nested = await scopes("+t:\n  timezone: UTC", "timezone");
    assert.ok(!nested.includes("support.type.property-name.top-level.digdag"));
    assert.ok(nested.includes("entity.name.tag.digdag"));
  });

  it("${...} is JavaScript inside plain, quoted and block strings", async () => {
    for (const source of ["a: x ${y} z", 'a: "x ${y} z"', "a: 'x ${y} z'", "a: |\n  x ${y} z"]) {
      const y = await scopes(source, "y");
      assert.ok(y.includes("meta.template.expression.digdag"), source);
      assert.ok(y.includes("meta.embedded.expression.js"), source);
    }
    const begin = await scopes("a: ${y}", "${");
    assert.ok(begin.includes("punctuation.definition.template-expression.begin.digdag"));
  });

  it("nested braces do not end the expression", async () => {
    const tokens = await tokenize("a: ${ f(function(x){return x}) } tail");
    const tail = scopesOf(tokens, " tail");
    assert.ok(!tail.includes("meta.template.expression.digdag"));
    assert.ok(scopesOf(tokens, ") ").includes("meta.embedded.expression.js"));
  });

  it("${secret:...} is not JavaScript", async () => {
    const key = await scopes("a: ${secret:db.password}", "db.password");
    assert.ok(key.includes("meta.template.secret.digdag"));
    assert.ok(!key.includes("meta.embedded.expression.js"));
  });

  it("query: | blocks and inline queries are SQL, templates inside stay JavaScript", async () => {
    const source = "+q:\n  td>:\n  query: |\n    SELECT a\n    FROM ${t}\n  database: d";
    const tokens = await tokenize(source);
    assert.ok(scopesOf(tokens, "    SELECT a", 3).includes("meta.embedded.block.sql"));
    assert.ok(scopesOf(tokens, "t", 4).includes("meta.embedded.expression.js"));
    assert.ok(scopesOf(tokens, "database", 5).includes("entity.name.tag.digdag"));
    assert.ok(!scopesOf(tokens, "database", 5).includes("meta.embedded.block.sql"));
    assert.ok((await scopes("  query: SELECT 1", "SELECT 1")).includes("meta.embedded.line.sql"));
  });

  it("td> with a nested data: block is SQL, a td> file name is not", async () => {
    const tokens = await tokenize("+q:\n  td>:\n    data: |\n      SELECT 1\n  database: d");
    assert.ok(scopesOf(tokens, "      SELECT 1").includes("meta.embedded.block.sql"));
    const file = await tokenize("+q:\n  td>: q.sql\n  data: x");
    assert.ok(scopesOf(file, "q.sql").includes("string.unquoted.plain.digdag"));
    assert.ok(!scopesOf(file, "x").includes("meta.embedded.line.sql"));
  });

  it("a block scalar ends at a less indented line", async () => {
    const tokens = await tokenize("+t:\n  sh>: |\n    echo 1\n\n    echo 2\n  _retry: 1");
    assert.ok(scopesOf(tokens, "    echo 2").includes("string.unquoted.block.digdag"));
    assert.ok(scopesOf(tokens, "_retry").includes("keyword.other.directive.digdag"));
  });

  it("comments, but not # inside a value", async () => {
    assert.ok((await scopes("# note", " note")).includes("comment.line.number-sign.digdag"));
    assert.ok((await scopes("# note", "#")).includes("punctuation.definition.comment.digdag"));
    const url = await scopes("a: http://x/#frag", "http://x/#frag");
    assert.ok(url.includes("string.unquoted.plain.digdag"));
  });

  it("digdag's scalar types: true/False are booleans, yes and 10:00:00 are strings", async () => {
    assert.ok((await scopes("a: False", "False")).includes("constant.language.boolean.digdag"));
    assert.ok((await scopes("a: yes", "yes")).includes("string.unquoted.plain.digdag"));
    assert.ok((await scopes("a: 10:00:00", "10:00:00")).includes("string.unquoted.plain.digdag"));
    assert.ok((await scopes("a: 0x1F", "0x1F")).includes("constant.numeric.digdag"));
  });
});

describe("grammar edge cases", () => {
  it("a ${ without a closing brace is literal text and does not run into the next line", async () => {
    const tokens = await tokenize("a: p${v\nb: c");
    assert.deepEqual(scopesOf(tokens, "p${v").slice(1), ["string.unquoted.plain.digdag"]);
    assert.ok(scopesOf(tokens, "b").includes("entity.name.tag.digdag"));
  });

  it("a float with a leading 0 is a string for digdag, other numbers are numeric", async () => {
    assert.ok((await scopes("a: 0.5", "0.5")).includes("string.unquoted.plain.digdag"));
    for (const number of ["0", "1.5", "-2", "1e3", ".5", "010"]) {
      assert.ok((await scopes(`a: ${number}`, number)).includes("constant.numeric.digdag"), number);
    }
  });

  it("quoted keys are classified by their text", async () => {
    assert.ok((await scopes('"+quoted": 1', "+quoted")).includes("entity.name.function.task.digdag"));
    assert.ok((await scopes("'td>': q.sql", "td>")).includes("keyword.control.operator.digdag"));
  });
});
