// A database, a signed Giấy mời with its trust folder, and a real SMTP sink as the relay: what the invitation
// mail tests (delivery, reminders) run against, on SQLite or PostgreSQL.
import { loadConfig, Config } from '../../config';
import { prepareDatabase } from '../../db/prepare';
import { DatabaseKind, openTestDatabase, TestDatabase } from './databases';
import { startSmtpSink, SmtpSink } from './smtp-sink';
import { makeInvitationFiles, InvitationFiles } from './invitation-fixtures';

export interface InvitationMailSetup {
  t: TestDatabase;
  files: InvitationFiles;
  sink: SmtpSink;
  config: Config;
}

export async function withInvitationMailSetup(
  kind: DatabaseKind, body: (s: InvitationMailSetup) => Promise<void>, sinkOptions: Parameters<typeof startSmtpSink>[0] = {},
): Promise<void> {
  const t = await openTestDatabase(kind);
  const files = await makeInvitationFiles();
  const sink = await startSmtpSink(sinkOptions);
  try {
    await prepareDatabase(t.db);
    const config = loadConfig({ ...t.env, TRUST_DIR: files.trustDir, OUTBOUND_SMTP_URL: sink.url, PUBLIC_URL: 'https://moihop.binhthuan.gov.vn' });
    await body({ t, files, sink, config });
  } finally {
    await sink.close();
    files.remove();
    await t.dispose();
  }
}
