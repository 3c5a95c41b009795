#!/usr/bin/env node
/**
 * The `microcred` executable (package.json `bin`). The commands live in cli/, one module per command group.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.js';

export { main };

// Run when executed directly (not when imported by tests).
// realpath: npm's bin entry is a symlink to this file.
const invokedAs = process.argv[1] ? realpathSync(path.resolve(process.argv[1])) : '';
if (invokedAs === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
