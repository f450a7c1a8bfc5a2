'use strict';
// The command line's plumbing (cli.js has the commands): arguments, drizzle.config read as text
// (never run) for `out`, `dbCredentials.url` and `migrations.table`, the database with the
// extension loaded, and text output.
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { getLoadablePath } = require('./index.js');

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;  // findings at or above --fail-on, or a migration that failed
const EXIT_USAGE = 2;

class UsageError extends Error {}

const COMMANDS = {
  report: {
    usage: 'report [db] [--json] [--html FILE] [--migrations DIR] [--fail-on critical|warn|never]',
    help: 'Every finding of every area, most severe first, each with the SQL that fixes it.\n' +
      '--html FILE writes the same as one self-contained page (SELECT doctor_html()).\n' +
      'Exits 1 when a finding is at or above --fail-on (default critical).',
  },
  migrate: {
    usage: 'migrate [db] [folder]',
    help: 'Applies the pending migrations of a folder (drizzle-kit, Drizzle 1.0 folders, or\n' +
      'plain *.sql) atomically, each journaled; a drop-in for `drizzle-kit migrate` that keeps\n' +
      'foreign keys off around a table rebuild instead of cascading deletes. Exits 1 on failure.',
  },
  status: {
    usage: 'status [db] [folder] [--json]',
    help: 'Every migration: applied, pending, changed (file differs from what ran) or missing.',
  },
  check: {
    usage: 'check <file|folder> [db] [--json] [--fail-on critical|warn|never]',
    help: 'Dry-runs pending migrations (or one SQL file) in a transaction that is rolled back:\n' +
      'destructive changes, rebuilds, foreign-key violations, and rows that Drizzle\'s own\n' +
      'migrator would delete through ON DELETE CASCADE (its PRAGMA foreign_keys=OFF is ignored\n' +
      'inside its transaction). Exits 1 on a critical finding (configurable with --fail-on).',
  },
  advise: {
    usage: 'advise [db] [workload.sql] [--json]',
    help: 'Indexes worth building, each measured in VM steps on a sampled copy of the database:\n' +
      'for the statements of workload.sql, else for the workload the application recorded\n' +
      '(query_stats, flushed into the <db>-doctor sidecar).',
  },
  stats: {
    usage: 'stats [db] [--limit N] [--json] [--watch SECONDS]',
    help: 'Top queries by total time, as the application flushed them into the <db>-doctor\n' +
      'store (live: a background thread every stats_share_ms; query_stats_flush() now).',
  },
  wal: {
    usage: 'wal [db] [--json]',
    help: 'WAL size, frames pending checkpoint, readers pinning it, and the checkpoints seen.',
  },
  locks: {
    usage: 'locks [db] [--json]',
    help: 'Who holds the write lock now (any process, with its pid), and the lock waits and\n' +
      'SQLITE_BUSY errors per query that the application recorded in the <db>-doctor store.',
  },
};

const COMMON = 'Options: --config FILE (default ./drizzle.config.ts or .js), --help.\n' +
  'db defaults to dbCredentials.url of drizzle.config, folder to its `out`.\n' +
  'Exit codes: 0 ok, 1 findings at or above --fail-on or a failed migration, 2 usage error,\n' +
  '3 the database could not be read.';

function mainHelp() {
  const lines = Object.entries(COMMANDS).map(([, c]) => `  sqlite-doctor ${c.usage}`);
  return `Usage: sqlite-doctor <command> [options]\n\n${lines.join('\n')}\n\n${COMMON}\n` +
    'Run sqlite-doctor <command> --help for one command.';
}

// --- arguments -----------------------------------------------------------------------------

const VALUE_OPTIONS = new Set(['--html', '--migrations', '--fail-on', '--config', '--limit',
  '--watch']);
const FLAG_OPTIONS = new Set(['--json', '--help', '-h']);

function parseArgs(argv) {
  const positional = [];
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg];
    if (VALUE_OPTIONS.has(name)) {
      const value = inline !== undefined ? inline : argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      options[name.slice(2)] = value;
    } else if (FLAG_OPTIONS.has(name)) {
      options[name === '-h' ? 'help' : name.slice(2)] = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  return { positional, options };
}

