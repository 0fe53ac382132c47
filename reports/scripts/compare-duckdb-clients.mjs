#!/usr/bin/env node
/*
 * Compare the offline DuckDB client with Evidence's original duckdb-wasm client (kept by the postinstall
 * script as client-duckdb/node.original.js): same session settings, same Arrow schema and values for the
 * column types Evidence pages use. Only queries that need no extension are run, because the original
 * hangs offline as soon as it needs one (Parquet, ICU).
 *
 *   node scripts/compare-duckdb-clients.mjs        prints a JSON report; exit code 1 on any difference
 *
 * Run from the project directory; it works in a temporary directory and leaves nothing behind.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clientDir = path.join(projectDir, 'node_modules/@evidence-dev/universal-sql/src/client-duckdb');

export const QUERIES = {
	integers: `select 1::tinyint as i8, 2::smallint as i16, 3::integer as i32, 4::bigint as i64,
		5::hugeint as i128, 6::utinyint as u8, 7::usmallint as u16, 8::uinteger as u32, 9::ubigint as u64`,
	decimals: `select 1234567.89::decimal(18,2) as money, 2.5::double as dbl, 3.5::float as flt,
		-0.01::decimal(18,2) as cents, 12345678901234567.89::decimal(38,2) as wide`,
	dates: `select date '2025-03-31' as d, timestamp '2025-03-31 23:59:58.123456' as ts,
		timestamp_ms '2025-03-31 01:02:03.456' as ts_ms, timestamp_s '2025-03-31 01:02:03' as ts_s,
		timestamp_ns '2025-03-31 01:02:03.123456789' as ts_ns, time '12:34:56' as t,
		date '1969-12-31' as before_epoch`,
	timestamptz: `select '2025-03-31 08:00:00+08'::timestamptz as tstz`,
	text: `select '猫小铺官方旗舰店' as shop, true as flag, null as nothing, 'ab'::blob as bytes,
		'00000000-0000-0000-0000-000000000001'::uuid as id, null::date as no_date, null::varchar as no_text`,
	aggregates: `select count(*) as n, sum(x::decimal(18,2)) as s, avg(x) as a, min(x) as lo
		from range(1, 4) as r(x)`,
	empty: `select * from range(0) as r(x)`,
	describe: `describe select 1::bigint as a, 'x' as b, date '2025-01-01' as c`,
	settings: `select current_setting('old_implicit_casting') as old_implicit_casting,
		current_setting('ieee_floating_point_ops') as ieee_floating_point_ops`,
	implicit_casts: `select length(12345) as len, substr(20250331, 1, 4) as year_text`,
	float_ops: `select 1.0 / 0 as div_zero, 0.0 / 0 as zero_zero, 10 / 4 as int_div`,
	many_rows: `select x, x * 1.5 as y, 'row ' || x as label, date '2025-01-01' + x::integer as day
		from range(5000) as r(x)`
};

async function runClient(file, route) {
	const client = await import(pathToFileURL(path.join(clientDir, file)).href);
	await client.initDB();
	const errors = {};
	for (const [name, sql] of Object.entries(QUERIES)) {
		try {
			client.query(sql, { route_hash: route, additional_hash: 'a', query_name: name, prerendering: false });
		} catch (error) {
			errors[name] = String(error?.message ?? error);
		}
	}
	return { client, errors };
}

function describeTable(table) {
	// Doubles are compared to 12 significant digits: duckdb-wasm turns DECIMAL 1234567.89 into
	// 1234567.8900000001, node-api into the nearest double, 1234567.89.
	const plain = (v) =>
		typeof v === 'bigint'
			? `${v}n`
			: v instanceof Uint8Array
				? [...v]
				: typeof v === 'number' && !Number.isInteger(v)
					? Number(v.toPrecision(12))
					: v;
	const json = (value) => JSON.stringify(value, (_, v) => plain(v));
	return {
		fields: table.schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? '' : ' not null'}`),
		rows: table.numRows,
		firstRows: table.toArray().slice(0, 3).map((row) => json(row.toJSON())),
		lastRow: table.numRows ? json(table.get(table.numRows - 1).toJSON()) : null
	};
}

const workDir = mkdtempSync(path.join(os.tmpdir(), 'compare-duckdb-clients-'));
process.chdir(workDir);
try {
	const original = await runClient('node.original.js', 'original');
	const offline = await runClient('node.js', 'offline');
	const { tableFromIPC } = offline.client;
	const load = (route) => {
		const queries = JSON.parse(readFileSync(`.evidence-queries/cache/${route}/a/_queries.json`, 'utf8'));
		return Object.fromEntries(
			Object.entries(queries).map(([name, { query_hash }]) => [
				name,
				describeTable(tableFromIPC(readFileSync(`.evidence-queries/cache/${query_hash}.arrow`)))
			])
		);
	};
	const originalTables = load('original');
	const offlineTables = load('offline');
	const differences = [];
	for (const name of Object.keys(QUERIES)) {
		const a = JSON.stringify(originalTables[name] ?? { error: original.errors[name] });
		const b = JSON.stringify(offlineTables[name] ?? { error: offline.errors[name] });
		if (a !== b) differences.push({ query: name, original: JSON.parse(a), offline: JSON.parse(b) });
	}
	console.log(
		JSON.stringify(
			{ compared: Object.keys(QUERIES).length, differences, original: originalTables, offline: offlineTables },
			null,
			1
		)
	);
	process.exitCode = differences.length ? 1 : 0;
} finally {
	process.chdir(projectDir);
	rmSync(workDir, { recursive: true, force: true });
}
// The original client's duckdb-wasm keeps no handles open, the offline one's worker is unref'd: exit now.
process.exit(process.exitCode);
