#!/usr/bin/env node
/*
 * Fails (exit 1) on a package-lock.json that `npm ci` cannot install on a machine with an empty cache, naming each
 * offending entry. Run by `make install-report` before `npm ci`, and by tests/structure/test_npm_lock.py.
 *
 * What it catches: an entry with no `version`. npm writes one when an optional platform package (DuckDB's
 * node-bindings for another OS, rollup's native builds) could not be fetched while the lock was written; every
 * `npm ci` then stops with "npm error Invalid Version:" (npm 10 and 11 alike), whatever the machine, unless a warm
 * ~/.npm cache happens to hide it. Fix: `npm run lock` on a machine that reaches the whole registry, after checking
 * each platform build with `npm view NAME@VERSION version` (reports/README.md).
 *
 * Usage: node scripts/check-lock.mjs [path/to/package-lock.json]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const lockPath =
	process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');

let lock;
try {
	lock = JSON.parse(readFileSync(lockPath, 'utf8'));
} catch (error) {
	console.error(`[check-lock] cannot read ${lockPath}: ${error.message}`);
	process.exit(1);
}

const problems = [];
if (lock.lockfileVersion !== 3) {
	problems.push(`lockfileVersion is ${lock.lockfileVersion}, expected 3 (npm 7 or later writes it)`);
}
const packages = lock.packages ?? {};
if (Object.keys(packages).length === 0) problems.push('the lock lists no packages');
for (const [name, entry] of Object.entries(packages)) {
	if (name === '' || entry.link) continue; // the project itself; a workspace link has no version of its own
	if (typeof entry.version !== 'string' || entry.version === '') {
		problems.push(`${name}: no version${entry.optional ? ' (optional)' : ''}`);
	}
}

if (problems.length > 0) {
	console.error(`[check-lock] ${lockPath}: npm ci cannot install this lock on a machine with an empty cache:`);
	for (const problem of problems) console.error(`  ${problem}`);
	console.error(
		'[check-lock] regenerate it with `npm run lock` (reports/README.md says how to check the platform builds first)'
	);
	process.exit(1);
}
console.log(`[check-lock] ${path.basename(lockPath)}: ${Object.keys(packages).length - 1} entries, each with a version`);
