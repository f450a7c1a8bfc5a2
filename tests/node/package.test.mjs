// The npm package: tools/package packs it, a scratch project installs the tarball, and Drizzle on
// better-sqlite3 queries through it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './doctor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

test('the packed tarball installs and loads through drizzle-orm + better-sqlite3', (t) => {
  const dir = scratchDir(t);
  const tarball = execFileSync(path.join(root, 'tools/package'), ['--out', path.join(dir, 'pack')],
    { encoding: 'utf8' }).trim().split('\n').pop();
  assert.match(tarball, /sqlite-doctor-\d+\.\d+\.\d+\.tgz$/);

  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball],
    { cwd: app, stdio: 'pipe' });
  assert.ok(fs.existsSync(path.join(app, 'node_modules/sqlite-doctor/lib/doctor.so')));

  fs.writeFileSync(path.join(app, 'main.cjs'), `
    const Database = require('better-sqlite3');
    const { drizzle } = require('drizzle-orm/better-sqlite3');
    const { sql } = require('drizzle-orm');
    const doctor = require('sqlite-doctor');
    const sqlite = new Database(':memory:');
    doctor.load(sqlite);
    const db = drizzle(sqlite);
    const row = db.get(sql\`SELECT doctor_version() AS version, count(*) AS objects FROM doctor_help\`);
    let bad = '';
    try { doctor.load({}); } catch (e) { bad = e.message; }
    console.log(JSON.stringify({ ...row, path: doctor.getLoadablePath(), bad }));
  `);
  const out = JSON.parse(execFileSync('node', ['main.cjs'], {
    cwd: app, encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(here, 'node_modules') },
  }));
  assert.match(out.version, /^\d+\.\d+\.\d+$/);
  assert.ok(out.objects > 0);
  assert.ok(out.path.endsWith('node_modules/sqlite-doctor/lib/doctor.so'));
  assert.match(out.bad, /needs a better-sqlite3 or libsql Database/);

  // The bin: npx sqlite-doctor, with better-sqlite3 (its peer dependency) from the app.
  const bin = path.join(app, 'node_modules/.bin/sqlite-doctor');
  const env = { ...process.env, NODE_PATH: path.join(here, 'node_modules') };
  assert.match(execFileSync(bin, ['--help'], { cwd: app, encoding: 'utf8', env }),
    /^Usage: sqlite-doctor <command>/);
  execFileSync('node', ['-e', `new (require('better-sqlite3'))('app.db').exec('CREATE TABLE t(x)')`],
    { cwd: app, env });
  const report = JSON.parse(execFileSync(bin, ['report', 'app.db', '--json'],
    { cwd: app, encoding: 'utf8', env }));
  assert.equal(report.summary.critical, 0);
  assert.ok(report.findings.some((f) => f.object === 't'));
});
