// Parse and analyze the database scripts of a generated project's kql/ with Kusto.Language, Microsoft's KQL
// parser and semantic analyzer (npm @kusto/language-service-next, the C# library compiled to JavaScript).
//
//   node tests/tools/kql_analyze.js <package dir> kql/tables.kql kql/drift.kql [-- other database's files]
//   -> JSON list of problems
//
// Files up to a `--` build one database; the next group starts an empty one (loading the parser takes seconds,
// so one process analyzes several).
// A script's commands are separated by an empty line (Microsoft Learn, "Configure a database using a Kusto
// Query Language script"). Commands are analyzed in order against the database they build: each
// `.create-merge table` adds a table, each `.create-or-alter function` a function, so a later function that
// reads an unknown column or calls an unknown function is an error, as it would be in the cluster. Then each
// update policy's query must return exactly the target table's columns (names and types, in order).
require(process.argv[2] + "/bridge.min.js");
require(process.argv[2] + "/Kusto.Language.Bridge.min.js");
const fs = require("fs");
const S = Kusto.Language.Symbols;
const problems = [];
const errors = (code) => {
  const found = [];
  const diagnostics = code.GetDiagnostics();
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === "Error") found.push(d.Message);
  }
  return found;
};
const columns = (table) => {
  const found = [];
  for (let i = 0; i < table.Columns.Count; i++) {
    const c = table.Columns.getItem(i);
    found.push(c.Name + ":" + c.Type.Name);
  }
  return found.join(", ");
};
function analyze(files) {
  const members = [];
  const policies = [];
  const globals = () => Kusto.Language.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor("db", members));
  for (const file of files) {
    for (const block of fs.readFileSync(file, "utf8").split(/\n\s*\n/)) {
      const text = block.trim();
      if (!text) continue;
      const code = Kusto.Language.KustoCode.ParseAndAnalyze(text, globals());
      const where = file + ": " + text.slice(0, 60).replace(/\s+/g, " ") + " ...: ";
      for (const message of errors(code)) problems.push(where + message);
      if (code.Kind !== "Command") problems.push(where + "not a management command");
      let m = text.match(/^\.create-merge table (\w+) \((.*)\)$/s);
      if (m) members.push(S.TableSymbol.From("(" + m[2] + ")").WithName(m[1]));
      m = text.match(/^\.create-or-alter function [^\n]*?\)\s+(\w+)\(((?:[^()]|\([^()]*\))*)\)\s*(\{[\s\S]*\})$/);
      if (m) members.push(new S.FunctionSymbol.$ctor16(m[1], "(" + m[2] + ")", m[3], ""));
      m = text.match(/^\.alter table (\w+) policy update @'(.*)'$/s);
      if (m) policies.push([m[1], JSON.parse(m[2])]);
    }
  }
  for (const [table, entries] of policies) {
    const target = members.find((symbol) => symbol.Name === table);
    for (const entry of entries) {
      const code = Kusto.Language.KustoCode.ParseAndAnalyze(entry.Query, globals());
      for (const message of errors(code)) problems.push(files[0] + ": " + table + " update policy: " + message);
      const result = code.ResultType;
      const returned = result && result.Columns ? columns(result) : "nothing";
      const expected = target ? columns(target) : "no such table";
      if (returned !== expected) {
        problems.push(files[0] + ": " + table + " update policy returns " + returned + "; the table has " + expected);
      }
    }
  }
}
let group = [];
for (const argument of [...process.argv.slice(3), "--"]) {
  if (argument !== "--") {
    group.push(argument);
  } else if (group.length) {
    analyze(group);
    group = [];
  }
}
console.log(JSON.stringify(problems));
