// Meeting invitations (Giấy mời họp): the invitation, its files (the signed Giấy mời and the meeting papers),
// the units invited with their first read and current answer, the history of answers and of the invitation.
// The value lists below are copied, not imported: a landed migration must not change when code does.
import type { Knex } from 'knex';

const URGENCIES = ['Bình thường', 'Khẩn', 'Thượng khẩn', 'Hỏa tốc'];
const STATUSES = ['nháp', 'đã phát hành', 'đã sửa đổi', 'đã hủy'];
const ANSWERS = ['tham dự', 'cử người dự thay', 'không tham dự'];
const FILE_KINDS = ['giấy mời', 'tài liệu'];

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('invitations', (t) => {
    t.string('id', 40).primary();
    t.enu('status', STATUSES).notNullable();
    t.text('title').notNullable();
    t.text('doc_number').nullable();
    t.text('host').nullable();
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    // yyyy-mm-dd of starts_at in Vietnam: the month filter and the day grouping, the same on both databases.
    t.string('starts_on', 10).notNullable();
    t.text('place').notNullable();
    t.text('content').nullable();
    t.enu('urgency', URGENCIES).notNullable();
    t.timestamp('answer_deadline', { useTz: true }).notNullable();
    // RFC 5545 SEQUENCE of the .ics: rises at every change after publishing and at the cancellation.
    t.integer('sequence').notNullable().defaultTo(0);
    // True for an invitation published with an unsigned or invalid PDF ("bản tham khảo").
    t.boolean('reference_only').notNullable();
    t.string('verdict', 20).notNullable();
    t.text('verification').notNullable();
    t.text('warnings').notNullable();
    // Title, number, host, place and content folded (lower case, no diacritics) for search on both databases.
    t.text('search_text').notNullable();
    t.string('created_by', 120).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.timestamp('published_at', { useTz: true }).nullable();
    t.timestamp('cancelled_at', { useTz: true }).nullable();
    t.text('cancel_reason').nullable();
    t.index(['status', 'starts_on'], 'invitations_status_starts_on_idx');
  });

  await db.schema.createTable('invitation_files', (t) => {
    t.string('invitation_id', 40).notNullable().references('id').inTable('invitations');
    t.integer('position').notNullable();
    t.enu('kind', FILE_KINDS).notNullable();
    // The name shown and offered on download, cleaned; the file on disk never uses it.
    t.text('filename').notNullable();
    // Generated name inside DATA_DIR/invitations/<id>/ (letters, digits, '-', '.').
    t.string('stored_name', 80).notNullable();
    t.string('content_type', 100).notNullable();
    t.bigInteger('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.timestamp('added_at', { useTz: true }).notNullable();
    // Set on a Giấy mời replaced by an amended one: kept for the record, no longer offered to units.
    t.timestamp('superseded_at', { useTz: true }).nullable();
    t.primary(['invitation_id', 'position']);
  });

  await db.schema.createTable('invitation_units', (t) => {
    t.string('invitation_id', 40).notNullable().references('id').inTable('invitations');
    t.string('unit_id', 120).notNullable().references('id').inTable('units');
    t.timestamp('first_read_at', { useTz: true }).nullable();
    t.string('first_read_by', 40).nullable();
    // The current answer; every answer given is also in invitation_answers.
    t.enu('answer', ANSWERS).nullable();
    t.text('attendee_name').nullable();
    t.text('attendee_position').nullable();
    t.string('attendee_phone', 40).nullable();
    t.text('reason').nullable();
    t.timestamp('answered_at', { useTz: true }).nullable();
    t.string('answered_by', 40).nullable();
    // The invitation's sequence when the unit answered: an answer older than the last change shows as such.
    t.integer('answered_sequence').nullable();
    t.primary(['invitation_id', 'unit_id']);
    t.index(['unit_id'], 'invitation_units_unit_idx');
  });

  await db.schema.createTable('invitation_answers', (t) => {
    t.increments('id').primary();
    t.string('invitation_id', 40).notNullable().references('id').inTable('invitations');
    t.string('unit_id', 120).notNullable().references('id').inTable('units');
    t.enu('answer', ANSWERS).notNullable();
    t.text('attendee_name').nullable();
    t.text('attendee_position').nullable();
    t.string('attendee_phone', 40).nullable();
    t.text('reason').nullable();
    t.timestamp('answered_at', { useTz: true }).notNullable();
    t.string('answered_by', 40).notNullable();
    t.integer('sequence').notNullable();
    t.index(['invitation_id', 'unit_id', 'id'], 'invitation_answers_unit_idx');
  });

  await db.schema.createTable('invitation_history', (t) => {
    t.increments('id').primary();
    t.string('invitation_id', 40).notNullable().references('id').inTable('invitations');
    t.enu('status', STATUSES).notNullable();
    t.integer('sequence').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.string('actor', 120).notNullable();
    t.text('note').nullable();
    t.index(['invitation_id', 'id'], 'invitation_history_invitation_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('invitation_history');
  await db.schema.dropTable('invitation_answers');
  await db.schema.dropTable('invitation_units');
  await db.schema.dropTable('invitation_files');
  await db.schema.dropTable('invitations');
}
