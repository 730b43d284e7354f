// Every setting of the product, in one place: name, default, one-line meaning.
// Read from the environment once at start; tests pass their own `env` object.
import path from 'node:path';
import cron from 'node-cron';

/** The business time zone of the province. Vietnam has no daylight saving: always +07:00. */
export const BUSINESS_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const BUSINESS_UTC_OFFSET = '+07:00';

/** Repository root: config.ts compiles to dist/config.js, so the root is one level above. */
export const REPO_ROOT = path.resolve(__dirname, '..');

export interface Config {
  smtpHost: string;
  smtpPort: number;
  webHost: string;
  webPort: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | null;
  databaseSchema: string | null;
  gatewayAddresses: string[];
  /** Where units answer invitations by mail (plus-tagged per invitation: giaymoi+<id>@…); never registered. */
  invitationReplyAddress: string;
  outboundSmtpUrl: string | null;
  outboxPollMs: number;
  outboxMaxAttempts: number;
  /** Outbox rows one sender claims (and renders) at a time. */
  outboxBatchSize: number;
  /** SMTP connections the sender keeps open to the relay. */
  outboxMaxConnections: number;
  trustDir: string;
  logLevel: LogLevel;
  smtpBannerName: string;
  smtpMaxMessageBytes: number;
  /** PEM files of the STARTTLS certificate and key; null: a self-signed pair generated into DATA_DIR/tls. */
  smtpTlsCert: string | null;
  smtpTlsKey: string | null;
  smtpMaxRecipients: number;
  smtpMaxRefusedRecipients: number;
  smtpMaxMessagesPerConnection: number;
  smtpMaxConnections: number;
  smtpMaxConnectionsPerIp: number;
  smtpConnectionRatePerMinute: number;
  smtpSocketTimeoutMs: number;
  dnsTimeoutMs: number;
  officeHours: OfficePeriod[];
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  officeDays: number[];
  holidays: string[];
  extraWorkdays: string[];
  /** Idle lifetime of a website session: each request extends it by this much. */
  sessionTtlMinutes: number;
  /** Secret signing the session cookie; null: one generated once into DATA_DIR/session-secret. */
  sessionSecret: string | null;
  /** Send cookies only over HTTPS (`auto`: when PUBLIC_URL is https://). */
  cookieSecure: boolean;
  /** Wrong passwords for one account within LOGIN_WINDOW_MINUTES before its logins are refused. */
  loginMaxAttempts: number;
  /** Failed logins from one client address within LOGIN_WINDOW_MINUTES before its logins are refused. */
  loginMaxAttemptsPerAddress: number;
  loginWindowMinutes: number;
  passwordMinLength: number;
  /** Largest file (Giấy mời PDF or one meeting paper) the invitation form accepts. */
  uploadMaxBytes: number;
  /** Mailboxes the IMAP intake picks official mail up from (imap:// or imaps:// URLs); empty: no IMAP intake. */
  imapUrls: string[];
  /** When units that have not opened or not answered an invitation are reminded, before the meeting or the answer deadline. */
  reminderOffsets: ReminderOffset[];
  /** How often (cron expression, Vietnam time) the reminder job looks for due reminders. */
  reminderCron: string;
  /** Folder a registered message is moved to after its registration is committed (created when missing). */
  imapProcessedFolder: string;
  /** Folder a refused (kept for reference) message is moved to. */
  imapRefusedFolder: string;
  /** Poll interval for a server without IDLE; with IDLE, the longest wait between two checks. */
  imapPollMs: number;
  /** Longest pause between two reconnection attempts (the backoff doubles from 1 s up to this). */
  imapReconnectMaxMs: number;
  imapTlsRejectUnauthorized: boolean;
  /** How long a mailbox stays claimed by a gateway process that stopped renewing its claim (crashed). */
  imapLeaseMs: number;
  /** Mã định danh (QCVN 102:2016, 13 characters) of the register's own organ in edXML packages and status messages. */
  edxmlOrganId: string;
  edxmlOrganName: string;
}

