// Answers by mail (reply to the invitation mail, received by the gateway at INVITATION_REPLY_ADDRESS):
// - where an answer came from: `source` ('web' or 'mail') on every answer of the history and on the current
//   answer of each invited unit; a mail answer also names the answer mail it came from;
// - `answer_mails`: every mail received at the reply address, with its stored raw message, what it was
//   recognised as (invitation, unit, answer), the sender's authentication results and the outcome: applied,
//   or why not. Nothing that arrives is lost, also when it could not be applied.
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('invitation_answers', (t) => {
    t.string('source', 10).notNullable().defaultTo('web');
    t.string('answer_mail_id', 40).nullable();
  });
  await db.schema.alterTable('invitation_units', (t) => {
    t.string('answer_source', 10).nullable();
  });
  await db.schema.createTable('answer_mails', (t) => {
    t.string('id', 40).primary();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.string('intake', 10).notNullable();
    t.text('envelope_from').nullable();
    // JSON array of the reply-address recipients of the envelope.
    t.text('rcpt_to').notNullable();
    t.text('header_from').nullable();
    t.text('message_id').nullable();
    t.text('subject').nullable();
    // The same bytes again (a sender's retry) are recognised and answered with the first outcome.
    t.string('content_sha256', 64).notNullable().unique();
    t.text('raw_path').notNullable();
    t.bigInteger('raw_size').notNullable();
    t.string('unit_id', 120).nullable().references('id').inTable('units');
    t.string('invitation_id', 40).nullable().references('id').inTable('invitations');
    // How the invitation was found: tag (plus-tagged address), uid (iTIP UID), thread (In-Reply-To/References).
    t.string('invitation_found_by', 10).nullable();
    // itip: a calendar REPLY; text: a plain reply; null: neither was read.
    t.string('method', 10).nullable();
    t.string('answer', 40).nullable();
    // APPLIED or the reason it was not (stable code), with the Vietnamese text the sender was (or would be) told.
    t.string('outcome', 40).notNullable();
    t.text('outcome_message').notNullable();
    // JSON: the answer read (name, position, reason, iTIP PARTSTAT…), for the record.
    t.text('details').notNullable();
    // JSON: SPF, DKIM, DMARC, alignment, client address and HELO, and how the sender was accepted.
    t.text('auth_results').notNullable();
    t.integer('answer_id').nullable();
    t.string('confirmation_dedupe_key', 200).nullable();
    t.index(['invitation_id', 'unit_id'], 'answer_mails_invitation_unit_idx');
    t.index(['received_at'], 'answer_mails_received_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('answer_mails');
  await db.schema.alterTable('invitation_units', (t) => {
    t.dropColumn('answer_source');
  });
  await db.schema.alterTable('invitation_answers', (t) => {
    t.dropColumn('answer_mail_id');
    t.dropColumn('source');
  });
}
