// The unit directory: bodies from the three appendices of QĐ 3143/QĐ-UBND, their addresses.
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('units', (t) => {
    t.string('id', 120).primary();
    t.text('name').notNullable();
    t.string('parent_id', 120).nullable().references('id').inTable('units');
    t.string('grp', 20).notNullable();
    t.string('organ_id', 13).nullable().unique();
    t.string('moihop_username', 40).nullable().unique();
    t.text('sources').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['parent_id']);
  });
  await db.schema.createTable('unit_emails', (t) => {
    t.string('unit_id', 120).notNullable().references('id').inTable('units').onDelete('CASCADE');
    t.string('email', 254).notNullable();
    t.integer('position').notNullable();
    t.primary(['unit_id', 'email']);
    t.index(['email']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('unit_emails');
  await db.schema.dropTable('units');
}