/** One reminder slot: `meeting-24h` = 24 hours before the meeting starts, `deadline-2h` = 2 hours before the answer deadline. */
export interface ReminderOffset {
  key: string;
  anchor: 'meeting' | 'deadline';
  beforeMinutes: number;
}

/** One stretch of office hours, in minutes after midnight, Vietnam time (end exclusive). */
export interface OfficePeriod {
  startMinute: number;
  endMinute: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export class ConfigError extends Error {}

interface SettingSpec {
  env: string;
  defaultValue: string | null;
  secret?: boolean;
  /** A comma list whose items are masked one by one. */
  list?: boolean;
  description: string;
}

/** The documented settings, in the order `print-config` shows them. */
export const SETTINGS: SettingSpec[] = [
  { env: 'SMTP_HOST', defaultValue: '0.0.0.0', description: 'address the SMTP gateway listens on' },
  { env: 'SMTP_PORT', defaultValue: '2525', description: 'port of the SMTP gateway (0: any free port)' },
  { env: 'SMTP_BANNER_NAME', defaultValue: 'mail.binhthuan.gov.vn', description: 'host name the gateway gives in its 220 greeting' },
  { env: 'SMTP_MAX_MESSAGE_BYTES', defaultValue: String(30 * 1024 * 1024), description: 'largest message the gateway accepts (advertised as SIZE; larger: 552 5.3.4)' },
  { env: 'SMTP_TLS_CERT', defaultValue: null, description: 'PEM certificate (with its chain) offered by STARTTLS; unset: a self-signed one generated into DATA_DIR/tls at first start' },
  { env: 'SMTP_TLS_KEY', defaultValue: null, description: 'PEM private key of SMTP_TLS_CERT' },
  { env: 'SMTP_MAX_RECIPIENTS', defaultValue: '50', description: 'accepted recipients in one mail transaction; more: 452 4.5.3' },
  { env: 'SMTP_MAX_REFUSED_RECIPIENTS', defaultValue: '10', description: 'refused recipients in one session before it is closed with 421 4.7.0 (address harvesting, relay probing)' },
  { env: 'SMTP_MAX_MESSAGES_PER_CONNECTION', defaultValue: '100', description: 'messages one connection may send; the next MAIL FROM gets 421 4.7.0 (reconnect)' },
  { env: 'SMTP_MAX_CONNECTIONS', defaultValue: '200', description: 'simultaneous SMTP connections in all' },
  { env: 'SMTP_MAX_CONNECTIONS_PER_IP', defaultValue: '20', description: 'simultaneous SMTP connections from one client address; more: 421 4.7.0' },
  { env: 'SMTP_CONNECTION_RATE_PER_MINUTE', defaultValue: '120', description: 'new SMTP connections one client address may open per minute; more: 421 4.7.0' },
  { env: 'SMTP_SOCKET_TIMEOUT_MS', defaultValue: '300000', description: 'idle time (milliseconds) after which an SMTP session is closed with 421 (RFC 5321: 5 minutes)' },
  { env: 'DNS_TIMEOUT_MS', defaultValue: '3000', description: 'time limit of one DNS lookup for SPF/DKIM/DMARC; a failure is recorded as a temporary error' },
  { env: 'WEB_HOST', defaultValue: '0.0.0.0', description: 'address the website listens on' },
  { env: 'WEB_PORT', defaultValue: '3000', description: 'port of the website (0: any free port)' },
  { env: 'PUBLIC_URL', defaultValue: null, description: 'address people use to reach the website, for links in mail (default http://localhost:WEB_PORT)' },
  { env: 'DATA_DIR', defaultValue: './data', description: 'folder for the SQLite database, stored mail and attachments' },
  { env: 'DATABASE_URL', defaultValue: null, secret: true, description: 'unset: SQLite file in DATA_DIR; postgres://user:pass@host:port/db: PostgreSQL' },
  { env: 'DATABASE_SCHEMA', defaultValue: null, description: 'PostgreSQL schema to use (default: the server default, usually public)' },
  { env: 'GATEWAY_ADDRESSES', defaultValue: 'ubnd@binhthuan.gov.vn', description: 'comma list of official addresses the gateway accepts mail for' },
  { env: 'INVITATION_REPLY_ADDRESS', defaultValue: 'giaymoi@binhthuan.gov.vn', description: 'address units answer invitations at by mail (giaymoi+<invitation id>@…): accepted by the gateway, applied as answers, never registered' },
  { env: 'OUTBOUND_SMTP_URL', defaultValue: null, secret: true, description: 'relay for mail we send (smtp://user:pass@host:port); unset: mail waits in the outbox' },
  { env: 'OUTBOX_POLL_MS', defaultValue: '5000', description: 'how often (milliseconds) the outbox worker looks for mail due to be sent' },
  { env: 'OUTBOX_MAX_ATTEMPTS', defaultValue: '30', description: 'delivery attempts of one outgoing mail before it is marked failed (30 ≈ 4 days of retries)' },
  { env: 'OUTBOX_BATCH_SIZE', defaultValue: '100', description: 'outgoing mails the sender worker claims, builds and sends at a time (one commit records a whole batch; the next batch is built while one is sending)' },
  { env: 'OUTBOX_MAX_CONNECTIONS', defaultValue: '3', description: 'SMTP connections the sender worker keeps open to the relay (OUTBOUND_SMTP_URL)' },
  { env: 'TRUST_DIR', defaultValue: './trust', description: 'folder of trusted root and intermediate certificates (.pem .crt .cer .der) and CRLs (.crl)' },
  { env: 'LOG_LEVEL', defaultValue: 'info', description: 'debug, info, warn, error or silent' },
  { env: 'OFFICE_HOURS', defaultValue: '07:00-11:30,13:30-17:00', description: 'office hours, Vietnam time: mail received outside them is processed from the next start' },
  { env: 'OFFICE_DAYS', defaultValue: '1-5', description: 'office weekdays, 1 = Monday … 7 = Sunday, as ranges and commas ("1-5", "1-5,6")' },
  { env: 'HOLIDAYS', defaultValue: null, description: 'comma list of yyyy-mm-dd days off besides 1/1, 30/4, 1/5, 2/9: Tết, Giỗ Tổ, the 2nd Quốc khánh day, days off in lieu' },
  { env: 'EXTRA_WORKDAYS', defaultValue: null, description: 'comma list of yyyy-mm-dd worked although outside OFFICE_DAYS (make-up Saturdays, "làm bù")' },
  { env: 'SESSION_TTL_MINUTES', defaultValue: '120', description: 'a website session ends after this many minutes without a request' },
  { env: 'SESSION_SECRET', defaultValue: null, secret: true, description: 'secret signing the session cookie (same value on every web process); unset: generated once into DATA_DIR/session-secret' },
  { env: 'COOKIE_SECURE', defaultValue: 'auto', description: 'send the session cookie over HTTPS only: true, false, or auto (true when PUBLIC_URL is https://)' },
  { env: 'LOGIN_MAX_ATTEMPTS', defaultValue: '5', description: 'wrong passwords for one account within LOGIN_WINDOW_MINUTES before its logins are refused for the rest of the window' },
  { env: 'LOGIN_MAX_ATTEMPTS_PER_ADDRESS', defaultValue: '30', description: 'failed logins from one client address within LOGIN_WINDOW_MINUTES before its logins are refused' },
  { env: 'LOGIN_WINDOW_MINUTES', defaultValue: '15', description: 'window (minutes) of the two login limits above' },
  { env: 'PASSWORD_MIN_LENGTH', defaultValue: '10', description: 'shortest password an account may choose' },
  { env: 'UPLOAD_MAX_BYTES', defaultValue: String(50 * 1024 * 1024), description: 'largest file (Giấy mời PDF or one meeting paper) the invitation form of the website accepts' },
  { env: 'REMINDER_OFFSETS', defaultValue: 'meeting-24h,meeting-2h', description: 'comma list of reminder slots for units that have not opened or answered an invitation: meeting-<n>h|m|d before the meeting, deadline-<n>h|m|d before the answer deadline' },
  { env: 'REMINDER_CRON', defaultValue: '* * * * *', description: 'cron expression (Vietnam time) of the job that sends due reminders' },
  { env: 'IMAP_URL', defaultValue: null, secret: true, list: true, description: 'comma list of mailboxes to pick official mail up from (imaps://user:pass@host:993/INBOX); unset: no IMAP intake' },
  { env: 'IMAP_PROCESSED_FOLDER', defaultValue: 'Processed', description: 'IMAP folder a message is moved to once registered (created when missing)' },
  { env: 'IMAP_REFUSED_FOLDER', defaultValue: 'Refused', description: 'IMAP folder a message is moved to once kept for reference and refused (created when missing)' },
  { env: 'IMAP_POLL_MS', defaultValue: '60000', description: 'how often (milliseconds) a mailbox is checked when its server has no IDLE; with IDLE, the longest wait between two checks' },
  { env: 'IMAP_RECONNECT_MAX_MS', defaultValue: '300000', description: 'longest pause (milliseconds) between two reconnections to an IMAP server (backoff from 1 s, doubling)' },
  { env: 'IMAP_TLS_REJECT_UNAUTHORIZED', defaultValue: 'true', description: 'refuse an IMAP server whose TLS certificate does not verify (false only for a test server)' },
  { env: 'IMAP_LEASE_MS', defaultValue: '60000', description: 'a mailbox is claimed by one gateway process at a time; a claim not renewed for this long (crash) passes to another' },
  { env: 'EDXML_ORGAN_ID', defaultValue: '000.00.00.H11', description: 'mã định danh (QCVN 102:2016, 13 characters) of our organ in edXML packages and status messages; default: UBND tỉnh Bình Thuận' },
  { env: 'EDXML_ORGAN_NAME', defaultValue: 'Ủy ban nhân dân tỉnh Bình Thuận', description: 'name of our organ in edXML packages and status messages' },
];

function read(env: NodeJS.ProcessEnv, name: string): string | null {
  const spec = SETTINGS.find((s) => s.env === name);
  const raw = env[name];
  if (raw !== undefined && raw.trim() !== '') return raw.trim();
  return spec?.defaultValue ?? null;
}

function readPort(env: NodeJS.ProcessEnv, name: string): number {
  const raw = read(env, name) ?? '';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} phải là số cổng 0–65535 / must be a port number 0–65535, got "${raw}"`);
  }
  return port;
}

function readPositiveInt(env: NodeJS.ProcessEnv, name: string): number {
  const raw = read(env, name) ?? '';
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name} phải là số nguyên dương / must be a positive integer, got "${raw}"`);
  }
  return value;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

