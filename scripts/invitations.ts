// `npm run -s invitations -- <create|publish|update|cancel|list|show|ics> …`: the admin's invitation commands
// (the website's form does the same through the same services). create (unless --draft), publish, update and
// cancel queue the mail to the units concerned in the outbox. Exit 0 done, 1 refused or failed, 2 usage or bad input.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { openPreparedDatabase } from '../db/prepare';
import { formatIsoVietnam } from '../db/time';
import { URGENCIES, Urgency } from '../db/register/repository';
import { TrustStoreError, toContractJson } from '../mail-gateway/signature';
import {
  amendAndNotify, cancelAndNotify, createAndNotify, getInvitationOverview, invitationIcsForAdmin, invitationIcsForUnit,
  listInvitations, publishAndNotify, QueuedDelivery, removeUnitsAndNotify, unitIdsByUsername,
} from '../moihop-web/invitations';
import {
  INVITATION_STATUSES, Invitation, InvitationDetail, InvitationError, InvitationFile, InvitationOverview, InvitationStatus,
  UnitAnswer,
} from '../db/invitations/types';
import type { IncomingFile } from '../moihop-web/invitations/files';
import { commandConfig, runCommand, UsageError } from './cli';

const USAGE = [
  'usage: invitations create --title T --start ISO --end ISO --place P --pdf FILE --units u1,u2 [--papers f1,f2] [--deadline ISO]',
  '                          [--number SỐ] [--host H] [--content TEXT | --content-file FILE] [--urgency U] [--allow-unsigned] [--draft] [--json]',
  '       invitations publish <id> [--json]',
  '       invitations update <id> [--title …] [--start …] [--end …] [--place …] [--host …] [--number …] [--content …] [--urgency …]',
  '                          [--deadline …] [--add-units u1,u2] [--remove-units u1,u2] [--pdf FILE] [--papers f1,f2] [--allow-unsigned] [--note …] [--json]',
  '       invitations cancel <id> --reason TEXT [--json]',
  '       invitations list [--status S] [--month yyyy-mm] [--search TEXT] [--json]',
  '       invitations show <id> [--json]',
  '       invitations ics <id> [--unit USERNAME]',
  'times: ISO 8601, e.g. 2026-12-01T08:00 (Vietnam time when no offset is given) or 2026-12-01T08:00:00+07:00',
].join('\n');

const VALUE_OPTIONS = new Set([
  '--title', '--start', '--end', '--place', '--pdf', '--units', '--papers', '--deadline', '--number', '--host', '--content',
  '--content-file', '--urgency', '--reason', '--status', '--month', '--search', '--unit', '--add-units', '--remove-units', '--note', '--actor',
]);
const FLAG_OPTIONS = new Set(['--json', '--allow-unsigned', '--draft']);

