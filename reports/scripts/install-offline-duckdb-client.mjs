#!/usr/bin/env node
/*
 * npm postinstall: install the offline DuckDB client into Evidence's universal-sql package.
 *
 * Copies ../offline-duckdb-client/ over node_modules/@evidence-dev/universal-sql/src/client-duckdb/:
 *   node.js                     Node-side client: native @duckdb/node-api in a worker thread instead of
 *                               duckdb-wasm (which downloads the Parquet extension and hangs offline)
 *   duckdb-node-api-worker.cjs  the worker it runs
 *   browser.js                  browser-side client: Parquet views created on the first browser query,
 *                               not at page load (so built pages never reach for extensions.duckdb.org)
 * The originals are kept next to them as *.original.js. Idempotent. Fails the install loudly if the
 * installed Evidence packages are not the versions the replacement was written for.
 *
 * Then, the same way, copies ../csv-download/DownloadData.svelte over
 * node_modules/@evidence-dev/core-components/dist/unsorted/ui/DownloadData.svelte (original kept as
 * DownloadData.original.svelte): every CSV a page's download button (tables and charts) writes has the cells a
 * spreadsheet would run as a formula (= + - @, tab, CR first) prefixed with a single quote.
 *
 * Finally writes node_modules/.tmall-analytics-lock.sha256 (package.json + package-lock.json), which
 * orchestration/reports/evidence.py reads to decide whether node_modules is current.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXPECTED_UNIVERSAL_SQL = '3.0.1';
const MARKER = '@evidence-dev/universal-sql/src/client-duckdb/';
const FILES = [
	{ name: 'node.js', backup: 'node.original.js' },
	{ name: 'browser.js', backup: 'browser.original.js' },
	{ name: 'duckdb-node-api-worker.cjs' }
];
const STAMP = '.tmall-analytics-lock.sha256';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = path.join(projectDir, 'offline-duckdb-client');
const universalSqlDir = path.join(projectDir, 'node_modules', '@evidence-dev', 'universal-sql');
const targetDir = path.join(universalSqlDir, 'src', 'client-duckdb');

function fail(message) {
	console.error(`[offline-duckdb-client] ${message}`);
	process.exit(1);
}

if (!existsSync(path.join(universalSqlDir, 'package.json'))) {
	fail(`${universalSqlDir} is missing; is @evidence-dev/evidence installed?`);
}
const { version } = JSON.parse(readFileSync(path.join(universalSqlDir, 'package.json'), 'utf8'));
if (version !== EXPECTED_UNIVERSAL_SQL) {
	fail(
		`@evidence-dev/universal-sql is ${version}, the offline client was written for ${EXPECTED_UNIVERSAL_SQL}. ` +
			'Compare its src/client-duckdb/ with offline-duckdb-client/ and update both before changing the pin.'
	);
}

// The replacement loads these from its own directory inside node_modules.
const requireFromTarget = createRequire(path.join(targetDir, 'node.js'));
for (const dependency of ['@duckdb/node-api', 'apache-arrow', '@duckdb/duckdb-wasm']) {
	try {
		requireFromTarget.resolve(dependency);
	} catch {
		fail(`${dependency} cannot be resolved from ${targetDir}`);
	}
}

for (const { name, backup } of FILES) {
	const source = path.join(sourceDir, name);
	const target = path.join(targetDir, name);
	if (backup && existsSync(target) && !readFileSync(target, 'utf8').includes(MARKER)) {
		copyFileSync(target, path.join(targetDir, backup));
	}
	copyFileSync(source, target);
	if (!readFileSync(target).equals(readFileSync(source))) fail(`copying ${name} to ${target} did not take`);
}
console.log(`[offline-duckdb-client] installed into ${path.relative(projectDir, targetDir)}`);

// The CSV download: neutralise formula cells (CSV injection), core-components' one CSV writer.
const EXPECTED_CORE_COMPONENTS = '5.4.2';
const CSV_MARKER = 'tmall-analytics: @evidence-dev/core-components';
const coreComponentsDir = path.join(projectDir, 'node_modules', '@evidence-dev', 'core-components');
if (!existsSync(path.join(coreComponentsDir, 'package.json'))) {
	fail(`${coreComponentsDir} is missing; is @evidence-dev/core-components installed?`);
}
const coreVersion = JSON.parse(readFileSync(path.join(coreComponentsDir, 'package.json'), 'utf8')).version;
if (coreVersion !== EXPECTED_CORE_COMPONENTS) {
	fail(
		`@evidence-dev/core-components is ${coreVersion}, csv-download/ was written for ${EXPECTED_CORE_COMPONENTS}. ` +
			'Compare its dist/unsorted/ui/DownloadData.svelte with csv-download/ before changing the pin.'
	);
}
const csvSource = path.join(projectDir, 'csv-download', 'DownloadData.svelte');
const csvTarget = path.join(coreComponentsDir, 'dist', 'unsorted', 'ui', 'DownloadData.svelte');
if (existsSync(csvTarget) && !readFileSync(csvTarget, 'utf8').includes(CSV_MARKER)) {
	copyFileSync(csvTarget, path.join(path.dirname(csvTarget), 'DownloadData.original.svelte'));
}
copyFileSync(csvSource, csvTarget);
if (!readFileSync(csvTarget).equals(readFileSync(csvSource))) fail(`copying ${csvSource} to ${csvTarget} did not take`);
console.log(`[offline-duckdb-client] CSV downloads neutralise formula cells (${path.relative(projectDir, csvTarget)})`);

const digest = createHash('sha256');
for (const name of ['package.json', 'package-lock.json']) {
	digest.update(name);
	digest.update(readFileSync(path.join(projectDir, name)));
}
writeFileSync(path.join(projectDir, 'node_modules', STAMP), `${digest.digest('hex')}\n`);
