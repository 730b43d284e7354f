// Runs only the IMAP intake, as the product does, and kills itself (SIGKILL: no cleanup at all) right after
// the message with UID CRASH_AFTER_UID is committed to the register and before it is moved on the server.
import { loadConfig } from '../../config';
import { openPreparedDatabase } from '../../db/prepare';
import { startImapIntake } from '../../mail-gateway/imap/intake';
import { timeLimitedResolver } from '../../mail-gateway/sender-checks/mail-auth';
import { setLogLevel } from '../../log';

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const crashAfter = Number(process.env.CRASH_AFTER_UID);
  const db = await openPreparedDatabase(config);
  startImapIntake({ db, config, resolver: timeLimitedResolver(config.dnsTimeoutMs) }, {
    afterCommit: (uid, outcome) => {
      if (uid !== crashAfter) return;
      process.stdout.write(`COMMITTED uid=${uid} kind=${outcome.kind} id=${outcome.id}\n`);
      process.kill(process.pid, 'SIGKILL');
    },
  });
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
