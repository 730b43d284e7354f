// A line-level SMTP client for protocol edge cases that a real mail client would never produce.
import net from 'node:net';
import tls from 'node:tls';

export interface Reply {
  code: number;
  /** All lines of the reply, joined by \n, without the code prefixes. */
  text: string;
  /** The reply as sent, e.g. "550 5.7.1 relaying denied". */
  raw: string;
}

export class RawSmtp {
  private buffer = '';
  private readonly replies: Reply[] = [];
  private waiting: Array<() => void> = [];
  closed = false;

  private constructor(private socket: net.Socket | tls.TLSSocket) {
    this.listen(socket);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawSmtp> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawSmtp(socket)));
      socket.once('error', reject);
    });
  }

  private listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.parse();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private parse(): void {
    let lines: string[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end === -1) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      lines.push(line);
      if (line[3] !== '-') {
        this.replies.push({ code: Number(line.slice(0, 3)), text: lines.map((l) => l.slice(4)).join('\n'), raw: lines.join('\n') });
        lines = [];
      }
    }
    if (lines.length) this.buffer = lines.map((l) => `${l}\r\n`).join('') + this.buffer;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  /** The next reply; rejects when the server closes the connection first. */
  async reply(): Promise<Reply> {
    while (this.replies.length === 0) {
      if (this.closed) throw new Error('connection closed by the server');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return this.replies.shift()!;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends one command line and returns its reply. */
  async command(line: string): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** Upgrades the connection with STARTTLS (certificate not checked: the gateway's is self-signed). */
  async startTls(servername = 'localhost'): Promise<tls.TLSSocket> {
    const ready = await this.command('STARTTLS');
    if (ready.code !== 220) throw new Error(`STARTTLS refused: ${ready.raw}`);
    const plain = this.socket as net.Socket;
    plain.removeAllListeners('data');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, servername });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
    return secure;
  }

  /** Waits until the server has closed the connection. */
  async closedByServer(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
