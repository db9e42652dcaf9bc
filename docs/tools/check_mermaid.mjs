// Parse every ```mermaid block of the given Markdown files with mermaid's own parser.
// A diagram that GitHub, Azure DevOps or mkdocs-material would show as "syntax error" fails here.
// Usage: node docs/tools/check_mermaid.mjs FILE.md...   (after `npm ci --prefix docs/tools`)
// Prints "checked <file> <blocks>" per file, or "FAIL <file> <block> <message>"; exits 1 on any failure.
import fs from "node:fs";
import { JSDOM } from "jsdom";

// mermaid expects a browser; a jsdom window is enough for parsing (nothing is drawn).
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

let failures = 0;
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, "utf8");
  const blocks = [...text.matchAll(/^```mermaid\n([\s\S]*?)^```/gm)].map((match) => match[1]);
  for (const [number, block] of blocks.entries()) {
    try {
      await mermaid.parse(block);
    } catch (error) {
      failures += 1;
      const message = String(error?.message ?? error).split("\n").slice(0, 4).join(" | ");
      console.log(`FAIL ${file} ${number + 1} ${message}`);
    }
  }
  console.log(`checked ${file} ${blocks.length}`);
}
process.exit(failures ? 1 : 0);