export function formatOfficeHours(periods: OfficePeriod[]): string {
  const hhmm = (minute: number) => `${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}`;
  return periods.map((p) => `${hhmm(p.startMinute)}-${hhmm(p.endMinute)}`).join(',');
}

function readOfficeHours(env: NodeJS.ProcessEnv): OfficePeriod[] {
  const raw = read(env, 'OFFICE_HOURS') ?? '';
  const periods = raw.split(',').map((part) => {
    const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(part);
    const period = m && { startMinute: Number(m[1]) * 60 + Number(m[2]), endMinute: Number(m[3]) * 60 + Number(m[4]) };
    if (!period || Number(m[2]) > 59 || Number(m[4]) > 59 || period.endMinute > 24 * 60 || period.startMinute >= period.endMinute) {
      throw new ConfigError(`OFFICE_HOURS không hợp lệ / invalid OFFICE_HOURS "${raw}" (e.g. 07:00-11:30,13:30-17:00)`);
    }
    return period;
  }).sort((a, b) => a.startMinute - b.startMinute);
  for (let i = 1; i < periods.length; i++) {
    if (periods[i].startMinute < periods[i - 1].endMinute) throw new ConfigError(`OFFICE_HOURS chồng lấn / overlapping OFFICE_HOURS "${raw}"`);
  }
  return periods;
}

