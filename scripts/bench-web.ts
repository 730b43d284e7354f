// `npm run -s bench:web [-- --duration 10 --connections 20 --invitations 500 --postgres --profile]`:
// starts the real website (`node dist/main.js --only web`) on a fresh database with the 128 unit accounts and
// 500 invitations spread over three months (each to a realistic subset of units, with reads and answers),
// logs in as one unit invited to many of them and drives its invitation list (`/invitations`) with
// concurrent requests for a fixed time, next to the trivial route `/healthz` of the same server in the same
// run. Prints requests/s, p50 and p99 of both, the ratio and whether the targets are met: the list page at
// least 30% of the trivial route's throughput, p99 under 100 ms.
// --keep leaves the data folder (and PostgreSQL schema) for a look afterwards.
// --profile runs a server under the V8 CPU profiler during the list page load only (after its warm-up) and prints
// where its main thread's time went (by package and by function; idle = waiting, e.g. for the database).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { loadConfig } from '../config';
import { openPreparedDatabase } from '../db/prepare';
import { listUnits, Unit } from '../db/units/repository';
import { setPasswordByOperator } from '../db/accounts/password-changes';
import { answerInvitation, createInvitation, recordInvitationRead, InvitationServiceConfig } from '../moihop-web/invitations';
import type { AnswerInput } from '../moihop-web/invitations';
import type { Urgency } from '../db/register/repository';
import { makeInvitationFiles, InvitationFiles } from '../test/support/invitation-fixtures';
import { startProduct, RunningProduct } from '../test/support/product';
import { dropSchema, tempDir } from '../test/support/databases';
import { POSTGRES_URL } from '../test/support/paths';
import { WebClient } from '../test/support/web-client';
import { setLogLevel } from '../log';
import { seededRandom, pick } from './bench-data';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const BENCH_UNIT = 'taichinh'; // Sở Tài chính: invited to most meetings of the province
const BENCH_PASSWORD = 'Bench-Web-2026-Hop!';
const TARGET_RATIO = 0.3;
const TARGET_P99_MS = 100;

interface Options {
  duration: number;
  warmup: number;
  connections: number;
  invitations: number;
  postgres: boolean;
  profile: boolean;
  /** Leave the data folder (and schema) in place for a look afterwards. */
  keep: boolean;
}

