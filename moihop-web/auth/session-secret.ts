// The secret signing the session cookie: SESSION_SECRET, or one generated once into DATA_DIR/session-secret.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config';

export const SESSION_SECRET_FILE_NAME = 'session-secret';

export function loadSessionSecret(config: Pick<Config, 'sessionSecret' | 'dataDir'>): string {
  if (config.sessionSecret) return config.sessionSecret;
  const file = path.join(config.dataDir, SESSION_SECRET_FILE_NAME);
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx': two processes starting together cannot both write one; the loser reads the winner's.
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file}: bí mật phiên quá ngắn / session secret too short (delete the file to regenerate)`);
  return secret;
}
