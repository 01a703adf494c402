// Compiles contracts/src with solc-js (standard JSON) into contracts/artifacts/<Name>.json.
// Deterministic: sources sorted, no timestamps, metadata hash off, so a fresh compile is
// byte-identical to the committed artifacts (a test checks it).
// Usage: node contracts/compile.mjs [outDir]
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const srcDir = join(here, "src");
const outDir = resolve(process.argv[2] ?? join(here, "artifacts"));
const solc = require(join(root, "node_modules", "solc"));

const settings = {
  evmVersion: "prague",
  viaIR: true,
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: "none", appendCBOR: false },
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
};

const sources = {};
for (const name of readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort()) {
  sources[`src/${name}`] = { content: readFileSync(join(srcDir, name), "utf8") };
}

function findImports(path) {
  for (const base of [join(root, "node_modules"), here]) {
    try {
      return { contents: readFileSync(join(base, path), "utf8") };
    } catch {}
  }
  return { error: `import not found: ${path}` };
}

const output = JSON.parse(
  solc.compile(JSON.stringify({ language: "Solidity", sources, settings }), { import: findImports }),
);
const errors = (output.errors ?? []).filter((e) => e.severity === "error");
for (const e of output.errors ?? []) console.error(e.formattedMessage);
if (errors.length) process.exit(1);

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const sourceHashes = {};
for (const [path, { content }] of Object.entries(sources)) sourceHashes[path] = sha256(content);

mkdirSync(outDir, { recursive: true });
for (const [path, contracts] of Object.entries(output.contracts)) {
  if (!path.startsWith("src/")) continue;
  for (const [name, c] of Object.entries(contracts)) {
    if (!c.evm.bytecode.object) continue; // interfaces
    const artifact = {
      contractName: name,
      sourceName: path,
      compiler: { name: "solc-js", version: solc.version() },
      settings: { evmVersion: settings.evmVersion, viaIR: settings.viaIR, optimizer: settings.optimizer },
      sourceHashes,
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
    };
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + "\n");
    console.log(`${relative(root, join(outDir, name + ".json"))}: ${c.evm.deployedBytecode.object.length / 2} bytes deployed`);
  }
}