function readOfficeDays(env: NodeJS.ProcessEnv): number[] {
  const raw = read(env, 'OFFICE_DAYS') ?? '';
  const days = new Set<number>();
  for (const part of raw.split(',')) {
    const m = /^\s*([1-7])\s*(?:-\s*([1-7])\s*)?$/.exec(part);
    if (!m || Number(m[2] ?? m[1]) < Number(m[1])) throw new ConfigError(`OFFICE_DAYS không hợp lệ / invalid OFFICE_DAYS "${raw}" (1 = Monday … 7 = Sunday, e.g. 1-5)`);
    for (let day = Number(m[1]); day <= Number(m[2] ?? m[1]); day++) days.add(day);
  }
  return [...days].sort();
}

function readDateList(env: NodeJS.ProcessEnv, name: string): string[] {
  const list = (read(env, name) ?? '').split(',').map((d) => d.trim()).filter(Boolean);
  for (const date of list) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    const parsed = m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (!parsed || parsed.toISOString().slice(0, 10) !== date) throw new ConfigError(`${name} có ngày sai / has an invalid date "${date}" (yyyy-mm-dd)`);
  }
  return [...new Set(list)].sort();
}

function readLogLevel(env: NodeJS.ProcessEnv): LogLevel {
  const raw = (read(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(raw)) {
    throw new ConfigError(`LOG_LEVEL không hợp lệ / invalid LOG_LEVEL "${raw}"`);
  }
  return raw as LogLevel;
}

function readAddresses(env: NodeJS.ProcessEnv): string[] {
  const list = (read(env, 'GATEWAY_ADDRESSES') ?? '')
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  for (const address of list) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
      throw new ConfigError(`GATEWAY_ADDRESSES có địa chỉ sai / has an invalid address "${address}"`);
    }
  }
  if (list.length === 0) throw new ConfigError('GATEWAY_ADDRESSES trống / is empty');
  return list;
}

