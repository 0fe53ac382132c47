'use strict';
/*
 * Worker thread for the offline DuckDB client (see ./node.js and ../README.md).
 *
 * Runs native DuckDB through @duckdb/node-api (Parquet, JSON and ICU are built in, nothing is
 * downloaded) and answers one request at a time on the MessagePort it was given. After every
 * reply it flips `signal[0]` to 1 and notifies, so the main thread, blocked in Atomics.wait,
 * can pick the reply up synchronously with receiveMessageOnPort.
 *
 * Query results are returned as Arrow IPC bytes shaped the way Evidence's original duckdb-wasm
 * client shapes them (query config castBigIntToDouble, castDecimalToDouble, castTimestampToDate):
 *   BOOLEAN -> Bool; TINYINT/SMALLINT/INTEGER -> Int8/16/32; UTINYINT/USMALLINT/UINTEGER -> Uint8/16/32;
 *   BIGINT/UBIGINT/HUGEINT/UHUGEINT/BIGNUM/DECIMAL/DOUBLE -> Float64; FLOAT -> Float32;
 *   DATE -> Date32<DAY>; TIMESTAMP[_S|_MS|_NS|_TZ] -> Date64<MILLISECOND>; TIME -> Time64<MICROSECOND>;
 *   VARCHAR/UUID/ENUM -> Utf8; BLOB -> Binary; SQL NULL -> Int32 (all null).
 * Types Evidence pages cannot use anyway (LIST, STRUCT, MAP, ARRAY, UNION, INTERVAL, TIME_TZ, BIT, ...)
 * are returned as Utf8 text (DuckDB's own rendering). Every field is nullable, as in duckdb-wasm.
 */
const { workerData } = require('node:worker_threads');

const { port, signal } = workerData;

// Loaded on the first request, so that a missing module becomes an error reply to the waiting
// main thread instead of a worker that dies before it can answer.
/** @type {typeof import('apache-arrow')} */
let arrow;
/** @type {typeof import('@duckdb/node-api').DuckDBTypeId} */
let DuckDBTypeId;
/** @type {typeof import('@duckdb/node-api').DuckDBInstance} */
let DuckDBInstance;

function loadModules() {
	if (arrow) return;
	const nodeApi = require('@duckdb/node-api');
	DuckDBTypeId = nodeApi.DuckDBTypeId;
	DuckDBInstance = nodeApi.DuckDBInstance;
	arrow = require('apache-arrow');
}

/** Session settings of the original client (universal-sql client-duckdb/node.js initDB). */
const SESSION_SETTINGS = [
	// https://duckdb.org/2024/09/09/announcing-duckdb-110.html#breaking-sql-changes
	'SET ieee_floating_point_ops = false;',
	// https://duckdb.org/2024/02/13/announcing-duckdb-0100.html#breaking-sql-changes
	'SET old_implicit_casting = true;'
];

/** @type {import('@duckdb/node-api').DuckDBInstance | undefined} */
let instance;
/** @type {import('@duckdb/node-api').DuckDBConnection | undefined} */
let connection;

const MS_PER_DAY = 86400000;

const toNumber = (v) => (typeof v === 'bigint' ? Number(v) : Number(v));
const toText = (v) => (typeof v === 'string' ? v : String(v));

/**
 * Returns [arrow type, value converter] for a DuckDB column type.
 * @param {import('@duckdb/node-api').DuckDBType} type
 */
