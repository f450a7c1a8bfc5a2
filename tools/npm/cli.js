#!/usr/bin/env node
'use strict';
// npx sqlite-doctor <command> [db] ...: the extension's tables from a terminal or a CI job, with
// exit codes a pipeline can use. Every figure comes from SQL a user can run too (doctor_report,
// doctor_html, migrate_dir, migration_status, migrate_check, query_stats, wal_health,
// lock_stats); `sqlite-doctor --help` lists the commands.
const fs = require('node:fs');
const path = require('node:path');
const {
  COMMANDS, COMMON, EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, UsageError, mainHelp, parseArgs,
  readDrizzleConfig, isDirectory, openDatabase, printTable, printFindings, failLevel, fails,
} = require('./cli_support.js');

const EXIT_ERROR = 3;  // the database could not be read, or another unexpected failure
const FINDING_COLUMNS = 'area, severity, object, finding, advice, fix_sql';

// The database and migration folder a command works on: from its arguments, else drizzle.config.
function target({ positional, options }, { withFolder = false, max = withFolder ? 2 : 1 } = {}) {
  const config = readDrizzleConfig(options.config);
  if (positional.length > max) throw new UsageError(`unexpected argument '${positional[max]}'`);
  let db;
  let folder;
  for (const arg of positional) {
    if (withFolder && (isDirectory(arg) || db !== undefined)) folder = arg;
    else db = arg;
  }
  return { config, db: db || config.url, folder: folder || config.out };
}

function useDrizzleTable(db, config) {
  if (config.table) db.prepare("SELECT doctor_set('drizzle_table', ?)").get(config.table);
}

function print(rows, columns, options) {
  if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else printTable(rows, columns);
}

function report(args) {
  const { config, db: file, folder } = target(args);
  const level = failLevel(args.options);
  const db = openDatabase(file);
  useDrizzleTable(db, config);
  const migrations = args.options.migrations || (folder && fs.existsSync(folder) ? folder : null);
  const findings = migrations
    ? db.prepare(`SELECT ${FINDING_COLUMNS} FROM doctor_report('main', 'quick', ?)`).all(migrations)
    : db.prepare(`SELECT ${FINDING_COLUMNS} FROM doctor_report`).all();
  if (args.options.html) {
    const page = migrations
      ? db.prepare("SELECT doctor_html('main', ?)").pluck().get(migrations)
      : db.prepare('SELECT doctor_html()').pluck().get();
    // The page holds query texts: no more readable than the database itself.
    fs.writeFileSync(args.options.html, page, { mode: fs.statSync(file).mode & 0o666 });
    process.stderr.write(`wrote ${args.options.html}\n`);
  }
  if (args.options.json) {
    const summary = { critical: 0, warn: 0, info: 0 };
    for (const f of findings) summary[f.severity] += 1;
    process.stdout.write(`${JSON.stringify({ database: path.resolve(file), summary, findings }, null, 2)}\n`);
  } else {
    printFindings(findings);
  }
  return fails(findings, level) ? EXIT_FINDINGS : EXIT_OK;
}

function migrate(args) {
  const { config, db: file, folder } = target(args, { withFolder: true });
  if (!folder) throw new UsageError('no migration folder: give it, or `out` in drizzle.config');
  if (!fs.existsSync(folder)) throw new UsageError(`${folder}: no such folder`);
  const db = openDatabase(file, { mustExist: false });
  useDrizzleTable(db, config);
  const pending = db.prepare("SELECT name FROM migration_status(?) WHERE status = 'pending'")
    .pluck().all(folder);
  if (pending.length > 0) {
    const names = pending.length > 5 ? `${pending[0]} .. ${pending[pending.length - 1]}` : pending.join(', ');
    process.stderr.write(`applying ${pending.length} pending migration(s) from ${folder}: ${names}\n`);
  }
  try {
    const applied = db.prepare('SELECT migrate_dir(?)').pluck().get(folder);
    process.stdout.write(`applied ${applied} migration(s); ${file} is up to date with ${folder}\n`);
    return EXIT_OK;
  } catch (e) {
    // What is applied is counted again: a run that switches foreign keys commits in parts.
    const still = db.prepare("SELECT count(*) FROM migration_status(?) WHERE status = 'pending'")
      .pluck().get(folder);
    process.stderr.write(`sqlite-doctor: migration failed: ${e.message}\n` +
      `${pending.length - still} of the ${pending.length} pending migration(s) applied, ${still} ` +
      'still pending (sqlite-doctor status)\n');
    return EXIT_FINDINGS;
  }
}

