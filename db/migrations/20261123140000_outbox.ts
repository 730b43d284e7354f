// The outbox: every mail we send (notices to senders, later invitations to units), one recipient per row.
// The whole MIME message is stored once, when queued, so every attempt and every resend is byte-identical
// and keeps its Message-ID; the sender worker only moves rows through queued → sending → sent | failed.
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('outbox', (t) => {
    t.increments('id').primary();
    t.string('kind', 40).notNullable();
    t.string('reference', 120).nullable();
    t.string('dedupe_key', 200).notNullable().unique();
    t.integer('priority').notNullable().defaultTo(0);
    // Envelope sender (MAIL FROM); '' is the null sender <> that notices use.
    t.string('sender', 254).notNullable().defaultTo('');
    t.string('recipient', 254).notNullable();
    t.text('subject').notNullable();
    t.string('message_id', 250).notNullable();
    t.text('raw_message').notNullable();
    t.enu('status', ['queued', 'sending', 'sent', 'failed']).notNullable().defaultTo('queued');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable();
    t.timestamp('last_attempt_at', { useTz: true }).nullable();
    t.text('last_error').nullable();
    t.text('relay_response').nullable();
    t.string('claimed_by', 120).nullable();
    t.timestamp('claimed_until', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true }).nullable();
    // The worker's two questions: which queued rows are due, which leases have run out.
    t.index(['status', 'next_attempt_at'], 'outbox_due_idx');
    t.index(['status', 'claimed_until'], 'outbox_lease_idx');
    t.index(['kind', 'reference'], 'outbox_reference_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('outbox');
}
