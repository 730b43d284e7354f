// DATA_DIR/initial-passwords.txt: the initial passwords of first setup, for the admin to hand to units.
// Only ever appended (an older batch is never overwritten), readable by its owner only (0600).
import fs from 'node:fs';
import path from 'node:path';
import { formatIsoVietnam } from '../time';

export const INITIAL_PASSWORDS_FILE_NAME = 'initial-passwords.txt';

export interface IssuedPassword {
  username: string;
  password: string;
  role: string;
  unitName: string | null;
}

export function initialPasswordsPath(dataDir: string): string {
  return path.join(dataDir, INITIAL_PASSWORDS_FILE_NAME);
}

/** Appends one dated batch (`username<TAB>password<TAB>role<TAB>unit`) and fsyncs; returns the file path. */
export function appendInitialPasswords(dataDir: string, entries: IssuedPassword[], now: Date): string {
  const file = initialPasswordsPath(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const lines = [
    `# ${formatIsoVietnam(now)} — mật khẩu ban đầu của ${entries.length} tài khoản mới, phải đổi ở lần đăng nhập đầu / initial passwords of ${entries.length} new accounts, to be changed at first login`,
    ...entries.map((e) => [e.username, e.password, e.role, e.unitName ?? ''].join('\t')),
  ];
  const fd = fs.openSync(file, 'a', 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // also tightens a file an operator copied in with looser rights
    fs.writeSync(fd, lines.join('\n') + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** username → password of the latest batch naming it; empty when the file is missing. */
export function readInitialPasswords(dataDir: string): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(initialPasswordsPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  const passwords = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [username, password] = line.split('\t');
    if (username && password) passwords.set(username, password);
  }
  return passwords;
}
