// Saved custom groups of units (e.g. "Thành viên Ban Chỉ đạo phòng chống thiên tai"), which the admin picks as
// recipients of an invitation. The standing groups ("tất cả Sở", "UBND cấp huyện", …) are derived from the
// directory and never stored.
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('unit_groups', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable();
    // Lower case without diacritics: one group per name, whatever its spelling.
    t.string('name_key', 200).notNullable().unique();
    t.string('created_by', 120).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await db.schema.createTable('unit_group_members', (t) => {
    t.integer('group_id').notNullable().references('id').inTable('unit_groups').onDelete('CASCADE');
    t.string('unit_id', 120).notNullable().references('id').inTable('units');
    t.primary(['group_id', 'unit_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('unit_group_members');
  await db.schema.dropTable('unit_groups');
}
