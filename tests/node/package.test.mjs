// The npm packages: tools/package packs sqlite-doctor (JavaScript) and one package per platform
// (sqlite-vec's layout); scratch projects install the tarballs offline, as npm would on a linux-x64
// and on a linux-arm64 machine, and Drizzle on better-sqlite3 queries through them. Then the
// loader's choice of package, and its errors for a missing platform package, musl, macOS, Windows.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './doctor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const require = createRequire(import.meta.url);
const loader = require(path.join(root, 'tools/npm/index.js'));

// The environment of a user's process: no local-build override, the test's node_modules for
// better-sqlite3 and drizzle-orm (installed offline would need the registry).
const appEnv = { ...process.env, NODE_PATH: path.join(here, 'node_modules') };
delete appEnv.SQLITE_DOCTOR_SO;

// A project depending on the packed sqlite-doctor, with overrides pointing its optional platform
// packages at the packed tarballs (offline, no registry): npm then picks among them by os, cpu and
// libc itself, as it does from the registry; --cpu/--os/--libc make it install for another machine.
function npmInstall(app, tgz, flags = []) {
  fs.mkdirSync(app, { recursive: true });
  const overrides = {};
  for (const [name, file] of Object.entries(tgz)) if (name !== 'sqlite-doctor') overrides[name] = `file:${file}`;
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'app', private: true, dependencies: { 'sqlite-doctor': `file:${tgz['sqlite-doctor']}` }, overrides,
  }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', ...flags],
    { cwd: app, stdio: 'pipe', env: appEnv });
  return fs.readdirSync(path.join(app, 'node_modules')).filter((n) => n.startsWith('sqlite-doctor')).sort();
}

// getLoadablePath() (for HOST, a JSON object, or this machine) in a process inside APP.
function loadablePathIn(app, host = '') {
  return execFileSync('node', ['-e', `
    try { console.log(require('sqlite-doctor').getLoadablePath(${host})); }
    catch (e) { console.log(e.message); }`], { cwd: app, encoding: 'utf8', env: appEnv }).trim();
}