// --- drizzle.config ------------------------------------------------------------------------

// The string value of `key` inside the object literal that follows `block:` (or at top level).
function literal(text, key, block) {
  const value = `\\b${key}\\s*:\\s*(['"\`])([^'"\`]*)\\1`;
  const re = block ? new RegExp(`\\b${block}\\s*:\\s*\\{[^}]*?${value}`, 's') : new RegExp(value);
  const m = text.match(re);
  return m ? m[2] : undefined;
}

// A project file read as text: a regular file of at most `max` bytes; else `why` says what it
// is. Opened once, without blocking (opening a FIFO to read waits for a writer: a FIFO named
// drizzle.config.ts hung the command), checked and read through that one descriptor (a file
// swapped between a stat and a read is not read), and never more than max + 1 bytes (a
// drizzle.config.ts linked to /dev/zero ran the process out of memory: std::bad_alloc).
// `missing` when there is none.
function readProjectFile(file, max) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return { missing: true };
    return { why: `${file} cannot be read: ${e.message}` };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO'
        : stat.isSocket() ? 'a socket' : 'a device';
      return { why: `${file} is ${kind}, not a regular file` };
    }
    const buffer = Buffer.alloc(max + 1);
    let size = 0;
    for (let n; size < buffer.length && (n = fs.readSync(fd, buffer, size, buffer.length - size, null)) > 0;) {
      size += n;
    }
    if (size > max) return { why: `${file} is over ${max} bytes` };
    return { text: buffer.toString('utf8', 0, size) };
  } finally {
    fs.closeSync(fd);
  }
}

const MAX_PROJECT_FILE = 1 << 20;  // .env and drizzle.config: 1 MiB

// One environment variable as the config sees it: the environment's, else ./.env's as dotenv
// loads it (the current folder, where drizzle-kit runs too): { value }, or { why } ./.env was not
// read.
function envVariable(name) {
  if (process.env[name] !== undefined) return { value: process.env[name] };
  return dotenvValue(name);
}

function unsetError(name, why) {
  return new UsageError(`dbCredentials.url is process.env.${name}, which is set neither in the ` +
    `environment nor in ./.env${why ? ` (not read: ${why})` : ''}: give the database's path`);
}

