// Starts the website on WEB_HOST:WEB_PORT.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { createWebApp } from './app';
import { createLogger } from '../log';

const log = createLogger('web');

export interface RunningWeb {
  port: number;
  close(): Promise<void>;
}

export function startWeb(db: Knex, config: Config): Promise<RunningWeb> {
  const server = http.createServer(createWebApp(db, config));
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.webPort, config.webHost, () => {
      const port = (server.address() as AddressInfo).port;
      log.info('WEB_LISTENING', 'website listening', { host: config.webHost, port });
      resolve({
        port,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
