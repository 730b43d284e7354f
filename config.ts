// Every setting of the product, in one place: name, default, one-line meaning.
// Read from the environment once at start; tests pass their own `env` object.
import path from 'node:path';

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
  outboundSmtpUrl: string | null;
  trustDir: string;
  logLevel: LogLevel;
  smtpBannerName: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export class ConfigError extends Error {}

interface SettingSpec {
  env: string;
  defaultValue: string | null;
  secret?: boolean;
  description: string;
}

/** The documented settings, in the order `print-config` shows them. */
export const SETTINGS: SettingSpec[] = [
  { env: 'SMTP_HOST', defaultValue: '0.0.0.0', description: 'address the SMTP gateway listens on' },
  { env: 'SMTP_PORT', defaultValue: '2525', description: 'port of the SMTP gateway (0: any free port)' },
  { env: 'SMTP_BANNER_NAME', defaultValue: 'mail.binhthuan.gov.vn', description: 'host name the gateway gives in its 220 greeting' },
  { env: 'WEB_HOST', defaultValue: '0.0.0.0', description: 'address the website listens on' },
  { env: 'WEB_PORT', defaultValue: '3000', description: 'port of the website (0: any free port)' },
  { env: 'PUBLIC_URL', defaultValue: null, description: 'address people use to reach the website, for links in mail (default http://localhost:WEB_PORT)' },
  { env: 'DATA_DIR', defaultValue: './data', description: 'folder for the SQLite database, stored mail and attachments' },
  { env: 'DATABASE_URL', defaultValue: null, secret: true, description: 'unset: SQLite file in DATA_DIR; postgres://user:pass@host:port/db: PostgreSQL' },
  { env: 'DATABASE_SCHEMA', defaultValue: null, description: 'PostgreSQL schema to use (default: the server default, usually public)' },
  { env: 'GATEWAY_ADDRESSES', defaultValue: 'ubnd@binhthuan.gov.vn', description: 'comma list of official addresses the gateway accepts mail for' },
  { env: 'OUTBOUND_SMTP_URL', defaultValue: null, secret: true, description: 'relay for mail we send (smtp://user:pass@host:port); unset: mail waits in the outbox' },
  { env: 'TRUST_DIR', defaultValue: './trust', description: 'folder of trusted root and intermediate certificates (.pem .crt .cer .der) and CRLs (.crl)' },
  { env: 'LOG_LEVEL', defaultValue: 'info', description: 'debug, info, warn, error or silent' },
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

function readDatabaseUrl(env: NodeJS.ProcessEnv): string | null {
  const url = read(env, 'DATABASE_URL');
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError('DATABASE_URL phải bắt đầu bằng postgres:// / must start with postgres:// (leave it unset for SQLite)');
  }
  return url;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const webPort = readPort(env, 'WEB_PORT');
  return {
    smtpHost: read(env, 'SMTP_HOST')!,
    smtpPort: readPort(env, 'SMTP_PORT'),
    smtpBannerName: read(env, 'SMTP_BANNER_NAME')!,
    webHost: read(env, 'WEB_HOST')!,
    webPort,
    publicUrl: (read(env, 'PUBLIC_URL') ?? `http://localhost:${webPort}`).replace(/\/+$/, ''),
    dataDir: path.resolve(cwd, read(env, 'DATA_DIR')!),
    databaseUrl: readDatabaseUrl(env),
    databaseSchema: read(env, 'DATABASE_SCHEMA'),
    gatewayAddresses: readAddresses(env),
    outboundSmtpUrl: read(env, 'OUTBOUND_SMTP_URL'),
    trustDir: path.resolve(cwd, read(env, 'TRUST_DIR')!),
    logLevel: readLogLevel(env),
  };
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
    WEB_HOST: config.webHost,
    WEB_PORT: String(config.webPort),
    PUBLIC_URL: config.publicUrl,
    DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl,
    DATABASE_SCHEMA: config.databaseSchema,
    GATEWAY_ADDRESSES: config.gatewayAddresses.join(','),
    OUTBOUND_SMTP_URL: config.outboundSmtpUrl,
    TRUST_DIR: config.trustDir,
    LOG_LEVEL: config.logLevel,
  };
  return SETTINGS.map((spec) => {
    const value = effective[spec.env];
    const shown = value === null ? '(unset)' : spec.secret ? maskSecret(value) : value;
    return `${spec.env}=${shown}  # ${spec.description}`;
  }).join('\n').concat(`\nTZ=${BUSINESS_TIME_ZONE}  # fixed: business dates are Vietnam time (${BUSINESS_UTC_OFFSET})\n`);
}
