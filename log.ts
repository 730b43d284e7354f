// One logger for the whole product: `<time> <LEVEL> [component] EVENT_CODE message key=value…`.
// Event codes are stable (operators grep and alert on them); messages may change.
import type { LogLevel } from './config';
import { formatIsoVietnam } from './db/time';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let currentLevel: LogLevel = (process.env.LOG_LEVEL as LogLevel) in LEVEL_ORDER ? (process.env.LOG_LEVEL as LogLevel) : 'info';

export function setLogLevel(level: LogLevel): void {
  currentLevel = level;
}

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, message: string, fields?: LogFields): void;
  info(event: string, message: string, fields?: LogFields): void;
  warn(event: string, message: string, fields?: LogFields): void;
  error(event: string, message: string, fields?: LogFields): void;
}

function formatFields(fields: LogFields | undefined): string {
  if (!fields) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = String(value);
    parts.push(`${key}=${/[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text}`);
  }
  return parts.length ? ' ' + parts.join(' ') : '';
}

export function createLogger(component: string): Logger {
  const write = (level: Exclude<LogLevel, 'silent'>, event: string, message: string, fields?: LogFields) => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[currentLevel]) return;
    const line = `${formatIsoVietnam(new Date(), true)} ${level.toUpperCase()} [${component}] ${event} ${message}${formatFields(fields)}\n`;
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line);
  };
  return {
    debug: (event, message, fields) => write('debug', event, message, fields),
    info: (event, message, fields) => write('info', event, message, fields),
    warn: (event, message, fields) => write('warn', event, message, fields),
    error: (event, message, fields) => write('error', event, message, fields),
  };
}
