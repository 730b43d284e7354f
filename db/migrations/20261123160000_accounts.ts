// Website accounts (one per moihop username, plus VP UBND staff), their failed logins, and the
// server-side sessions of the website (the table shape connect-session-knex expects).
import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('accounts', (t) => {
    t.increments('id').primary();
    t.string('username', 40).notNullable().unique();
    t.string('unit_id', 120).nullable().references('id').inTable('units');
    t.string('role', 10).notNullable();
    t.text('password_hash').notNullable();
    t.boolean('must_change_password').notNullable();
    t.string('password_source', 10).notNullable();
    t.integer('session_epoch').notNullable().defaultTo(0);
    t.timestamp('password_changed_at', { useTz: true }).notNullable();
    t.timestamp('last_login_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['unit_id']);
  });
  await db.schema.createTable('login_failures', (t) => {
    t.increments('id').primary();
    t.integer('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('address', 64).notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['account_id', 'at']);
  });
  await db.schema.createTable('sessions', (t) => {
    t.string('sid', 255).primary();
    t.json('sess').notNullable();
    t.timestamp('expired', { useTz: true }).notNullable().index();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('sessions');
  await db.schema.dropTable('login_failures');
  await db.schema.dropTable('accounts');
}