/** INVITATION_REPLY_ADDRESS: one plain address (no +tag: the tag is added per invitation), not a gateway address. */
function readReplyAddress(env: NodeJS.ProcessEnv, gatewayAddresses: string[]): string {
  const address = (read(env, 'INVITATION_REPLY_ADDRESS') ?? '').toLowerCase();
  if (!/^[^\s@+]+@[^\s@]+\.[^\s@]+$/.test(address)) {
    throw new ConfigError(`INVITATION_REPLY_ADDRESS không hợp lệ / invalid INVITATION_REPLY_ADDRESS "${address}" (one address without +tag, e.g. giaymoi@binhthuan.gov.vn)`);
  }
  if (gatewayAddresses.includes(address)) {
    throw new ConfigError(`INVITATION_REPLY_ADDRESS không được trùng GATEWAY_ADDRESSES / must differ from the gateway addresses: "${address}"`);
  }
  return address;
}

function readTlsFiles(env: NodeJS.ProcessEnv, cwd: string): Pick<Config, 'smtpTlsCert' | 'smtpTlsKey'> {
  const cert = read(env, 'SMTP_TLS_CERT');
  const key = read(env, 'SMTP_TLS_KEY');
  if ((cert === null) !== (key === null)) throw new ConfigError('SMTP_TLS_CERT và SMTP_TLS_KEY phải đặt cùng nhau / must be set together');
  return { smtpTlsCert: cert && path.resolve(cwd, cert), smtpTlsKey: key && path.resolve(cwd, key) };
}

function readCookieSecure(env: NodeJS.ProcessEnv, publicUrl: string): boolean {
  const raw = (read(env, 'COOKIE_SECURE') ?? 'auto').toLowerCase();
  if (raw === 'auto') return publicUrl.startsWith('https://');
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new ConfigError(`COOKIE_SECURE phải là true, false hoặc auto / must be true, false or auto, got "${raw}"`);
}

function readBoolean(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (read(env, name) ?? '').toLowerCase();
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new ConfigError(`${name} phải là true hoặc false / must be true or false, got "${raw}"`);
}