function status(args) {
  const { config, db: file, folder } = target(args, { withFolder: true });
  const db = openDatabase(file);
  useDrizzleTable(db, config);
  const rows = folder && fs.existsSync(folder)
    ? db.prepare('SELECT name, status, applied_at, duration_ms, note FROM migration_status(?)').all(folder)
    : db.prepare('SELECT name, status, applied_at, duration_ms, note FROM migration_status').all();
  print(rows, ['name', 'status', 'applied_at', 'duration_ms', 'note'], args.options);
  return EXIT_OK;
}

// Runs `sql` as Drizzle's migrator does (in one transaction, foreign keys on as better-sqlite3
// opens connections, so the migration's own PRAGMA foreign_keys=OFF is ignored), then rolls back:
// the rows lost from tables the migration does not name went through ON DELETE CASCADE.
function cascadeLosses(db, sql) {
  const tables = () => db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND " +
    "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all();
  const count = (t) => db.prepare(`SELECT count(*) FROM "${t.replace(/"/g, '""')}"`).pluck().get();
  const words = new Set((sql.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) || []));
  const before = tables().filter((t) => !words.has(t.toLowerCase())).map((t) => [t, count(t)]);
  const foreignKeys = db.pragma('foreign_keys', { simple: true });
  db.pragma('foreign_keys = ON');
  db.exec('BEGIN');
  const losses = [];
  try {
    db.exec(sql);
    const now = new Set(tables());
    for (const [t, n] of before) {
      const m = now.has(t) ? count(t) : n;
      if (m < n) losses.push(`${t} ${n} -> ${m}`);
    }
  } catch (e) {
    // Failing statements are migrate_check's to report.
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return losses;
}

function cascadeFinding(name, losses) {
  return {
    area: 'migrations', severity: 'critical', object: name,
    finding: `run by Drizzle's migrator (drizzle-kit migrate, migrate() of drizzle-orm), ${name} ` +
      `deletes rows through ON DELETE CASCADE: ${losses.join(', ')} (its PRAGMA ` +
      'foreign_keys=OFF has no effect inside the migrator\'s transaction)',
    advice: 'apply it with sqlite-doctor migrate (foreign keys off around the transaction, ' +
      'checked before COMMIT), or change the migration',
    fix_sql: null,
  };
}

function pendingFiles(db, folder) {
  const names = db.prepare("SELECT name FROM migration_status(?) WHERE status = 'pending'")
    .pluck().all(folder);
  return names.map((name) => {
    const file = [path.join(folder, `${name}.sql`), path.join(folder, name, 'migration.sql')]
      .find((f) => fs.existsSync(f));
    return { name, text: file ? fs.readFileSync(file, 'utf8') : null };
  }).filter((m) => m.text !== null);
}

