// Mail that is rendered when it is sent: an invitation to 10,000 recipients queues 10,000 small rows in the
// transaction of the change (the promise to send), not 10,000 copies of a MIME message with its PDF.
// `render_spec` names the renderer and what it needs; `raw_message` stays '' for such rows.
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('outbox', (t) => {
    t.text('render_spec').nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('outbox', (t) => {
    t.dropColumn('render_spec');
  });
}