/** IMAP_URL: one or more imap:// or imaps:// URLs, each with a user name. */
function readImapUrls(env: NodeJS.ProcessEnv): string[] {
  const list = (read(env, 'IMAP_URL') ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  for (const raw of list) {
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      // reported below without echoing the secret
    }
    if (!url || !/^imaps?:$/.test(url.protocol) || !url.username || !url.hostname) {
      throw new ConfigError(`IMAP_URL không hợp lệ / invalid IMAP_URL ${url ? maskSecret(raw) : '(not a URL)'} (e.g. imaps://user:pass@mail.example:993/INBOX)`);
    }
  }
  return list;
}

/** A mã định danh of QCVN 102:2016: four groups separated by dots, `000.00.00.H11` style (13 characters). */
function readOrganId(env: NodeJS.ProcessEnv): string {
  const raw = read(env, 'EDXML_ORGAN_ID') ?? '';
  if (!/^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$/.test(raw)) {
    throw new ConfigError(`EDXML_ORGAN_ID phải là mã định danh 13 ký tự / must be a 13-character organ id like 000.00.00.H11, got "${raw}"`);
  }
  return raw;
}

function readDatabaseUrl(env: NodeJS.ProcessEnv): string | null {
  const url = read(env, 'DATABASE_URL');
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError('DATABASE_URL phải bắt đầu bằng postgres:// / must start with postgres:// (leave it unset for SQLite)');
  }
  return url;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const webPort = readPort(env, 'WEB_PORT');
  const publicUrl = (read(env, 'PUBLIC_URL') ?? `http://localhost:${webPort}`).replace(/\/+$/, '');
  return {
    smtpHost: read(env, 'SMTP_HOST')!,
    smtpPort: readPort(env, 'SMTP_PORT'),
    smtpBannerName: read(env, 'SMTP_BANNER_NAME')!,
    smtpMaxMessageBytes: readPositiveInt(env, 'SMTP_MAX_MESSAGE_BYTES'),
    ...readTlsFiles(env, cwd),
    smtpMaxRecipients: readPositiveInt(env, 'SMTP_MAX_RECIPIENTS'),
    smtpMaxRefusedRecipients: readPositiveInt(env, 'SMTP_MAX_REFUSED_RECIPIENTS'),
    smtpMaxMessagesPerConnection: readPositiveInt(env, 'SMTP_MAX_MESSAGES_PER_CONNECTION'),
    smtpMaxConnections: readPositiveInt(env, 'SMTP_MAX_CONNECTIONS'),
    smtpMaxConnectionsPerIp: readPositiveInt(env, 'SMTP_MAX_CONNECTIONS_PER_IP'),
    smtpConnectionRatePerMinute: readPositiveInt(env, 'SMTP_CONNECTION_RATE_PER_MINUTE'),
    smtpSocketTimeoutMs: readPositiveInt(env, 'SMTP_SOCKET_TIMEOUT_MS'),
    dnsTimeoutMs: readPositiveInt(env, 'DNS_TIMEOUT_MS'),
    webHost: read(env, 'WEB_HOST')!,
    webPort,
    publicUrl,
    dataDir: path.resolve(cwd, read(env, 'DATA_DIR')!),
    databaseUrl: readDatabaseUrl(env),
    databaseSchema: read(env, 'DATABASE_SCHEMA'),
    gatewayAddresses: readAddresses(env),
    invitationReplyAddress: readReplyAddress(env, readAddresses(env)),
    outboundSmtpUrl: read(env, 'OUTBOUND_SMTP_URL'),
    outboxPollMs: readPositiveInt(env, 'OUTBOX_POLL_MS'),
    outboxMaxAttempts: readPositiveInt(env, 'OUTBOX_MAX_ATTEMPTS'),
    outboxBatchSize: readPositiveInt(env, 'OUTBOX_BATCH_SIZE'),
    outboxMaxConnections: readPositiveInt(env, 'OUTBOX_MAX_CONNECTIONS'),
    trustDir: path.resolve(cwd, read(env, 'TRUST_DIR')!),
    logLevel: readLogLevel(env),
    officeHours: readOfficeHours(env),
    officeDays: readOfficeDays(env),
    holidays: readDateList(env, 'HOLIDAYS'),
    extraWorkdays: readDateList(env, 'EXTRA_WORKDAYS'),
    sessionTtlMinutes: readPositiveInt(env, 'SESSION_TTL_MINUTES'),
    sessionSecret: read(env, 'SESSION_SECRET'),
    cookieSecure: readCookieSecure(env, publicUrl),
    loginMaxAttempts: readPositiveInt(env, 'LOGIN_MAX_ATTEMPTS'),
    loginMaxAttemptsPerAddress: readPositiveInt(env, 'LOGIN_MAX_ATTEMPTS_PER_ADDRESS'),
    loginWindowMinutes: readPositiveInt(env, 'LOGIN_WINDOW_MINUTES'),
    passwordMinLength: readPositiveInt(env, 'PASSWORD_MIN_LENGTH'),
    uploadMaxBytes: readPositiveInt(env, 'UPLOAD_MAX_BYTES'),
    reminderOffsets: readReminderOffsets(env),
    reminderCron: readCron(env, 'REMINDER_CRON'),
    imapUrls: readImapUrls(env),
    imapProcessedFolder: read(env, 'IMAP_PROCESSED_FOLDER')!,
    imapRefusedFolder: read(env, 'IMAP_REFUSED_FOLDER')!,
    imapPollMs: readPositiveInt(env, 'IMAP_POLL_MS'),
    imapReconnectMaxMs: readPositiveInt(env, 'IMAP_RECONNECT_MAX_MS'),
    imapTlsRejectUnauthorized: readBoolean(env, 'IMAP_TLS_REJECT_UNAUTHORIZED'),
    imapLeaseMs: readPositiveInt(env, 'IMAP_LEASE_MS'),
    edxmlOrganId: readOrganId(env),
    edxmlOrganName: read(env, 'EDXML_ORGAN_NAME')!,
  };
}

