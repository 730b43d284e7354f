// A tiny HTTP browser for web tests: a cookie jar, no redirects followed, CSRF tokens read from forms.
// node:http, not fetch: the path goes out exactly as written (fetch would resolve `%2e%2e` and `..` itself).
import assert from 'node:assert/strict';
import http from 'node:http';
import { runScript } from './product';

export interface WebResponse {
  status: number;
  location: string | null;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  html: string;
}

export class WebClient {
  readonly cookies = new Map<string, string>();

  /** `address`, when given, is sent as X-Forwarded-For (trusted from loopback): a client from that address. */
  constructor(private readonly base: string, private readonly address?: string) {}

  async request(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<WebResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (this.address) headers['x-forwarded-for'] = this.address;
    const body = form ? Buffer.from(new URLSearchParams(form).toString()) : undefined;
    if (body) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(body.length);
    }
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(this.base + '/', { method, path, headers }, resolve);
      req.once('error', reject);
      req.end(body);
    });
    for (const cookie of res.headers['set-cookie'] ?? []) {
      const [pair] = cookie.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (!value || /Expires=Thu, 01 Jan 1970/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const location = res.headers.location;
    return { status: res.statusCode ?? 0, location: location ?? null, headers: res.headers, body: bytes, html: bytes.toString('utf8') };
  }

  get(path: string): Promise<WebResponse> {
    return this.request('GET', path);
  }

  post(path: string, form: Record<string, string>): Promise<WebResponse> {
    return this.request('POST', path, form);
  }

  /** The CSRF token of the form on `path`. */
  async token(path: string): Promise<string> {
    const page = await this.get(path);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
    assert.ok(token, `no CSRF field on ${path} (status ${page.status})`);
    return token;
  }

  /** Logs in; the account's password must already be one it need not change. */
  /** Submits the login form, whatever comes of it. */
  async attemptLogin(username: string, password: string): Promise<WebResponse> {
    return this.post('/login', { _csrf: await this.token('/login'), username, password });
  }

  /** The server-side session id inside the signed cookie (`s:<id>.<signature>`). */
  sessionId(): string {
    const raw = decodeURIComponent(this.cookies.get('moihop.sid') ?? '');
    return raw.slice(2, raw.lastIndexOf('.'));
  }

  async login(username: string, password: string): Promise<void> {
    const res = await this.attemptLogin(username, password);
    assert.equal(res.status, 303, `login of ${username}: ${res.status}`);
    assert.doesNotMatch(res.location ?? '', /\/password/, `${username} still has to change its password`);
  }
}

/** Sets a known password as the operator would (no change required at the next login). */
export async function setPassword(env: Record<string, string>, username: string, password: string): Promise<void> {
  const result = await runScript('accounts', ['set-password', username, '--password-stdin'], env, `${password}\n`);
  assert.equal(result.code, 0, result.stderr);
}

/** A logged-in client for `username` with a password set by the operator. */
export async function loggedIn(base: string, env: Record<string, string>, username: string, password = "Binh-Thuan-2026-Hop!"): Promise<WebClient> {
  await setPassword(env, username, password);
  const client = new WebClient(base);
  await client.login(username, password);
  return client;
}
