#!/usr/bin/env node
// Render a bibliography with citeproc-js, the CSL processor inside Zotero, Mendeley and many other tools.
//
// Usage: node tests/js/render.js STYLE.csl LOCALES_DIR [ITEMS.json | -] [--format text|html]
//
// ITEMS.json (or standard input) is a JSON array of CSL-JSON items. The items are registered in the order given,
// so a style without a sort of its own numbers them in that order. Prints a JSON array, in bibliography order,
// of {"id": ..., "entry": ...}; each entry is one line with runs of white space joined, so that it compares
// directly with what refkit.format prints.
"use strict";

const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

function main(argv) {
  const args = argv.slice(2);
  let format = "text";
  const at = args.indexOf("--format");
  if (at >= 0) {
    format = args[at + 1];
    args.splice(at, 2);
  }
  if (args.length < 2 || !["text", "html"].includes(format)) {
    process.stderr.write("usage: render.js STYLE.csl LOCALES_DIR [ITEMS.json|-] [--format text|html]\n");
    return 2;
  }
  const [stylePath, localesDir, itemsPath = "-"] = args;
  const style = fs.readFileSync(stylePath, "utf8");
  const items = JSON.parse(fs.readFileSync(itemsPath === "-" ? 0 : itemsPath, "utf8"));
  const byId = new Map(items.map((item) => [String(item.id), item]));
  const sys = {
    retrieveItem: (id) => byId.get(String(id)),
    retrieveLocale: (lang) => {
      const file = path.join(localesDir, `locales-${lang}.xml`);
      // citeproc-js asks for several locales and falls back to en-US when one is missing.
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
    },
  };
  // No language forced: the style's default-locale applies, else en-US, as in Zotero.
  const engine = new CSL.Engine(sys, style);
  engine.setOutputFormat(format);
  engine.updateItems(items.map((item) => String(item.id)));
  const result = engine.makeBibliography();
  const out = [];
  if (result) {
    const [meta, entries] = result;
    meta.entry_ids.forEach((ids, i) => {
      let entry = entries[i];
      if (format === "html") {
        entry = entry.replace(/^\s*<div class="csl-entry">/, "").replace(/<\/div>\s*$/, "");
        entry = entry.replace(/<div class="csl-(?:left-margin|right-inline)">([\s\S]*?)<\/div>/g, "$1 ");
      }
      out.push({ id: String(ids[0]), entry: entry.split(/\s+/).filter(Boolean).join(" ") });
    });
  }
  process.stdout.write(JSON.stringify(out) + "\n");
  return 0;
}

process.exitCode = main(process.argv);