interface Parsed {
  positional: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

function parseArgs(args: string[], allowed: string[]): Parsed {
  const parsed: Parsed = { positional: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    if (!allowed.includes(arg)) throw new UsageError(`tham số không dùng được ở đây / unknown option ${arg}\n${USAGE}`);
    if (FLAG_OPTIONS.has(arg)) parsed.flags.add(arg);
    else if (VALUE_OPTIONS.has(arg)) {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${arg} cần một giá trị / ${arg} needs a value`);
      if (parsed.values.has(arg)) throw new UsageError(`${arg} chỉ được nêu một lần / ${arg} given twice`);
      parsed.values.set(arg, value);
    }
  }
  return parsed;
}

/** ISO 8601 date-time; without an offset it is Vietnam time. */
function parseTime(value: string, option: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value.trim());
  const fail = () => new UsageError(`${option} cần thời điểm ISO 8601, ví dụ 2026-12-01T08:00 / ${option} needs an ISO 8601 time, got "${value}"`);
  if (!match) throw fail();
  const [, year, month, day, hour, minute, second] = match;
  const text = `${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}${match[7] ?? '+07:00'}`;
  const date = new Date(text);
  // Date accepts 2026-02-31 by rolling over; the calendar fields must survive the round trip.
  const check = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute)));
  if (Number.isNaN(date.getTime()) || check.getUTCDate() !== Number(day) || check.getUTCMonth() !== Number(month) - 1 || Number(hour) > 23 || Number(minute) > 59) {
    throw fail();
  }
  return date;
}

function readInputFile(file: string, option: string): IncomingFile {
  try {
    return { filename: path.basename(file), content: fs.readFileSync(file) };
  } catch (err) {
    throw new UsageError(`${option}: không đọc được tệp / cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

const list = (value: string | undefined) => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function parseUrgency(value: string | undefined): Urgency | undefined {
  if (value === undefined) return undefined;
  const urgency = value.normalize('NFC').trim();
  if (!URGENCIES.includes(urgency as Urgency)) throw new UsageError(`--urgency phải là một trong / must be one of: ${URGENCIES.join(', ')}`);
  return urgency as Urgency;
}

async function unitIdsFor(db: Knex, usernames: string[]): Promise<string[]> {
  const { found, unknown } = await unitIdsByUsername(db, usernames);
  if (unknown.length > 0) {
    throw new UsageError(`không có tài khoản đơn vị / unknown unit accounts: ${unknown.join(', ')} (xem / see: npm run -s units -- list)`);
  }
  return [...found.values()];
}

function actorOf(parsed: Parsed): string {
  const given = parsed.values.get('--actor');
  if (given) return given;
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function content(parsed: Parsed): string | undefined {
  const file = parsed.values.get('--content-file');
  if (file && parsed.values.has('--content')) throw new UsageError('--content và --content-file: chỉ dùng một / use only one');
  return file ? readInputFile(file, '--content-file').content.toString('utf8') : parsed.values.get('--content');
}

const iso = (date: Date | null) => (date ? formatIsoVietnam(date) : null);

function fileJson(file: InvitationFile) {
  return { position: file.position, kind: file.kind, filename: file.filename, contentType: file.contentType, size: file.size, sha256: file.sha256, supersededAt: iso(file.supersededAt) };
}

function answerJson(answer: UnitAnswer | null) {
  if (!answer) return null;
  return {
    answer: answer.answer, attendeeName: answer.attendeeName, attendeePosition: answer.attendeePosition, attendeePhone: answer.attendeePhone,
    reason: answer.reason, answeredAt: iso(answer.answeredAt), answeredBy: answer.answeredBy, sequence: answer.sequence,
  };
}

function summaryJson(invitation: Invitation) {
  return {
    id: invitation.id,
    status: invitation.status,
    title: invitation.title,
    docNumber: invitation.docNumber,
    host: invitation.host,
    startsAt: iso(invitation.startsAt),
    endsAt: iso(invitation.endsAt),
    place: invitation.place,
    urgency: invitation.urgency,
    answerDeadline: iso(invitation.answerDeadline),
    sequence: invitation.sequence,
    referenceOnly: invitation.referenceOnly,
    verdict: invitation.verdict,
    warnings: invitation.warnings,
    publishedAt: iso(invitation.publishedAt),
  };
}

function overviewJson(overview: InvitationOverview) {
  return {
    ...summaryJson(overview),
    content: overview.content,
    createdBy: overview.createdBy,
    createdAt: iso(overview.createdAt),
    updatedAt: iso(overview.updatedAt),
    cancelledAt: iso(overview.cancelledAt),
    cancelReason: overview.cancelReason,
    verification: toContractJson(overview.verification),
    files: overview.allFiles.map(fileJson),
    units: overview.units.map((u) => ({
      unitId: u.unitId,
      unitName: u.unitName,
      username: u.moihopUsername,
      read: u.read ? { at: iso(u.read.at), by: u.read.by } : null,
      answer: answerJson(u.answer),
      answerHistory: u.answerHistory.map(answerJson),
    })),
    counts: overview.counts,
    history: overview.history.map((h) => ({ status: h.status, sequence: h.sequence, at: iso(h.at), actor: h.actor, note: h.note })),
  };
}

function printOverview(overview: InvitationOverview): void {
  const o = overviewJson(overview);
  const lines = [
    `Mã / id: ${o.id}   Trạng thái: ${o.status}   SEQUENCE ${o.sequence}${o.referenceOnly ? '   [BẢN THAM KHẢO]' : ''}`,
    `Trích yếu: ${o.title}`,
    `Số, ký hiệu: ${o.docNumber ?? '-'}   Chủ trì: ${o.host ?? '-'}   Độ khẩn: ${o.urgency}`,
    `Thời gian: ${o.startsAt} → ${o.endsAt}   Địa điểm: ${o.place}`,
    `Hạn xác nhận: ${o.answerDeadline}   Chữ ký số: ${o.verdict}`,
    ...o.warnings.map((w) => `  ! ${w.code}: ${w.message}`),
    'Tệp / files:',
    ...o.files.map((f) => `  ${f.position}. [${f.kind}] ${f.filename} (${f.size} byte, sha256 ${f.sha256})${f.supersededAt ? ' — đã thay' : ''}`),
    `Đơn vị / units: ${o.counts.invited} mời, ${o.counts.read} đã xem, ${o.counts.answered} đã trả lời (${o.counts.attending} dự, ${o.counts.delegating} cử người, ${o.counts.declining} không dự)`,
    ...o.units.map((u) => `  ${u.username ?? u.unitId}  ${u.read ? `xem ${u.read.at}` : 'chưa xem'}  ${u.answer ? `${u.answer.answer}${u.answer.attendeeName ? `: ${u.answer.attendeeName}` : ''}${u.answer.reason ? ` (${u.answer.reason})` : ''}` : 'chưa trả lời'}`),
    'Lịch sử / history:',
    ...o.history.map((h) => `  ${h.at}  ${h.status}  #${h.sequence}  (${h.actor})${h.note ? `  ${h.note}` : ''}`),
  ];
  console.log(lines.join('\n'));
}

function warn(invitation: InvitationDetail): void {
  for (const w of invitation.warnings) process.stderr.write(`invitations: cảnh báo / warning ${w.code}: ${w.message}\n`);
}

function reportDelivery(delivery: QueuedDelivery | null): void {
  // The mails queued are visible with `show`; only units that cannot be mailed deserve a warning here.
  if (!delivery || delivery.withoutAddress.length === 0) return;
  process.stderr.write(`invitations: cảnh báo / warning NO_ADDRESS: ${delivery.withoutAddress.length} đơn vị không có địa chỉ thư công vụ, chỉ xem trên website`
    + ` / units without an official address, website only: ${delivery.withoutAddress.join(', ')}\n`);
}

async function printResult(db: Knex, id: string, json: boolean): Promise<void> {
  const overview = (await getInvitationOverview(db, id))!;
  if (json) process.stdout.write(JSON.stringify(overviewJson(overview), null, 2) + '\n');
  else printOverview(overview);
}

function requireId(parsed: Parsed): string {
  const [id, ...extra] = parsed.positional;
  if (!id || extra.length > 0) throw new UsageError(USAGE);
  return id.trim();
}

type Command = (db: Knex, parsed: Parsed, config: ReturnType<typeof commandConfig>) => Promise<number>;

const COMMANDS: Record<string, { options: string[]; run: Command }> = {
  create: {
    options: ['--title', '--start', '--end', '--place', '--pdf', '--units', '--papers', '--deadline', '--number', '--host', '--content', '--content-file', '--urgency', '--allow-unsigned', '--draft', '--actor', '--json'],
    async run(db, parsed, config) {
      if (parsed.positional.length > 0) throw new UsageError(USAGE);
      for (const option of ['--start', '--end', '--place', '--pdf', '--units']) {
        if (!parsed.values.has(option)) throw new UsageError(`thiếu / missing ${option}\n${USAGE}`);
      }
      const v = parsed.values;
      const { invitation, delivery } = await createAndNotify(db, config, {
        title: v.get('--title'),
        docNumber: v.get('--number'),
        host: v.get('--host'),
        startsAt: parseTime(v.get('--start')!, '--start'),
        endsAt: parseTime(v.get('--end')!, '--end'),
        place: v.get('--place')!,
        content: content(parsed),
        urgency: parseUrgency(v.get('--urgency')),
        answerDeadline: v.has('--deadline') ? parseTime(v.get('--deadline')!, '--deadline') : null,
        unitIds: await unitIdsFor(db, list(v.get('--units'))),
        pdf: readInputFile(v.get('--pdf')!, '--pdf'),
        papers: list(v.get('--papers')).map((file) => readInputFile(file, '--papers')),
        allowUnsigned: parsed.flags.has('--allow-unsigned'),
        publish: !parsed.flags.has('--draft'),
        actor: actorOf(parsed),
      });
      warn(invitation);
      reportDelivery(delivery);
      await printResult(db, invitation.id, parsed.flags.has('--json'));
      return 0;
    },
  },
  publish: {
    options: ['--actor', '--json'],
    async run(db, parsed, config) {
      const { invitation, delivery } = await publishAndNotify(db, config, requireId(parsed), { actor: actorOf(parsed) });
      warn(invitation);
      reportDelivery(delivery);
      await printResult(db, invitation.id, parsed.flags.has('--json'));
      return 0;
    },
  },
  update: {
    options: ['--title', '--start', '--end', '--place', '--pdf', '--add-units', '--remove-units', '--papers', '--deadline', '--number', '--host', '--content', '--content-file', '--urgency', '--allow-unsigned', '--note', '--actor', '--json'],
    async run(db, parsed, config) {
      const id = requireId(parsed);
      const v = parsed.values;
      const optional = (option: string) => (v.has(option) ? v.get(option)! : undefined);
      if (v.has('--remove-units')) {
        const removal = await removeUnitsAndNotify(db, config, id, { unitIds: await unitIdsFor(db, list(v.get('--remove-units'))), actor: actorOf(parsed), note: optional('--note') });
        reportDelivery(removal.delivery);
        const others = [...v.keys()].some((option) => !['--remove-units', '--note', '--actor'].includes(option)) || parsed.flags.has('--allow-unsigned');
        if (!others) {
          await printResult(db, id, parsed.flags.has('--json'));
          return 0;
        }
      }
      const { invitation, delivery } = await amendAndNotify(db, config, id, {
        title: optional('--title'),
        docNumber: optional('--number'),
        host: optional('--host'),
        startsAt: v.has('--start') ? parseTime(v.get('--start')!, '--start') : undefined,
        endsAt: v.has('--end') ? parseTime(v.get('--end')!, '--end') : undefined,
        place: optional('--place'),
        content: content(parsed),
        urgency: parseUrgency(v.get('--urgency')),
        answerDeadline: v.has('--deadline') ? parseTime(v.get('--deadline')!, '--deadline') : undefined,
        addUnitIds: v.has('--add-units') ? await unitIdsFor(db, list(v.get('--add-units'))) : undefined,
        pdf: v.has('--pdf') ? readInputFile(v.get('--pdf')!, '--pdf') : undefined,
        papers: list(v.get('--papers')).map((file) => readInputFile(file, '--papers')),
        allowUnsigned: parsed.flags.has('--allow-unsigned'),
        note: optional('--note'),
        actor: actorOf(parsed),
      });
      warn(invitation);
      reportDelivery(delivery);
      await printResult(db, invitation.id, parsed.flags.has('--json'));
      return 0;
    },
  },
  cancel: {
    options: ['--reason', '--actor', '--json'],
    async run(db, parsed, config) {
      const id = requireId(parsed);
      if (!parsed.values.has('--reason')) throw new UsageError(`thiếu lý do hủy / missing --reason\n${USAGE}`);
      reportDelivery((await cancelAndNotify(db, config, id, { actor: actorOf(parsed), reason: parsed.values.get('--reason')! })).delivery);
      await printResult(db, id, parsed.flags.has('--json'));
      return 0;
    },
  },
  list: {
    options: ['--status', '--month', '--search', '--json'],
    async run(db, parsed) {
      if (parsed.positional.length > 0) throw new UsageError(USAGE);
      const status = parsed.values.get('--status')?.normalize('NFC');
      if (status !== undefined && !INVITATION_STATUSES.includes(status as InvitationStatus)) {
        throw new UsageError(`--status phải là một trong / must be one of: ${INVITATION_STATUSES.join(', ')}`);
      }
      const month = parsed.values.get('--month');
      if (month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError(`--month cần yyyy-mm / needs yyyy-mm, got "${month}"`);
      const items: Invitation[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await listInvitations(db, { status: status as InvitationStatus | undefined, month, search: parsed.values.get('--search'), limit: 500, offset });
        items.push(...page.items);
        if (page.items.length < 500) break;
      }
      if (parsed.flags.has('--json')) process.stdout.write(JSON.stringify(items.map(summaryJson), null, 2) + '\n');
      else {
        for (const i of items) console.log(`${iso(i.startsAt)!.slice(0, 16).replace('T', ' ')}  ${i.status}${i.urgency === 'Bình thường' ? '' : ` [${i.urgency}]`}  ${i.docNumber ?? '-'}  ${i.title}  ${i.id}`);
        console.log(`— ${items.length} giấy mời / invitations`);
      }
      return 0;
    },
  },
  show: {
    options: ['--json'],
    async run(db, parsed) {
      const id = requireId(parsed);
      if (!(await getInvitationOverview(db, id))) {
        process.stderr.write(`invitations: không có giấy mời mã ${id} / no invitation with id ${id}\n`);
        return 1;
      }
      await printResult(db, id, parsed.flags.has('--json'));
      return 0;
    },
  },
  ics: {
    options: ['--unit'],
    async run(db, parsed, config) {
      const id = requireId(parsed);
      const username = parsed.values.get('--unit');
      const ics = username
        ? await invitationIcsForUnit(db, config, (await unitIdsFor(db, [username]))[0], id)
        : await invitationIcsForAdmin(db, config, id);
      if (ics === null) {
        process.stderr.write(`invitations: không có giấy mời mã ${id}${username ? ` gửi ${username}` : ''} / no invitation with id ${id}${username ? ` for ${username}` : ''}\n`);
        return 1;
      }
      process.stdout.write(ics);
      return 0;
    },
  },
};

runCommand('invitations', async () => {
  const [name, ...rest] = process.argv.slice(2);
  const command = COMMANDS[name ?? ''];
  if (!command) throw new UsageError(USAGE);
  const parsed = parseArgs(rest, command.options);
  const config = commandConfig();
  const db = await openPreparedDatabase(config);
  try {
    return await command.run(db, parsed, config);
  } catch (err) {
    if (err instanceof InvitationError) {
      if (err.code === 'INVALID_INPUT' || err.code === 'UNKNOWN_UNITS') throw new UsageError(err.message);
      process.stderr.write(`invitations: ${err.message}\n`);
      return 1;
    }
    if (err instanceof TrustStoreError) {
      process.stderr.write(`invitations: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await db.destroy();
  }
});