function check(args) {
  const [subject, ...rest] = args.positional;
  if (!subject) throw new UsageError('check needs a migration file or folder');
  if (!fs.existsSync(subject)) throw new UsageError(`${subject}: no such file or folder`);
  const { config, db: file } = target({ positional: rest, options: args.options });
  const level = failLevel(args.options);
  const db = openDatabase(file);
  useDrizzleTable(db, config);
  const findings = [];
  if (fs.statSync(subject).isDirectory()) {
    findings.push(...db.prepare(`SELECT ${FINDING_COLUMNS} FROM doctor_report('main', 'quick', ?) ` +
      "WHERE area = 'migrations'").all(subject));
    const pending = pendingFiles(db, subject);
    if (pending.length > 1) process.stderr.write(`dry-running ${pending.length} pending migrations...\n`);
    for (const m of pending) {
      const losses = cascadeLosses(db, m.text);
      if (losses.length > 0) findings.push(cascadeFinding(m.name, losses));
    }
  } else {
    const text = fs.readFileSync(subject, 'utf8');
    const severity = { error: 'critical', warning: 'warn', info: 'info' };
    for (const r of db.prepare('SELECT severity, kind, object, detail FROM migrate_check(?)').all(text)) {
      findings.push({ area: 'migrations', severity: severity[r.severity] || 'info',
        object: r.object || path.basename(subject), finding: `${r.kind}: ${r.detail}`,
        advice: '', fix_sql: null });
    }
    const losses = cascadeLosses(db, text);
    if (losses.length > 0) findings.push(cascadeFinding(path.basename(subject), losses));
  }
  findings.sort((a, b) => ['critical', 'warn', 'info'].indexOf(a.severity) -
    ['critical', 'warn', 'info'].indexOf(b.severity));
  if (args.options.json) process.stdout.write(`${JSON.stringify({ findings }, null, 2)}\n`);
  else printFindings(findings);
  return fails(findings, level) ? EXIT_FINDINGS : EXIT_OK;
}

function advise(args) {
  const { positional, options } = args;
  const workloadFile = positional.find((p) => /\.sql$/i.test(p));
  const { db: file } = target({ positional: positional.filter((p) => p !== workloadFile), options });
  const db = openDatabase(file);
  const columns = 'index_sql, table_name, columns, round(benefit * 100, 1) AS benefit_pct, ' +
    'statements, est_bytes';
  let rows;
  if (workloadFile) {
    if (!fs.existsSync(workloadFile)) throw new UsageError(`${workloadFile}: no such file`);
    process.stderr.write(`measuring candidate indexes for ${workloadFile}...\n`);
    rows = db.prepare(`SELECT ${columns} FROM index_advise(?)`).all(fs.readFileSync(workloadFile, 'utf8'));
  } else {
      process.stderr.write('measuring candidate indexes for the recorded workload...\n');
    rows = db.prepare(`SELECT ${columns} FROM index_advise()`).all();
  }
  print(rows, ['index_sql', 'table_name', 'benefit_pct', 'statements', 'est_bytes'], options);
  return EXIT_OK;
}

function stats(args) {
  const { db: file } = target(args);
  const limit = Number(args.options.limit || 20);
  const watch = args.options.watch === undefined ? 0 : Number(args.options.watch);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
  if (!(watch >= 0)) throw new UsageError('--watch must be a number of seconds');
  const db = openDatabase(file);
  const read = () => db.prepare(
    'SELECT query, calls, total_ms, mean_ms, p95_ms, rows, histogram FROM query_stats ' +
    "WHERE db = (SELECT file FROM pragma_database_list WHERE name = 'main') " +
    'ORDER BY total_ms DESC LIMIT ?').all(limit);
  const show = () => print(read(), ['query', 'calls', 'total_ms', 'mean_ms', 'p95_ms', 'rows',
    'histogram'], args.options);
  show();
  if (watch > 0) {
    setInterval(() => { process.stdout.write('\x1b[2J\x1b[H'); show(); }, watch * 1000);
  }
  return EXIT_OK;
}

function wal(args) {
  const db = openDatabase(target(args).db);
  print(db.prepare('SELECT schema, journal_mode, wal_bytes, wal_frames, pending_frames, readers, ' +
    'status, advice FROM wal_health').all(),
  ['schema', 'journal_mode', 'wal_bytes', 'wal_frames', 'pending_frames', 'readers', 'status',
    'advice'], args.options);
  return EXIT_OK;
}

