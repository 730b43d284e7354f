// Reports on the incoming register kept for download (QĐ 3143 Điều 11: the quarterly statistics, due the 20th
// of the quarter's last month). One row per report period: the unique `period_key` is how two processes agree
// that only one of them generates a quarter; the workbook itself is kept in the row, so every web process
// serves it and a database backup holds it.
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('register_reports', (t) => {
    t.string('id', 40).primary();
    // `2026-Q4`: the claim of one generation per quarter.
    t.string('period_key', 40).notNullable().unique({ indexName: 'register_reports_period_key_unique' });
    t.string('kind', 20).notNullable();
    // Days of arrival (Vietnam), yyyy-mm-dd, both inclusive.
    t.string('period_from', 10).notNullable();
    t.string('period_to', 10).notNullable();
    // 'generating' while claimed, 'ready' once the workbook is stored.
    t.string('status', 20).notNullable();
    t.string('claimed_by', 200).notNullable();
    t.timestamp('claimed_at', { useTz: true }).notNullable();
    t.timestamp('generated_at', { useTz: true }).nullable();
    t.text('filename').nullable();
    t.binary('content').nullable();
    t.integer('size').nullable();
    t.string('sha256', 64).nullable();
    t.integer('documents').nullable();
    t.index(['status', 'period_to'], 'register_reports_status_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('register_reports');
}
