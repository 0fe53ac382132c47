/*
 * Offline replacement for @evidence-dev/universal-sql/src/client-duckdb/node.js (universal-sql 3.0.1).
 *
 * Installed over the original by ../scripts/install-offline-duckdb-client.mjs (npm postinstall).
 * The original runs duckdb-wasm in Node; that build fetches the Parquet extension from the internet
 * the first time it touches Parquet, and in the blocking Node runtime a failed fetch never returns,
 * so `evidence sources` and `evidence build` hang forever offline.
 *
 * This module keeps the original's interface (initDB, updateSearchPath, emptyDbFs, setParquetURLs,
 * query, arrowTableToJSON, tableFromIPC) and its behaviour (same session settings, same caching of
 * prerendered results, Arrow tables with the same schema), but runs native DuckDB
 * (@duckdb/node-api, Parquet built in) in a worker thread. `query` must stay synchronous because its
 * callers are synchronous, so each request blocks on Atomics.wait until the worker answers, and the
 * answer is read with receiveMessageOnPort.
 */
import { arrowTableToJSON } from './both.js';
import { cache_for_hash, get_arrow_if_sql_already_run } from '../cache-duckdb.js';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import path from 'node:path';

export { tableFromIPC } from 'apache-arrow';

/*
 * Arrow tables handed to cache-duckdb.js must come from the same (CommonJS) apache-arrow instance
 * that cache-duckdb.js requires, or its `instanceof` checks fail. It requires apache-arrow relative
 * to @duckdb/duckdb-wasm; do the same.
 */
const require = createRequire(import.meta.url);
const { tableFromIPC: tableFromIPCShared } = createRequire(require.resolve('@duckdb/duckdb-wasm'))(
	'apache-arrow'
);

const WORKER_FILE = fileURLToPath(new URL('./duckdb-node-api-worker.cjs', import.meta.url));

/** Longest time one request may take before the client gives up (ms). */
const REQUEST_TIMEOUT_MS = Number(process.env.EVIDENCE_DUCKDB_REQUEST_TIMEOUT_MS ?? 10 * 60 * 1000);

/** @type {{ worker: Worker, port: import('node:worker_threads').MessagePort, signal: Int32Array } | undefined} */
let client;
let nextRequestId = 1;

function startClient() {
	const signal = new Int32Array(new SharedArrayBuffer(4));
	const { port1, port2 } = new MessageChannel();
	const worker = new Worker(WORKER_FILE, {
		workerData: { port: port2, signal },
		transferList: [port2]
	});
	// The worker must never keep `evidence sources` / `evidence build` alive on its own.
	worker.unref();
	port1.unref();
	worker.on('error', (error) => {
		console.error('[offline-duckdb-client] DuckDB worker failed:', error);
		client = undefined;
	});
	worker.on('exit', () => {
		client = undefined;
	});
	client = { worker, port: port1, signal };
	return client;
}

/**
 * Sends one request to the worker and blocks until its answer arrives.
 * @param {{ type: 'init' | 'query' | 'exec', sql?: string }} request
 * @returns {{ ok: true, ipc?: Uint8Array }}
 */
function request(request) {
	const { worker, port, signal } = client ?? startClient();
	const id = nextRequestId++;
	Atomics.store(signal, 0, 0);
	port.postMessage({ ...request, id });

	const deadline = Date.now() + REQUEST_TIMEOUT_MS;
	for (;;) {
		if (Atomics.load(signal, 0) === 1) {
			let received;
			while ((received = receiveMessageOnPort(port))) {
				const reply = received.message;
				if (reply.id !== id) continue; // answer to an earlier, abandoned request
				if (!reply.ok) {
					const error = new Error(reply.error.message);
					if (reply.error.stack) error.stack = `${error.message}\n[worker] ${reply.error.stack}`;
					throw error;
				}
				return reply;
			}
			// Signal without our reply (a late answer to an abandoned request): wait again.
			Atomics.store(signal, 0, 0);
		}
		const remaining = deadline - Date.now();
		if (remaining <= 0) {
			client = undefined;
			worker.terminate();
			throw new Error(
				`DuckDB (node-api worker) did not answer within ${REQUEST_TIMEOUT_MS} ms: ${request.type} ${
					request.sql ?? ''
				}`.trim()
			);
		}
		Atomics.wait(signal, 0, 0, Math.min(remaining, 1000));
	}
}

/**
 * Runs SQL and returns the result as an Arrow table (shared apache-arrow instance).
 * @param {string} sql
 */
function runArrow(sql) {
	const { ipc } = request({ type: 'query', sql });
	return tableFromIPCShared(ipc);
}

const quoteIdentifier = (name) => `"${String(name).replaceAll('"', '""')}"`;
const quoteLiteral = (text) => `'${String(text).replaceAll("'", "''")}'`;

/**
 * Initializes the database.
 *
 * @returns {Promise<void>}
 */
export async function initDB() {
	request({ type: 'init' });
}

/**
 * Updates the duckdb search path to include only the list of included schemas
 * @param {string[]} schemas
 * @returns {void}
 */
export function updateSearchPath(schemas) {
	request({ type: 'exec', sql: `PRAGMA search_path=${quoteLiteral(schemas.join(','))}` });
}

/**
 * The original drops files registered with duckdb-wasm's virtual file system. Native DuckDB reads
 * files straight from disk, so nothing is registered and there is nothing to drop.
 * @param {string} _targetGlob
 */
export async function emptyDbFs(_targetGlob) {}

/**
 * Adds a new view to the database, pointing to the provided parquet URLs.
 * (On the Node side these are file paths relative to the working directory.)
 *
 * @param {Record<string, string[]>} urls
 * @param {boolean} [_append]
 * @returns {Promise<void>}
 */
export async function setParquetURLs(urls, _append = false) {
	const pathDelimiterRegex = /[\\/]/;

	if (process.env.VITE_EVIDENCE_DEBUG) console.log(`Updating Parquet URLs`);
	const statements = [];
	for (const source in urls) {
		statements.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(source)};`);
		for (const url of urls[source]) {
			const table = url.split(pathDelimiterRegex).at(-1).slice(0, -'.parquet'.length);
			const file = path.resolve(url.split(pathDelimiterRegex).join(path.sep)).replaceAll('\\', '/');
			statements.push(
				`CREATE OR REPLACE VIEW ${quoteIdentifier(source)}.${quoteIdentifier(table)} AS (SELECT * FROM read_parquet(${quoteLiteral(file)}));`
			);
		}
	}
	if (statements.length) request({ type: 'exec', sql: statements.join('\n') });
}

/**
 * Queries the database with the given SQL statement.
 *
 * @param {string} sql
 * @param {Parameters<typeof cache_for_hash>[2]} [cache_options]
 * @returns {Record<string, unknown>[]}
 */
export function query(sql, cache_options) {
	let result;

	// only cache during build, because
	// parquet can/will eventually change during dev
	if (cache_options?.prerendering) {
		result = get_arrow_if_sql_already_run(sql);
	}

	// if cache missed, fallback to querying
	if (!result) {
		result = runArrow(sql);
	}

	if (cache_options) {
		cache_for_hash(sql, result, cache_options);
	}

	return arrowTableToJSON(result);
}

export { arrowTableToJSON };