function manifestOf(tarball) {
  return JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

// ELF e_machine: 62 x86-64, 183 AArch64.
function elfMachine(file) {
  return fs.readFileSync(file).readUInt16LE(18);
}

function pack(dir) {
  const lines = execFileSync(path.join(root, 'tools/package'), ['--out', path.join(dir, 'pack')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
  const byName = {};
  for (const tarball of lines) byName[manifestOf(tarball).name] = tarball;
  return byName;
}

test('tools/package packs sqlite-doctor and a package per platform; npm installs the host one', (t) => {
  const dir = scratchDir(t);
  const tgz = pack(dir);
  assert.deepEqual(Object.keys(tgz).sort(),
    ['sqlite-doctor', 'sqlite-doctor-linux-arm64', 'sqlite-doctor-linux-x64']);

  const main = manifestOf(tgz['sqlite-doctor']);
  assert.match(main.version, /^\d+\.\d+\.\d+$/);
  assert.deepEqual(main.optionalDependencies,
    { 'sqlite-doctor-linux-x64': main.version, 'sqlite-doctor-linux-arm64': main.version });
  assert.equal(main.os, undefined);
  assert.equal(main.cpu, undefined);
  const mainFiles = execFileSync('tar', ['-tzf', tgz['sqlite-doctor']], { encoding: 'utf8' });
  assert.doesNotMatch(mainFiles, /\.so\b/, 'the JavaScript package carries no binary');
  for (const [arch, machine] of [['x64', 62], ['arm64', 183]]) {
    const m = manifestOf(tgz[`sqlite-doctor-linux-${arch}`]);
    assert.equal(m.version, main.version);
    assert.deepEqual([m.os, m.cpu, m.libc], [['linux'], [arch], ['glibc']]);
    const so = execFileSync('tar', ['-xOzf', tgz[`sqlite-doctor-linux-${arch}`], 'package/lib/doctor.so'],
      { maxBuffer: 64 << 20 });
    assert.equal(so.readUInt16LE(18), machine, `${arch}: lib/doctor.so is built for ${arch}`);
  }

  // This machine (linux-x64, glibc): npm installs the x64 package and skips the arm64 one.
  const app = path.join(dir, 'app');
  assert.deepEqual(npmInstall(app, tgz), ['sqlite-doctor', 'sqlite-doctor-linux-x64']);
  assert.ok(!fs.existsSync(path.join(app, 'node_modules/sqlite-doctor/lib')));
  assert.equal(elfMachine(path.join(app, 'node_modules/sqlite-doctor-linux-x64/lib/doctor.so')), 62);

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
  const out = JSON.parse(execFileSync('node', ['main.cjs'], { cwd: app, encoding: 'utf8', env: appEnv }));
  assert.equal(out.version, main.version);
  assert.ok(out.objects > 0);
  assert.equal(out.path, path.join(fs.realpathSync(app), 'node_modules/sqlite-doctor-linux-x64/lib/doctor.so'));
  assert.match(out.bad, /needs a better-sqlite3 or libsql Database/);

  // The bin: npx sqlite-doctor, with better-sqlite3 (its peer dependency) from the app.
  const bin = path.join(app, 'node_modules/.bin/sqlite-doctor');
  assert.match(execFileSync(bin, ['--help'], { cwd: app, encoding: 'utf8', env: appEnv }),
    /^Usage: sqlite-doctor <command>/);
  execFileSync('node', ['-e', `new (require('better-sqlite3'))('app.db').exec('CREATE TABLE t(x)')`],
    { cwd: app, env: appEnv });
  const report = JSON.parse(execFileSync(bin, ['report', 'app.db', '--json'],
    { cwd: app, encoding: 'utf8', env: appEnv }));
  assert.equal(report.summary.critical, 0);
  assert.ok(report.findings.some((f) => f.object === 't'));

  // As npm installs it on a linux-arm64 machine: the arm64 package, which the loader picks for an
  // arm64 host. (This x86-64 process cannot dlopen it; tools/arm64 test runs it under qemu.)
  const arm = path.join(dir, 'arm');
  assert.deepEqual(npmInstall(arm, tgz, ['--os=linux', '--cpu=arm64', '--libc=glibc']),
    ['sqlite-doctor', 'sqlite-doctor-linux-arm64']);
  const armPath = loadablePathIn(arm, `{ platform: 'linux', arch: 'arm64', libc: 'glibc' }`);
  assert.equal(armPath, path.join(fs.realpathSync(arm), 'node_modules/sqlite-doctor-linux-arm64/lib/doctor.so'));
  assert.equal(elfMachine(armPath), 183);

  // On musl (Alpine) npm installs no platform package (libc: glibc); the loader says what to use.
  const musl = path.join(dir, 'musl');
  assert.deepEqual(npmInstall(musl, tgz, ['--libc=musl']), ['sqlite-doctor']);
  assert.match(loadablePathIn(musl, `{ platform: 'linux', arch: 'x64', libc: 'musl' }`),
    /musl \(Alpine\) is not supported yet.*node:20-bookworm-slim/);

  // npm --omit=optional: the main package alone; the loader names the package to install.
  const bare = path.join(dir, 'bare');
  assert.deepEqual(npmInstall(bare, tgz, ['--omit=optional']), ['sqlite-doctor']);
  assert.match(loadablePathIn(bare),
    /the package for linux-x64 is not installed: npm install sqlite-doctor-linux-x64/);
});

// --- the loader: which package for which machine --------------------------------------------

// A resolver that knows only the named packages, as require.resolve would in a node_modules.
function resolverFor(dir, names) {
  return (id) => {
    const name = id.replace(/\/package\.json$/, '');
    if (!names.includes(name)) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    return path.join(dir, name, 'package.json');
  };
}

function fakeInstall(t, names) {
  const dir = scratchDir(t);
  for (const name of names) {
    fs.mkdirSync(path.join(dir, name, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(dir, name, 'package.json'), '{}');
    fs.writeFileSync(path.join(dir, name, 'lib', 'doctor.so'), '');
  }
  return { dir, resolve: resolverFor(dir, names) };
}

test('getLoadablePath picks the package of the platform and arch', (t) => {
  const names = ['sqlite-doctor-linux-x64', 'sqlite-doctor-linux-arm64'];
  const { dir, resolve } = fakeInstall(t, names);
  for (const arch of ['x64', 'arm64']) {
    assert.equal(loader.getLoadablePath({ platform: 'linux', arch, libc: 'glibc' }, resolve),
      path.join(dir, `sqlite-doctor-linux-${arch}`, 'lib', 'doctor.so'));
  }
  assert.deepEqual(loader.PLATFORMS, ['linux-x64', 'linux-arm64']);
});

test('a missing platform package is named, with the command that installs it', (t) => {
  const { resolve } = fakeInstall(t, ['sqlite-doctor-linux-x64']);
  assert.throws(() => loader.getLoadablePath({ platform: 'linux', arch: 'arm64', libc: 'glibc' }, resolve),
    /the package for linux-arm64 is not installed: npm install sqlite-doctor-linux-arm64/);
  const broken = fakeInstall(t, ['sqlite-doctor-linux-x64']);
  fs.rmSync(path.join(broken.dir, 'sqlite-doctor-linux-x64', 'lib', 'doctor.so'));
  assert.throws(() => loader.getLoadablePath({ platform: 'linux', arch: 'x64', libc: 'glibc' }, broken.resolve),
    /lib\/doctor\.so is missing; reinstall sqlite-doctor-linux-x64/);
});

test('musl (Alpine), macOS, Windows and other CPUs get an error saying what to use instead', (t) => {
  // Even with a glibc package present (an npm too old to read "libc" installs it on Alpine).
  const { resolve } = fakeInstall(t, ['sqlite-doctor-linux-x64', 'sqlite-doctor-linux-arm64']);
  for (const arch of ['x64', 'arm64']) {
    assert.throws(() => loader.getLoadablePath({ platform: 'linux', arch, libc: 'musl' }, resolve),
      new RegExp(`musl \\(Alpine\\) is not supported yet \\(linux-${arch}, musl\\).*glibc 2\\.31.*node:20-bookworm-slim`));
  }
  for (const [platform, arch] of [['darwin', 'arm64'], ['darwin', 'x64'], ['win32', 'x64'], ['linux', 'ia32']]) {
    assert.throws(() => loader.getLoadablePath({ platform, arch }, resolve),
      new RegExp(`no build for ${platform}-${arch} yet \\(built: linux-x64, linux-arm64.*node:20-bookworm-slim`));
  }
});

test('this process is seen as it is, and SQLITE_DOCTOR_SO overrides the package', (t) => {
  const host = loader.currentHost();
  assert.equal(host.platform, process.platform);
  assert.equal(host.arch, process.arch);
  assert.equal(host.libc, process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl');
  const saved = process.env.SQLITE_DOCTOR_SO;
  t.after(() => { if (saved === undefined) delete process.env.SQLITE_DOCTOR_SO; else process.env.SQLITE_DOCTOR_SO = saved; });
  process.env.SQLITE_DOCTOR_SO = 'build/doctor.so';
  assert.equal(loader.getLoadablePath({ platform: 'win32', arch: 'x64' }), path.resolve('build/doctor.so'));
});
