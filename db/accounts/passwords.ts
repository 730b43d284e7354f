// Password hashing (argon2id), random initial passwords, and the rules a chosen password must meet.
import crypto from 'node:crypto';
import * as argon2 from 'argon2';

// OWASP's argon2id baseline for people's passwords: 19 MiB, 2 passes, 1 lane.
const HASH_OPTIONS: argon2.HashOptions = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** Longer inputs are refused before hashing: no one types more, and it bounds the work per request. */
export const PASSWORD_MAX_LENGTH = 200;

// No look-alikes (0/O, 1/l/I): people copy these from paper.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password of 14 characters (~81 bits). */
export function generatePassword(length = 14): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return out;
}

// A generated password carries ~81 random bits: guessing it is out of reach whatever the hash costs,
// so it needs no key stretching and a light argon2id keeps first setup (130 hashes) fast. A password a
// person chose gets the full cost. verify() reads the parameters from the stored hash, so both check alike.
const GENERATED_HASH_OPTIONS: argon2.HashOptions = { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 };

/** Hash of a password a person chose. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

/** Hash of a password made by generatePassword(). */
export function hashGeneratedPassword(password: string): Promise<string> {
  return argon2.hash(password, GENERATED_HASH_OPTIONS);
}

/** False for a wrong password and for a malformed stored hash alike. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let decoyHash: Promise<string> | null = null;

/** Spends the time of one verification, so an unknown username answers as slowly as a wrong password. */
export async function verifyAgainstDecoy(password: string): Promise<void> {
  decoyHash ??= hashPassword(generatePassword());
  await verifyPassword(await decoyHash, password);
}

/** Why `candidate` may not become the password of `username` (Vietnamese), or null when it may. */
export function passwordProblem(candidate: string, username: string, minLength: number): string | null {
  if (candidate.length < minLength) return `Mật khẩu mới phải có ít nhất ${minLength} ký tự.`;
  if (candidate.length > PASSWORD_MAX_LENGTH) return `Mật khẩu mới dài quá ${PASSWORD_MAX_LENGTH} ký tự.`;
  if (candidate.trim() !== candidate) return 'Mật khẩu mới không được bắt đầu hoặc kết thúc bằng khoảng trắng.';
  if (candidate.toLowerCase().includes(username.toLowerCase())) return 'Mật khẩu mới không được chứa tên đăng nhập.';
  if (new Set(candidate).size < 4) return 'Mật khẩu mới quá đơn giản (quá ít ký tự khác nhau).';
  return null;
}
