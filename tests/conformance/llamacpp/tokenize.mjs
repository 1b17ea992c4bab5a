// Token ids that llama.cpp's own tokenizer (node-llama-cpp, vocabulary-only load) gives for a
// UTF-8 text file, with the BOS the GGUF asks for; special tokens in the text are plain text
// unless --parse-special. node-llama-cpp is taken from CACHE_DIR (scripts/setup.sh installs it).
// Usage: node tokenize.mjs CACHE_DIR MODEL.gguf TEXT_FILE [--parse-special]  -> {"tokens":[...]}
import {createRequire} from "module";
import {pathToFileURL} from "url";
import path from "path";
import fs from "fs";

const [,, cacheDir, modelPath, textFile, flag] = process.argv;
const require = createRequire(path.join(cacheDir, "package.json"));
const {getLlama} = await import(pathToFileURL(require.resolve("node-llama-cpp")).href);
const text = fs.readFileSync(textFile, "utf8");
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath, vocabOnly: true});
let tokens = model.tokenize(text, flag === "--parse-special");
if (model.tokens.shouldPrependBosToken && model.tokens.bos != null) tokens = [model.tokens.bos, ...tokens];
console.log(JSON.stringify({tokens: Array.from(tokens)}));
