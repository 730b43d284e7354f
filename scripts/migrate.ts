// `npm run -s migrate [-- --down-all | --status]`: applies (or lists, or reverts) the database migrations.
import { openDatabase } from '../db/connection';
import { migrateDownAll, migrateLatest, migrationStatus } from '../db/migrate';
import { commandConfig, runCommand, UsageError } from './cli';

runCommand('migrate', async () => {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !['--down-all', '--status'].includes(a));
  if (unknown.length) throw new UsageError(`tham số không hiểu / unknown argument ${unknown[0]}; usage: migrate [--status | --down-all]`);
  const db = await openDatabase(commandConfig());
  try {
    if (args.includes('--status')) {
      const { applied, pending } = await migrationStatus(db);
      for (const name of applied) console.log(`applied  ${name}`);
      for (const name of pending) console.log(`pending  ${name}`);
    } else if (args.includes('--down-all')) {
      const reverted = await migrateDownAll(db);
      console.log(`reverted ${reverted.length} migration(s)`);
    } else {
      const applied = await migrateLatest(db);
      console.log(applied.length ? applied.map((n) => `applied  ${n}`).join('\n') : 'up to date');
    }
  } finally {
    await db.destroy();
  }
});