// `url: process.env.DB_FILE_NAME!` with `import 'dotenv/config'`: Drizzle's own template for
// SQLite, also with a default (`process.env.DB ?? 'local.db'`, `|| 'file:local.db'`: before, the
// default was ignored and an unset variable a usage error). Unset with no default is a usage error
// naming it, and why ./.env was not read when it was not.
function envUrl(text) {
  const m = text.match(/\bdbCredentials\s*:\s*\{[^}]*?\burl\s*:\s*process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"`])([^'"`]+)\2\s*\])!?\s*(?:(\?\?|\|\|)\s*(['"`])([^'"`]*)\5)?/s);
  if (!m) return undefined;
  const name = m[1] ?? m[3];
  const { value, why } = envVariable(name);
  let url = value;
  if ((m[4] === '??' && url === undefined) || (m[4] === '||' && !url)) url = m[6];
  if (url === undefined || url === '') throw unsetError(name, why);
  return url;
}

// A template literal's `${process.env.NAME}` parts, each read as envUrl reads one
// (`file:${process.env.DATA_DIR}/app.db`: before, that text itself was taken for the path); any
// other `${...}` is a usage error: drizzle.config is read as text, never run.
function resolveTemplate(url) {
  return url.replace(/\$\{([^}]*)\}/g, (whole, inner) => {
    const m = inner.trim().match(/^process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"]+)\2\s*\])$/);
    if (!m) {
      throw new UsageError(`dbCredentials.url is a template with ${whole}, which sqlite-doctor ` +
        'does not run (it reads drizzle.config as text): give the database\'s path');
    }
    const name = m[1] ?? m[3];
    const { value, why } = envVariable(name);
    if (value === undefined) throw unsetError(name, why);
    return value;
  });
}

// ./.env's variables as dotenv (16 and 17, what `import 'dotenv/config'` loads) parses them,
// written from its rules: `KEY=value` or `KEY: value` (a space after the colon), `export ` allowed,
// blank lines and anything else skipped; a value in '...', "..." or `...` runs to its closing
// quote, across lines too, and may be followed by a # comment only; inside "..." \n and \r
// become a newline and a carriage return; any other value runs to the end of its line or the
// first # (a comment, space before it or not) and is trimmed. The last of a name wins. Before,
// the file was read line by line with `=` only: `DB_FILE_NAME: app.db` was "set neither in the
// environment nor in ./.env", and a line inside a multi-line quoted value (a certificate) was
// read as a variable of its own.
function parseDotenv(text) {
  const src = text.replace(/\r\n?/g, '\n');
  const lineEnd = (from) => {
    const end = src.indexOf('\n', from);
    return end < 0 ? src.length : end;
  };
  // Nothing but whitespace and a # comment from `from` to the end of its line.
  const onlyComment = (from) => {
    let i = from;
    while (i < src.length && src[i] !== '\n' && /\s/.test(src[i])) ++i;
    return i === src.length || src[i] === '\n' || src[i] === '#';
  };
  // The quoted value whose opening `quote` is at `open`: { value, end (its last line's end) }, or
  // undefined when no closing quote is followed by nothing but a comment. A \-escaped quote does
  // not close it (and keeps its \), unless no unescaped one does: then, as dotenv's pattern
  // backtracks, the last escaped one that can close it does (`"C:\data\"` is C:\data\).
  // Quotes whose every close failed fail any value opened between them again: unclosed quotes
  // on 100,000 lines would each scan the rest of the file.
  const failed = {};
  const quoted = (open, quote) => {
    const from = open + 1;
    const known = failed[quote];
    if (known && from >= known.from && from <= known.close) return undefined;
    const escaped = [];
    let close = from;
    while (close < src.length && src[close] !== quote) {
      if (src[close] === '\\' && src[close + 1] === quote) escaped.push(++close);
      ++close;
    }
    const candidates = close < src.length ? [close, ...escaped.reverse()] : escaped.reverse();
    for (const c of candidates) {
      if (onlyComment(c + 1)) return { value: src.slice(from, c), end: lineEnd(c) };
    }
    failed[quote] = { from, close };
    return undefined;
  };
  const vars = new Map();
  for (let at = 0; at < src.length;) {
    let end = lineEnd(at);
    // [^\S\n]: whitespace on this line (a byte-order mark too, as dotenv's \s).
    const head = /^[^\S\n]*(?:export[^\S\n]+)?([\w.-]+)(?:[^\S\n]*=|:[^\S\n])[^\S\n]*/.exec(src.slice(at, end));
    if (!head) {
      at = end + 1;
      continue;
    }
    const start = at + head[0].length;
    const quote = src[start];
    const inQuotes = '"\'`'.includes(quote) ? quoted(start, quote) : undefined;
    let value;
    if (inQuotes) {
      ({ value, end } = inQuotes);
    } else {
      value = src.slice(start, end).replace(/#.*/, '').trim();
      // Quotes around what is left are still taken off (`"a" b"` is a" b, as dotenv reads it).
      if (value.length > 1 && '"\'`'.includes(value[0]) && value.endsWith(value[0])) value = value.slice(1, -1);
    }
    if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    vars.set(head[1], value);
    at = end + 1;
  }
  return vars;
}

// { value } of `name` in ./.env (parseDotenv), value undefined when it is not there; { why } when
// ./.env is not a regular file of at most 1 MiB (readProjectFile), which is not read.
function dotenvValue(name) {
  const file = readProjectFile('.env', MAX_PROJECT_FILE);
  if (file.text === undefined) return { why: file.why };
  return { value: parseDotenv(file.text).get(name) };
}

function isDirectory(file) {
  try { return fs.statSync(file).isDirectory(); } catch { return false; }
}

function readDrizzleConfig(explicit) {
  const candidates = explicit ? [explicit] : ['drizzle.config.ts', 'drizzle.config.js',
    'drizzle.config.mjs', 'drizzle.config.cjs'];
  for (const file of candidates) {
    const full = path.resolve(file);
    const read = readProjectFile(full, MAX_PROJECT_FILE);
    if (read.missing) {
      if (explicit) throw new UsageError(`--config ${file}: no such file`);
      continue;
    }
    if (read.why) throw new UsageError(`${explicit ? '--config ' : ''}${read.why}`);
    // Comments out (a // after ':' is part of a URL and stays).
    const text = read.text.replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    let url = literal(text, 'url', 'dbCredentials');
    url = url === undefined ? envUrl(text) : resolveTemplate(url);
    if (url && url.startsWith('file:')) url = url.slice(5).replace(/^\/\/(?=\/)/, '');
    // drizzle-kit's default `out` is ./drizzle.
    const out = literal(text, 'out') ?? (isDirectory('drizzle') ? 'drizzle' : undefined);
    return { file: full, out, url, table: literal(text, 'table', 'migrations') };
  }
  return {};
}

// --- the database --------------------------------------------------------------------------

function requireBetterSqlite3() {
  const tries = [() => require('better-sqlite3'),
    () => createRequire(path.join(process.cwd(), 'package.json'))('better-sqlite3')];
  for (const attempt of tries) {
    try { return attempt(); } catch (e) { if (e.code !== 'MODULE_NOT_FOUND') throw e; }
  }
  throw new UsageError('better-sqlite3 is not installed: npm install better-sqlite3 ' +
    '(sqlite-doctor uses it as a peer dependency)');
}

function openDatabase(file, { mustExist = true } = {}) {
  if (!file) throw new UsageError('no database: give its path, or dbCredentials.url in drizzle.config');
  if (mustExist && !fs.existsSync(file)) throw new UsageError(`${file}: no such database file`);
  const Database = requireBetterSqlite3();
  const db = new Database(file);
  db.loadExtension(getLoadablePath());   // SQLITE_DOCTOR_SO overrides it
  // The command's own statements (its migrate_dir, its reads of the report) are not the
  // application's: they stay out of the shared statistics the command reads.
  db.prepare("SELECT doctor_set('timing', 'off')").get();
  return db;
}

// --- output --------------------------------------------------------------------------------

// Three places, more for a value that would show as 0.000 (a BEGIN that took 0.0004 ms in all).
function cell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && !Number.isInteger(v)) {
    return Math.abs(v) >= 0.0005 ? v.toFixed(3) : String(Number(v.toPrecision(2)));
  }
  return String(v).replace(/\s+/g, ' ');
}

