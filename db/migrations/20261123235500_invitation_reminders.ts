// Reminder slots claimed in the database: whichever process inserts the (invitation, slot) row first sends that
// slot's reminders, in the same transaction; every other process, and every later tick, sees the row and skips.
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('invitation_reminders', (t) => {
    t.string('invitation_id', 40).notNullable().references('id').inTable('invitations').onDelete('CASCADE');
    // The offset and the moment it counts from (`meeting-24h@2026-11-25T08:00:00.000+07:00`): a moved meeting
    // gets its reminders again, for its new time.
    t.string('slot', 120).notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.string('claimed_by', 120).notNullable();
    t.timestamp('claimed_at', { useTz: true }).notNullable();
    t.integer('units').notNullable();
    t.primary(['invitation_id', 'slot']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('invitation_reminders');
}
