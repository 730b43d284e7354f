// IMAP intake: one row per mailbox the gateway picks mail up from — where it got to (UIDVALIDITY and the last
// UID whose message was registered and moved away), the claim (lease) of the gateway process working it, and
// what `intake -- status` shows. Plus an index to recognise a re-fetched message that has no Message-ID.
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('imap_mailboxes', (t) => {
    // `user@host:port/folder`, never the password.
    t.string('mailbox', 500).primary();
    // UIDVALIDITY and UIDs are unsigned 32-bit: beyond a signed integer.
    t.bigInteger('uid_validity').nullable();
    t.bigInteger('last_uid').notNullable().defaultTo(0);
    t.string('lease_owner', 120).nullable();
    t.timestamp('lease_until', { useTz: true }).nullable();
    t.boolean('connected').notNullable().defaultTo(false);
    t.integer('backlog').nullable();
    t.timestamp('last_sync_at', { useTz: true }).nullable();
    t.text('last_error').nullable();
    t.timestamp('last_error_at', { useTz: true }).nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await db.schema.alterTable('documents', (t) => {
    t.index(['content_sha256'], 'documents_content_sha256_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('documents', (t) => {
    t.dropIndex(['content_sha256'], 'documents_content_sha256_idx');
  });
  await db.schema.dropTable('imap_mailboxes');
}
