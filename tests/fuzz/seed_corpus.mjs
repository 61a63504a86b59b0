// Turns conformance vectors (make_vectors.mjs output) into a libFuzzer seed corpus: one file per
// vector, its first byte selecting the root type as decode_fuzzer.cc expects.
//   node tests/fuzz/seed_corpus.mjs <vectors.jsonl> <corpus dir>
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT_TYPES = ["ToServer", "ToClient", "ToRunner", "ToGateway", "ToServerlessServer", "ActorCommandKeyData"];
const [vectorsPath, corpusDir] = process.argv.slice(2);
if (!vectorsPath || !corpusDir) {
  console.error("usage: node seed_corpus.mjs <vectors.jsonl> <corpus dir>");
  process.exit(2);
}
mkdirSync(corpusDir, { recursive: true });
let count = 0;
for (const line of readFileSync(vectorsPath, "utf8").split("\n")) {
  if (!line) continue;
  const vector = JSON.parse(line);
  const selector = ROOT_TYPES.indexOf(vector.type);
  if (selector < 0) throw new Error(`unknown root type ${vector.type} in ${vector.name}`);
  const bytes = Buffer.concat([Buffer.from([selector]), Buffer.from(vector.hex, "hex")]);
  writeFileSync(join(corpusDir, `${vector.kind}-${vector.name}`), bytes);
  count++;
}
console.log(`seed corpus: ${count} inputs in ${corpusDir}`);