function usage(message: string): never {
  process.stderr.write(`bench:web: ${message}\nusage: bench:web [--duration S] [--warmup S] [--connections N] [--invitations N] [--postgres] [--profile] [--keep]\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const options: Options = { duration: 10, warmup: 3, connections: 20, invitations: 500, postgres: false, profile: false, keep: false };
  const numeric: Record<string, keyof Options> = { '--duration': 'duration', '--warmup': 'warmup', '--connections': 'connections', '--invitations': 'invitations' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--postgres') options.postgres = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--keep') options.keep = true;
    else if (numeric[arg]) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < (arg === '--warmup' ? 0 : 1)) usage(`${arg} needs a whole number`);
      (options as unknown as Record<string, number>)[numeric[arg]] = value;
    } else usage(`unknown argument ${arg}`);
  }
  return options;
}

const TOPICS = [
  'Họp bàn công tác phòng, chống lụt bão', 'Họp giao ban kinh tế - xã hội tháng', 'Hội nghị triển khai kế hoạch đầu tư công',
  'Họp thẩm định dự án hồ chứa nước', 'Hội nghị sơ kết công tác cải cách hành chính', 'Họp bàn giải pháp giải ngân vốn đầu tư công',
  'Họp Ban Chỉ đạo chuyển đổi số tỉnh', 'Hội nghị tổng kết công tác phòng cháy, chữa cháy', 'Họp xử lý kiến nghị của cử tri',
  'Họp bàn công tác bảo đảm trật tự an toàn giao thông', 'Hội nghị triển khai chương trình mục tiêu quốc gia nông thôn mới',
  'Họp nghe báo cáo tiến độ dự án đường ven biển', 'Họp bàn phương án tổ chức Lễ hội Dinh Thầy Thím',
  'Họp Hội đồng thi đua - khen thưởng tỉnh', 'Họp bàn công tác phòng, chống dịch bệnh trên cây thanh long',
];
const PLACES = ['Phòng họp số 1, UBND tỉnh', 'Phòng họp số 2, UBND tỉnh', 'Hội trường Tỉnh ủy', 'Phòng họp trực tuyến (điểm cầu các huyện)', 'Trung tâm Hội nghị tỉnh'];
const HOSTS = ['Chủ tịch UBND tỉnh', 'Phó Chủ tịch Thường trực UBND tỉnh', 'Phó Chủ tịch UBND tỉnh', 'Chánh Văn phòng UBND tỉnh'];
const START_TIMES: Array<[number, number]> = [[7, 30], [8, 0], [9, 0], [13, 30], [14, 0], [15, 0]];

function sample<T>(random: () => number, list: readonly T[], count: number): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

/** A meeting start at an office time (Vietnam, +07:00) `dayOffset` days from today. */
function meetingStart(today: Date, dayOffset: number, [hour, minute]: [number, number]): Date {
  const vietnamMidnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - 7 * HOUR;
  return new Date(vietnamMidnight + dayOffset * DAY + (hour * 60 + minute) * 60_000);
}

/** Who is invited: a whole group (the departments, the districts…), a few units, a larger mix, or everyone. */
function invitedUnits(random: () => number, units: Unit[], groups: Map<string, Unit[]>, benchUnit: Unit): Unit[] {
  const roll = random();
  let chosen: Unit[];
  if (roll < 0.07) chosen = units;
  else if (roll < 0.35) {
    const group = pick(random, [...groups.values()]);
    chosen = [...group, ...sample(random, units, 2 + Math.floor(random() * 4))];
  } else if (roll < 0.8) chosen = sample(random, units, 3 + Math.floor(random() * 15));
  else chosen = sample(random, units, 20 + Math.floor(random() * 40));
  if (random() < 0.55) chosen.push(benchUnit);
  return [...new Map(chosen.map((u) => [u.id, u])).values()];
}

function answerFor(random: () => number): AnswerInput {
  const roll = random();
  if (roll < 0.6) return { answer: 'tham dự', attendeeName: 'Nguyễn Văn An', attendeePosition: 'Giám đốc' };
  if (roll < 0.85) return { answer: 'cử người dự thay', attendeeName: 'Trần Thị Bích', attendeePosition: 'Phó Giám đốc', attendeePhone: '0252 3822 123' };
  return { answer: 'không tham dự', reason: 'Trùng lịch công tác đã bố trí trước' };
}

interface DataSet {
  benchInvited: number;
  invitedRows: number;
  reads: number;
  answers: number;
}

/** 500 invitations from 40 days ago to 50 days ahead, through the invitation services, with reads and answers. */
async function createData(db: Knex, serviceConfig: InvitationServiceConfig, files: InvitationFiles, count: number): Promise<DataSet> {
  const random = seededRandom(20261123);
  const all = await listUnits(db);
  const units = all.filter((u) => u.moihopUsername);
  const benchUnit = units.find((u) => u.moihopUsername === BENCH_UNIT);
  if (!benchUnit) throw new Error(`no unit with username ${BENCH_UNIT}`);
  const groups = new Map<string, Unit[]>();
  for (const unit of units) groups.set(unit.group, [...(groups.get(unit.group) ?? []), unit]);
  const pdf = { filename: 'giay-moi.pdf', content: fs.readFileSync(files.signedPdf) };
  const now = new Date();
  const stats: DataSet = { benchInvited: 0, invitedRows: 0, reads: 0, answers: 0 };
  for (let i = 0; i < count; i++) {
    const startsAt = meetingStart(now, -40 + Math.floor(random() * 91), pick(random, START_TIMES));
    if (startsAt.getTime() < now.getTime() + HOUR && startsAt.getTime() > now.getTime() - 4 * HOUR) startsAt.setTime(startsAt.getTime() + 2 * DAY);
    const endsAt = new Date(startsAt.getTime() + (1 + Math.floor(random() * 3)) * HOUR);
    // Published 2 to 8 days ahead of the meeting (or a few hours ago for a meeting that close).
    const publishedAt = new Date(Math.min(startsAt.getTime() - (2 + Math.floor(random() * 7)) * DAY, now.getTime() - HOUR));
    const roll = random();
    const urgency: Urgency = roll < 0.05 ? 'Hỏa tốc' : roll < 0.15 ? 'Thượng khẩn' : roll < 0.3 ? 'Khẩn' : 'Bình thường';
    const invited = invitedUnits(random, units, groups, benchUnit);
    const created = await createInvitation(db, serviceConfig, {
      title: `${pick(random, TOPICS)} (lần ${i + 1})`,
      docNumber: `${100 + i}/GM-UBND`,
      host: pick(random, HOSTS),
      place: pick(random, PLACES),
      startsAt,
      endsAt,
      urgency,
      unitIds: invited.map((u) => u.id),
      pdf,
      actor: 'cli:bench',
      at: publishedAt,
    });
    stats.invitedRows += invited.length;
    if (invited.includes(benchUnit)) stats.benchInvited++;
    // Reads and answers in one transaction per invitation (SQLite fsyncs each commit).
    await db.transaction(async (trx) => {
      for (const unit of invited) {
        const past = startsAt.getTime() < now.getTime();
        if (random() >= (past ? 0.85 : 0.5)) continue;
        const actor = { unitId: unit.id, username: unit.moihopUsername! };
        await recordInvitationRead(trx, actor, created.id, { at: new Date(publishedAt.getTime() + HOUR) });
        stats.reads++;
        if (random() < 0.6) {
          await answerInvitation(trx, actor, created.id, answerFor(random), { at: new Date(publishedAt.getTime() + 2 * HOUR) });
          stats.answers++;
        }
      }
    });
  }
  return stats;
}

interface Measured {
  route: string;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  non2xx: number;
  errors: number;
  bytesPerResponse: number;
}

async function load(url: string, cookie: string, seconds: number, connections: number): Promise<Measured> {
  const result = await autocannon({ url, connections, duration: seconds, headers: { cookie } });
  return {
    route: new URL(url).pathname,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    bytesPerResponse: result.requests.total ? result.throughput.total / result.requests.total : 0,
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** Where a script belongs: a package of node_modules, the project, node itself, or the VM. */
function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  if (url.startsWith('node:')) return 'node:internal';
  const project = /\/dist\/(.+)$/.exec(url);
  return project ? `project: ${project[1].split('/').slice(0, -1).join('/') || project[1]}` : url;
}

/** Self time by owner and by function of a .cpuprofile. */
function summariseProfile(file: string): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
  const totalHits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, totalHits);
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const who = owner(url, functionName);
    byOwner.set(who, (byOwner.get(who) ?? 0) + hits);
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  }
  const busy = totalHits - idle;
  const pct = (hits: number) => `${((hits / busy) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`server CPU profile: ${(busy * msPerHit / 1000).toFixed(1)} s busy, ${(idle * msPerHit / 1000).toFixed(1)} s idle (${file})`, '  self time by package:'];
  for (const [who, hits] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`    ${pct(hits)}  ${who}`);
  lines.push('  self time by function:');
  for (const [fn, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 20)) lines.push(`    ${pct(hits)}  ${fn}`);
  return lines;
}

/**
 * A preload script that starts the V8 profiler in the server on SIGUSR2 (after the warm-up) and writes the
 * profile when the server exits (`--cpu-prof` is not allowed in NODE_OPTIONS, and startProduct takes no node
 * flags). The in-thread inspector session answers synchronously, so the profile is written in 'exit'.
 */
function writeProfilerPreload(dir: string): string {
  const file = path.join(dir, 'profile-preload.js');
  const out = path.join(dir, 'server.cpuprofile');
  fs.writeFileSync(file, [
    "const inspector = require('node:inspector');",
    "const session = new inspector.Session();",
    "let started = false;",
    "session.connect();",
    "session.post('Profiler.enable');",
    "process.on('SIGUSR2', () => { if (!started) { started = true; session.post('Profiler.start'); } });",
    `process.on('exit', () => { if (started) session.post('Profiler.stop', (err, result) => { if (!err) require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(result.profile)); }); });`,
  ].join('\n'));
  return file;
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  setLogLevel('warn');
  const dataDir = tempDir('bench-web');
  const profileDir = options.profile ? tempDir('bench-web-profile') : null;
  const files = await makeInvitationFiles();
  const env: Record<string, string> = { DATA_DIR: dataDir, TRUST_DIR: files.trustDir, LOG_LEVEL: 'warn' };
  if (options.postgres) {
    env.DATABASE_URL = POSTGRES_URL;
    env.DATABASE_SCHEMA = `bench_web_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  }
  let product: RunningProduct | null = null;
  try {
    const setupStart = Date.now();
    const config = loadConfig(env);
    const db = await openPreparedDatabase(config);
    let data: DataSet;
    let accounts: number;
    try {
      data = await createData(db, { dataDir: config.dataDir, trustDir: config.trustDir }, files, options.invitations);
      await setPasswordByOperator(db, BENCH_UNIT, BENCH_PASSWORD, config.passwordMinLength);
      accounts = Number(((await db('accounts').where({ role: 'unit' }).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
    } finally {
      await db.destroy();
    }
    const setupSeconds = (Date.now() - setupStart) / 1000;

    product = await startProduct(env, ['--only', 'web']);
    const base = `http://127.0.0.1:${product.webPort}`;
    const client = new WebClient(base);
    await client.login(BENCH_UNIT, BENCH_PASSWORD);
    const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const page = await client.get('/invitations');
    if (page.status !== 200) throw new Error(`/invitations answered ${page.status}`);
    const onPage = (page.html.match(/class="invitation-item/g) ?? []).length;
    const totalShown = Number(/<p class="count">\s*(\d+) giấy mời/.exec(page.html)?.[1] ?? NaN);

    const database = options.postgres ? `PostgreSQL (schema ${env.DATABASE_SCHEMA})` : 'SQLite (WAL, synchronous=FULL)';
    console.log(`bench:web — ${database}; server: node dist/main.js --only web (pid ${product.child.pid}), client: autocannon in this process`);
    console.log(`data: ${accounts} unit accounts, ${options.invitations} invitations over 3 months (${data.invitedRows} invited units, ${data.reads} reads, ${data.answers} answers), made in ${fmt(setupSeconds)} s`);
    console.log(`logged in as ${BENCH_UNIT}: invited to ${data.benchInvited}; /invitations shows ${onPage} invitations on its first page (${totalShown} in all), ${page.body.length} bytes`);
    console.log(`load: ${options.connections} connections, ${options.warmup} s warm-up then ${options.duration} s per route, both with the session cookie`);
    console.log('trivial route: /healthz (session read + account lookup, as for every logged-in request, then `select 1`)');

    const trivial = `${base}/healthz`;
    const list = `${base}/invitations`;
    let profileFile: string | null = null;
    const results: Measured[] = [];
    if (profileDir) {
      // A second server under the profiler, loaded with the list page only; profiling starts after the warm-up.
      await product.stop();
      product = await startProduct({ ...env, NODE_OPTIONS: `--require ${writeProfilerPreload(profileDir)}` }, ['--only', 'web']);
      const profiled = `http://127.0.0.1:${product.webPort}/invitations`;
      if (options.warmup) await load(profiled, cookie, options.warmup, options.connections);
      product.child.kill('SIGUSR2');
      results.push(await load(profiled, cookie, options.duration, options.connections));
      await product.stop();
      product = null;
      profileFile = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(profileDir, f))[0] ?? null;
    } else {
      if (options.warmup) {
        await load(trivial, cookie, options.warmup, options.connections);
        await load(list, cookie, options.warmup, options.connections);
      }
      results.push(await load(trivial, cookie, options.duration, options.connections));
      results.push(await load(list, cookie, options.duration, options.connections));
    }

    console.log('');
    console.log('route            req/s    p50 ms   p99 ms   max ms   requests  non-2xx  errors  bytes/response');
    for (const r of results) {
      console.log(`${r.route.padEnd(14)} ${fmt(r.rps).padStart(8)} ${fmt(r.p50).padStart(8)} ${fmt(r.p99).padStart(8)} ${fmt(r.max).padStart(8)} ${String(r.total).padStart(10)} ${String(r.non2xx).padStart(8)} ${String(r.errors).padStart(7)} ${fmt(r.bytesPerResponse, 0).padStart(15)}`);
    }
    const listResult = results.find((r) => r.route === '/invitations')!;
    const trivialResult = results.find((r) => r.route === '/healthz');
    console.log('');
    if (trivialResult) {
      const ratio = listResult.rps / trivialResult.rps;
      console.log(`throughput /invitations ÷ /healthz = ${(ratio * 100).toFixed(1)}% (target ≥ ${TARGET_RATIO * 100}%): ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`);
    }
    console.log(`p99 of /invitations = ${fmt(listResult.p99)} ms (target < ${TARGET_P99_MS} ms): ${listResult.p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`);
    if (profileFile) {
      console.log('');
      for (const line of summariseProfile(profileFile)) console.log(line);
    }
    const broken = results.filter((r) => r.non2xx > 0 || r.errors > 0);
    if (broken.length) {
      process.stderr.write(`bench:web: non-2xx answers or errors on ${broken.map((r) => r.route).join(', ')}: the figures do not measure the page\n`);
      process.exitCode = 1;
    }
  } finally {
    if (product) await product.stop();
    if (options.keep) {
      console.log(`kept: DATA_DIR=${dataDir} TRUST_DIR=${files.trustDir} (Giấy mời in ${path.dirname(files.signedPdf)})${env.DATABASE_SCHEMA ? ` DATABASE_URL=${env.DATABASE_URL} DATABASE_SCHEMA=${env.DATABASE_SCHEMA}` : ''}`);
    } else {
      await dropSchema(env);
      files.remove();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((err) => {
  process.stderr.write(`bench:web: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