const DURATION_MINUTES: Record<string, number> = { m: 1, h: 60, d: 24 * 60 };

function readReminderOffsets(env: NodeJS.ProcessEnv): ReminderOffset[] {
  const text = read(env, 'REMINDER_OFFSETS') ?? '';
  const offsets = text.split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
    const match = /^(meeting|deadline)-(\d{1,4})([mhd])$/.exec(item);
    if (!match) {
      throw new ConfigError(`REMINDER_OFFSETS: "${item}" không đúng dạng meeting-24h / deadline-2h / is not like meeting-24h or deadline-2h`);
    }
    const beforeMinutes = Number(match[2]) * DURATION_MINUTES[match[3]];
    if (beforeMinutes <= 0) throw new ConfigError(`REMINDER_OFFSETS: "${item}" phải lớn hơn 0 / must be more than zero`);
    return { key: item, anchor: match[1] as ReminderOffset['anchor'], beforeMinutes };
  });
  return [...new Map(offsets.map((o) => [o.key, o])).values()];
}

function readCron(env: NodeJS.ProcessEnv, name: string): string {
  const expression = read(env, name)!;
  if (!cron.validate(expression)) throw new ConfigError(`${name}: "${expression}" không phải biểu thức cron / is not a cron expression`);
  return expression;
}

/** Hides the password of a URL-like secret, keeps the rest readable. */
export function maskSecret(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '****';
    return url.toString();
  } catch {
    return '****';
  }
}

