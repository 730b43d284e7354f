// The incoming register (sổ đăng ký văn bản đến): one row per message that arrived, numbered or refused,
// with its attachments, its status history and the per-year số đến counter.
// The value lists below are copied, not imported: a landed migration must not change when code does.
import type { Knex } from 'knex';

// Fixed by regulation (QĐ 3143 Điều 10, NĐ 30/2020), so the database may enforce them.
const URGENCIES = ['Bình thường', 'Khẩn', 'Thượng khẩn', 'Hỏa tốc'];
const STATUSES = ['đã đến', 'đã tiếp nhận', 'đã chuyển xử lý', 'đang xử lý', 'hoàn thành', 'từ chối', 'thu hồi'];

export async function up(db: Knex): Promise<void> {
  // One row per calendar year (Vietnam time); the row lock serialises số đến allocation across processes.
  await db.schema.createTable('register_counters', (t) => {
    t.integer('year').primary();
    t.integer('last_so_den').notNullable();
  });

  // Text that comes from outside (addresses, headers, PDF text) is `text`: a length limit would turn an odd
  // message into an endless 4xx loop instead of a stored one.
  await db.schema.createTable('documents', (t) => {
    t.string('id', 40).primary();
    t.integer('year').notNullable();
    t.integer('so_den').nullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
    // yyyy-mm-dd of received_at in Vietnam: the register book's day, the same on both databases.
    t.string('received_on', 10).notNullable();
    t.timestamp('processing_from', { useTz: true }).nullable();
    t.string('intake', 20).notNullable();
    t.text('envelope_from').nullable();
    t.text('header_from').nullable();
    t.text('message_id').nullable();
    t.string('content_sha256', 64).nullable();
    // SHA-256 of (envelope sender, Message-ID, content hash); null without a Message-ID. Unique, so the same
    // delivery can never be registered twice, and fixed-length, so a huge Message-ID cannot break the index.
    t.string('delivery_key', 64).nullable().unique();
    t.text('raw_path').nullable();
    t.integer('raw_size').nullable();
    t.string('unit_id', 120).nullable().references('id').inTable('units');
    t.text('subject').nullable();
    t.enu('urgency', URGENCIES).notNullable();
    t.text('doc_number').nullable();
    // doc_number folded for comparison (no spaces, capitals), bounded in length for the index.
    t.string('doc_number_key', 200).nullable();
    t.string('issue_date', 10).nullable();
    t.text('doc_type').nullable();
    t.text('trich_yeu').nullable();
    t.string('verdict', 20).nullable();
    t.text('problems').notNullable();
    t.text('warnings').notNullable();
    t.text('verification').nullable();
    t.text('auth_results').nullable();
    t.enu('status', STATUSES).notNullable();
    t.boolean('reference_only').notNullable();
    t.timestamp('recalled_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['year', 'so_den'], { indexName: 'documents_year_so_den_unique' });
    // Duplicate số/ký hiệu and recalls: by number, then unit (the sender address is filtered after, as an
    // address in a btree index could exceed PostgreSQL's entry size).
    t.index(['doc_number_key', 'unit_id'], 'documents_number_unit_idx');
    t.index(['received_on'], 'documents_received_on_idx');
    t.index(['status'], 'documents_status_idx');
  });

  await db.schema.createTable('document_attachments', (t) => {
    t.string('document_id', 40).notNullable().references('id').inTable('documents');
    t.integer('position').notNullable();
    t.text('filename').notNullable();
    t.text('content_type').nullable();
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    // Relative to DATA_DIR; null when the file is kept only inside the stored .eml.
    t.text('stored_path').nullable();
    t.boolean('is_main').notNullable().defaultTo(false);
    t.string('verdict', 20).nullable();
    t.primary(['document_id', 'position']);
  });

  await db.schema.createTable('document_status_history', (t) => {
    t.increments('id').primary();
    t.string('document_id', 40).notNullable().references('id').inTable('documents');
    t.enu('status', STATUSES).notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.string('actor', 120).notNullable();
    t.text('note').nullable();
    t.index(['document_id', 'id'], 'document_status_history_document_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('document_status_history');
  await db.schema.dropTable('document_attachments');
  await db.schema.dropTable('documents');
  await db.schema.dropTable('register_counters');
}