function printTable(rows, columns, out = process.stdout) {
  if (rows.length === 0) { out.write('(none)\n'); return; }
  const max = 60;
  const text = rows.map((r) => columns.map((c) => {
    const s = cell(r[c]);
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
  }));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((t) => t[i].length)));
  const line = (vals) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  out.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const t of text) out.write(`${line(t)}\n`);
}

const RANK = { critical: 0, warn: 1, info: 2 };

function failLevel(options) {
  const level = options['fail-on'] || 'critical';
  if (!['critical', 'warn', 'never'].includes(level)) {
    throw new UsageError(`--fail-on must be critical, warn or never, got '${level}'`);
  }
  return level;
}

function fails(findings, level) {
  return level !== 'never' && findings.some((f) => RANK[f.severity] <= RANK[level]);
}

function printFindings(findings) {
  for (const f of findings) {
    process.stdout.write(`${f.severity.padEnd(8)} ${f.area.padEnd(10)} ${f.object}\n`);
    process.stdout.write(`         ${f.finding}\n`);
    if (f.advice) process.stdout.write(`         advice: ${f.advice}\n`);
    if (f.fix_sql) process.stdout.write(`         fix: ${f.fix_sql}\n`);
  }
  const count = (s) => findings.filter((f) => f.severity === s).length;
  process.stdout.write(`${count('critical')} critical, ${count('warn')} warn, ${count('info')} info\n`);
}

module.exports = {
  COMMANDS, COMMON, EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, UsageError, mainHelp, parseArgs,
  readDrizzleConfig, isDirectory, openDatabase, printTable, printFindings, failLevel, fails,
};
