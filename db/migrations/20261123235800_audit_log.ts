// The audit log: every admin action and every change of a unit's answer, with who, when, and the values before
// and after (JSON of the fields that changed). Written in the transaction of the change it records.
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('audit_log', (t) => {
    t.increments('id').primary();
    t.timestamp('at', { useTz: true }).notNullable();
    t.string('actor', 120).notNullable();
    t.string('action', 60).notNullable();
    t.string('object_type', 30).notNullable();
    t.string('object_id', 120).notNullable();
    t.text('summary').notNullable();
    t.text('before_json').nullable();
    t.text('after_json').nullable();
    t.index(['object_type', 'object_id', 'id'], 'audit_log_object_idx');
    t.index(['actor', 'id'], 'audit_log_actor_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('audit_log');
}