// lock_stats counts the waits of this process's connections, and this command's process is
// never the application's: it shows who holds the write lock now (lock_stats probes the file,
// so that is any process) and the waits and SQLITE_BUSY errors that the application's processes
// recorded per query in the <db>-doctor store (query_stats.lock_wait_ms and errors).
// lock_wait_ms grows only in doctor's busy handler: a query that failed with SQLITE_BUSY and has
// none did not wait or waited in a handler that replaced doctor's (the sqlite3 shell's .timeout,
// sqlite3_busy_timeout or sqlite3_busy_handler after the load), so its wait is null (JSON) or
// "not known", never 0, as doctor_report and doctor_html say.
function locks(args) {
  const db = openDatabase(target(args).db);
  const writer = db.prepare("SELECT file, writer, writer_pid FROM lock_stats WHERE schema = 'main'").all();
  const waits = db.prepare(
    'SELECT query, calls, CASE WHEN lock_wait_ms = 0 AND busy_errors > 0 THEN NULL ' +
    'ELSE round(lock_wait_ms, 1) END AS lock_wait_ms, busy_errors, total_ms FROM (' +
    'SELECT query, calls, lock_wait_ms, ' +
    "(SELECT coalesce(sum(value), 0) FROM json_each(errors) WHERE key LIKE 'BUSY%') AS busy_errors, " +
    'round(total_ms, 1) AS total_ms FROM query_stats ' +
    "WHERE db = (SELECT file FROM pragma_database_list WHERE name = 'main')) " +
    'WHERE lock_wait_ms > 0 OR busy_errors > 0 ORDER BY lock_wait_ms DESC, busy_errors DESC').all();
  if (args.options.json) {
    process.stdout.write(`${JSON.stringify({ writer, waits }, null, 2)}\n`);
  } else {
    printTable(writer, ['file', 'writer', 'writer_pid']);
    process.stdout.write('\nlock waits and SQLITE_BUSY errors recorded by the application (query_stats):\n');
    printTable(waits.map((w) => ({ ...w, lock_wait_ms: w.lock_wait_ms ?? 'not known' })),
      ['query', 'calls', 'lock_wait_ms', 'busy_errors', 'total_ms']);
    if (waits.some((w) => w.lock_wait_ms === null)) {
      process.stdout.write('lock_wait_ms not known: the query failed with SQLITE_BUSY and doctor ' +
        'counted no wait (no busy timeout, or a busy handler that replaced doctor\'s: the sqlite3 ' +
        'shell\'s .timeout, sqlite3_busy_timeout or sqlite3_busy_handler after the load)\n');
    }
  }
  return EXIT_OK;
}

const RUN = { report, migrate, status, check, advise, stats, wal, locks };

function main(argv) {
  const [command, ...rest] = argv;
  try {
    if (!command || ['--help', '-h', 'help'].includes(command)) {
      (command ? process.stdout : process.stderr).write(`${mainHelp()}\n`);
      return command ? EXIT_OK : EXIT_USAGE;
    }
    if (!RUN[command]) throw new UsageError(`unknown command '${command}'`);
    const args = parseArgs(rest);
    if (args.options.help) {
      const spec = COMMANDS[command];
      process.stdout.write(`Usage: sqlite-doctor ${spec.usage}\n\n${spec.help}\n\n${COMMON}\n`);
      return EXIT_OK;
    }
    return RUN[command](args);
  } catch (e) {
    // The package's own errors already start with its name.
    process.stderr.write(`sqlite-doctor: ${String(e.message).replace(/^sqlite-doctor: /, '')}\n`);
    if (e instanceof UsageError) {
      process.stderr.write('Run sqlite-doctor --help for the commands and their options.\n');
      return EXIT_USAGE;
    }
    return EXIT_ERROR;
  }
}

module.exports = { main, cascadeLosses };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