function arrowColumnFor(type) {
	switch (type.typeId) {
		case DuckDBTypeId.BOOLEAN:
			return [new arrow.Bool(), (v) => v];
		case DuckDBTypeId.TINYINT:
			return [new arrow.Int8(), (v) => v];
		case DuckDBTypeId.SMALLINT:
			return [new arrow.Int16(), (v) => v];
		case DuckDBTypeId.INTEGER:
			return [new arrow.Int32(), (v) => v];
		case DuckDBTypeId.UTINYINT:
			return [new arrow.Uint8(), (v) => v];
		case DuckDBTypeId.USMALLINT:
			return [new arrow.Uint16(), (v) => v];
		case DuckDBTypeId.UINTEGER:
			return [new arrow.Uint32(), (v) => v];
		case DuckDBTypeId.BIGINT:
		case DuckDBTypeId.UBIGINT:
		case DuckDBTypeId.HUGEINT:
		case DuckDBTypeId.UHUGEINT:
		case DuckDBTypeId.BIGNUM:
			return [new arrow.Float64(), toNumber];
		case DuckDBTypeId.FLOAT:
			return [new arrow.Float32(), (v) => v];
		case DuckDBTypeId.DOUBLE:
			return [new arrow.Float64(), (v) => v];
		case DuckDBTypeId.DECIMAL:
			return [new arrow.Float64(), (v) => v.toDouble()];
		case DuckDBTypeId.DATE:
			return [new arrow.DateDay(), (v) => v.days * MS_PER_DAY];
		case DuckDBTypeId.TIMESTAMP:
		case DuckDBTypeId.TIMESTAMP_TZ:
			return [new arrow.DateMillisecond(), (v) => Math.floor(Number(v.micros) / 1000)];
		case DuckDBTypeId.TIMESTAMP_S:
			return [new arrow.DateMillisecond(), (v) => Number(v.seconds) * 1000];
		case DuckDBTypeId.TIMESTAMP_MS:
			return [new arrow.DateMillisecond(), (v) => Number(v.millis)];
		case DuckDBTypeId.TIMESTAMP_NS:
			return [new arrow.DateMillisecond(), (v) => Math.floor(Number(v.nanos) / 1e6)];
		case DuckDBTypeId.TIME:
			return [new arrow.TimeMicrosecond(), (v) => BigInt(v.micros)];
		case DuckDBTypeId.BLOB:
			return [new arrow.Binary(), (v) => v.bytes];
		case DuckDBTypeId.SQLNULL:
			return [new arrow.Int32(), () => null];
		case DuckDBTypeId.VARCHAR:
		case DuckDBTypeId.UUID:
		case DuckDBTypeId.ENUM:
		default:
			return [new arrow.Utf8(), toText];
	}
}

/**
 * Runs one SQL text (one or more statements; the last one's result is returned) and encodes
 * the result as an Arrow IPC stream.
 * @param {string} sql
 * @returns {Promise<Uint8Array>}
 */
async function runQuery(sql) {
	const reader = await connection.runAndReadAll(sql);
	const names = reader.columnNames();
	const types = reader.columnTypes();
	const columns = reader.getColumns();
	const rowCount = reader.currentRowCount;

	const fields = [];
	const children = [];
	names.forEach((name, i) => {
		const [type, convert] = arrowColumnFor(types[i]);
		const builder = arrow.makeBuilder({ type, nullValues: [null, undefined] });
		for (const value of columns[i] ?? []) {
			builder.append(value === null || value === undefined ? null : convert(value));
		}
		children.push(builder.finish().flush());
		fields.push(new arrow.Field(name, type, true));
	});

	const schema = new arrow.Schema(fields);
	const batchData = arrow.makeData({
		type: new arrow.Struct(fields),
		length: rowCount,
		nullCount: 0,
		children
	});
	const table = new arrow.Table([new arrow.RecordBatch(schema, batchData)]);
	return arrow.tableToIPC(table, 'stream');
}

async function init() {
	if (connection) return;
	loadModules();
	instance = await DuckDBInstance.create(':memory:', {
		// Never reach for the network: extensions that are not built in must fail fast, not hang.
		autoinstall_known_extensions: 'false'
	});
	connection = await instance.connect();
	for (const statement of SESSION_SETTINGS) await connection.run(statement);
	// duckdb-wasm in Node has no ICU, so it computes in UTC; keep native DuckDB on the same clock.
	await connection.run("SET TimeZone = 'UTC';").catch(() => undefined);
}

/** @param {{ type: string, sql?: string }} message */
async function handle(message) {
	switch (message.type) {
		case 'init':
			await init();
			return {};
		case 'query': {
			await init();
			const ipc = await runQuery(message.sql);
			return { ipc };
		}
		case 'exec': {
			await init();
			await connection.run(message.sql);
			return {};
		}
		default:
			throw new Error(`Unknown request type ${message.type}`);
	}
}

function reply(message, transfer) {
	port.postMessage(message, transfer);
	Atomics.store(signal, 0, 1);
	Atomics.notify(signal, 0);
}

let current = Promise.resolve();
port.on('message', (message) => {
	// Strictly one request at a time, in arrival order.
	current = current.then(async () => {
		try {
			const result = await handle(message);
			const transfer = result.ipc ? [result.ipc.buffer] : [];
			reply({ id: message.id, ok: true, ...result }, transfer);
		} catch (error) {
			reply({
				id: message.id,
				ok: false,
				error: {
					message: error && error.message ? error.message : String(error),
					stack: error && error.stack ? String(error.stack) : undefined
				}
			});
		}
	});
});
