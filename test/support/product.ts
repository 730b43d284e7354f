// Starts the real product (`node dist/main.js`) as a child process on free ports.
import { spawn, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DIST_DIR } from './paths';

export interface RunningProduct {
  child: ChildProcess;
  smtpPort: number;
  webPort: number;
  output(): string;
  stop(): Promise<number | null>;
}

export interface ExitedProduct {
  code: number | null;
  stdout: string;
  stderr: string;
}

function productEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // LOG_LEVEL stays at info: the READY and *_LISTENING lines are how the test learns the ports.
  return { PATH: process.env.PATH, HOME: process.env.HOME, SMTP_PORT: '0', WEB_PORT: '0', SMTP_HOST: '127.0.0.1', WEB_HOST: '127.0.0.1', ...env, LOG_LEVEL: 'info' };
}

/** Starts the product and resolves once it logs READY, with the ports it bound. */
export function startProduct(env: Record<string, string>, args: string[] = []): Promise<RunningProduct> {
  const child = spawn(process.execPath, [path.join(DIST_DIR, 'main.js'), ...args], { env: productEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let smtpPort = 0;
  let webPort = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      smtpPort ||= Number(/SMTP_LISTENING .*port=(\d+)/.exec(out)?.[1] ?? 0);
      webPort ||= Number(/WEB_LISTENING .*port=(\d+)/.exec(out)?.[1] ?? 0);
      if (/ READY /.test(out)) {
        resolve({
          child,
          smtpPort,
          webPort,
          output: () => out,
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`product exited with ${code} before READY:\n${out}`)));
    // A safety net so a broken start fails the test instead of hanging the whole run.
    setTimeout(() => {
      if (!/ READY /.test(out)) child.kill('SIGKILL');
    }, 120_000).unref();
  });
}

/** Runs the product expecting it to fail at start; resolves with what it printed. */
export function runProductToExit(env: Record<string, string>, timeoutMs = 60_000): Promise<ExitedProduct> {
  const child = spawn(process.execPath, [path.join(DIST_DIR, 'main.js')], { env: productEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs an npm-script command (`node dist/scripts/<name>.js`) and collects its output. */
export function runScript(name: string, args: string[], env: Record<string, string>, input?: string): Promise<ExitedProduct> {
  const child = spawn(process.execPath, [path.join(DIST_DIR, 'scripts', `${name}.js`), ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin!.end(input ?? '');
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