/** The effective configuration as `NAME=value  # description` lines, secrets masked. */
export function describeConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const config = loadConfig(env, cwd);
  const effective: Record<string, string | null> = {
    SMTP_HOST: config.smtpHost,
    SMTP_PORT: String(config.smtpPort),
    SMTP_BANNER_NAME: config.smtpBannerName,
    SMTP_MAX_MESSAGE_BYTES: String(config.smtpMaxMessageBytes),
    SMTP_TLS_CERT: config.smtpTlsCert,
    SMTP_TLS_KEY: config.smtpTlsKey,
    SMTP_MAX_RECIPIENTS: String(config.smtpMaxRecipients),
    SMTP_MAX_REFUSED_RECIPIENTS: String(config.smtpMaxRefusedRecipients),
    SMTP_MAX_MESSAGES_PER_CONNECTION: String(config.smtpMaxMessagesPerConnection),
    SMTP_MAX_CONNECTIONS: String(config.smtpMaxConnections),
    SMTP_MAX_CONNECTIONS_PER_IP: String(config.smtpMaxConnectionsPerIp),
    SMTP_CONNECTION_RATE_PER_MINUTE: String(config.smtpConnectionRatePerMinute),
    SMTP_SOCKET_TIMEOUT_MS: String(config.smtpSocketTimeoutMs),
    DNS_TIMEOUT_MS: String(config.dnsTimeoutMs),
    WEB_HOST: config.webHost,
    WEB_PORT: String(config.webPort),
    PUBLIC_URL: config.publicUrl,
    DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl,
    DATABASE_SCHEMA: config.databaseSchema,
    GATEWAY_ADDRESSES: config.gatewayAddresses.join(','),
    INVITATION_REPLY_ADDRESS: config.invitationReplyAddress,
    OUTBOUND_SMTP_URL: config.outboundSmtpUrl,
    OUTBOX_POLL_MS: String(config.outboxPollMs),
    OUTBOX_MAX_ATTEMPTS: String(config.outboxMaxAttempts),
    OUTBOX_BATCH_SIZE: String(config.outboxBatchSize),
    OUTBOX_MAX_CONNECTIONS: String(config.outboxMaxConnections),
    TRUST_DIR: config.trustDir,
    LOG_LEVEL: config.logLevel,
    OFFICE_HOURS: formatOfficeHours(config.officeHours),
    OFFICE_DAYS: config.officeDays.join(','),
    HOLIDAYS: config.holidays.join(',') || null,
    EXTRA_WORKDAYS: config.extraWorkdays.join(',') || null,
    SESSION_TTL_MINUTES: String(config.sessionTtlMinutes),
    SESSION_SECRET: config.sessionSecret,
    COOKIE_SECURE: String(config.cookieSecure),
    LOGIN_MAX_ATTEMPTS: String(config.loginMaxAttempts),
    LOGIN_MAX_ATTEMPTS_PER_ADDRESS: String(config.loginMaxAttemptsPerAddress),
    LOGIN_WINDOW_MINUTES: String(config.loginWindowMinutes),
    PASSWORD_MIN_LENGTH: String(config.passwordMinLength),
    REMINDER_OFFSETS: config.reminderOffsets.map((o) => o.key).join(',') || null,
    REMINDER_CRON: config.reminderCron,
    IMAP_URL: config.imapUrls.join(',') || null,
    IMAP_PROCESSED_FOLDER: config.imapProcessedFolder,
    IMAP_REFUSED_FOLDER: config.imapRefusedFolder,
    IMAP_POLL_MS: String(config.imapPollMs),
    IMAP_RECONNECT_MAX_MS: String(config.imapReconnectMaxMs),
    IMAP_TLS_REJECT_UNAUTHORIZED: String(config.imapTlsRejectUnauthorized),
    IMAP_LEASE_MS: String(config.imapLeaseMs),
    EDXML_ORGAN_ID: config.edxmlOrganId,
    EDXML_ORGAN_NAME: config.edxmlOrganName,
  };
  return SETTINGS.map((spec) => {
    const value = effective[spec.env];
    const mask = (v: string) => (spec.list ? v.split(',').map(maskSecret).join(',') : maskSecret(v));
    const shown = value === null ? '(unset)' : spec.secret ? mask(value) : value;
    return `${spec.env}=${shown}  # ${spec.description}`;
  }).join('\n').concat(`\nTZ=${BUSINESS_TIME_ZONE}  # fixed: business dates are Vietnam time (${BUSINESS_UTC_OFFSET})\n`);
}
