// Migrations and the unit data access, on SQLite and on PostgreSQL alike.
import test from 'node:test';
import assert from 'node:assert/strict';
import { migrateDownAll, migrateLatest, migrationStatus } from '../db/migrate';
import { MIGRATIONS } from '../db/migrations';
import { countUnits, findUnitByEmail, findUnitById, listUnits, seedUnits } from '../db/units/repository';
import { readDirectoryFile } from '../db/units/directory-file';
import { DATABASE_KINDS, openTestDatabase } from './support/databases';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: migrations go up and down cleanly`, async () => {
    const t = await openTestDatabase(kind);
    try {
      assert.deepEqual(await migrateLatest(t.db), MIGRATIONS.map((m) => m.name));
      assert.deepEqual(await migrateLatest(t.db), [], 'a second run applies nothing');
      assert.ok(await t.db.schema.hasTable('units'));
      assert.ok(await t.db.schema.hasTable('unit_emails'));
      assert.deepEqual((await migrationStatus(t.db)).pending, []);
      const reverted = await migrateDownAll(t.db);
      assert.equal(reverted.length, MIGRATIONS.length);
      assert.equal(await t.db.schema.hasTable('units'), false);
      assert.equal(await t.db.schema.hasTable('unit_emails'), false);
      await migrateLatest(t.db);
      assert.ok(await t.db.schema.hasTable('units'));
    } finally {
      await t.dispose();
    }
  });

  test(`${kind}: the unit directory loads idempotently and reads back whole`, async () => {
    const t = await openTestDatabase(kind);
    try {
      await migrateLatest(t.db);
      const directory = readDirectoryFile();
      const first = await seedUnits(t.db, directory);
      assert.equal(first.inserted, directory.units.length);
      const second = await seedUnits(t.db, directory);
      assert.deepEqual(second, { inserted: 0, updated: 0 });
      assert.equal(await countUnits(t.db), directory.units.length);

      const units = await listUnits(t.db);
      assert.equal(units.length, directory.units.length);
      const position = new Map(units.map((u, i) => [u.id, i]));
      for (const unit of units) {
        if (unit.parentId) assert.ok(position.get(unit.parentId)! < position.get(unit.id)!, `${unit.id} listed after its parent`);
      }
      for (const expected of directory.units) {
        const unit = units.find((u) => u.id === expected.id)!;
        assert.deepEqual(
          { name: unit.name, parentId: unit.parentId, emails: unit.emails, moihopUsername: unit.moihopUsername, organId: unit.organId, group: unit.group },
          { name: expected.name, parentId: expected.parentId, emails: expected.emails, moihopUsername: expected.moihopUsername, organId: expected.organId, group: expected.group },
        );
      }
      assert.equal(units.filter((u) => u.moihopUsername).length, 128);

      const withEmail = directory.units.find((u) => u.emails.length > 0)!;
      const found = await findUnitByEmail(t.db, withEmail.emails[0].toUpperCase());
      assert.equal(found?.id, withEmail.id);
      assert.equal(await findUnitByEmail(t.db, 'nobody@example.com'), null);
      assert.equal((await findUnitById(t.db, withEmail.id))?.name, withEmail.name);

      const row = await t.db('units').where({ id: withEmail.id }).first('created_at');
      const created = row.created_at instanceof Date ? row.created_at : new Date(row.created_at);
      assert.ok(Math.abs(created.getTime() - Date.now()) < 10 * 60_000, 'created_at is a real timestamp');
      if (kind === 'sqlite') assert.match(row.created_at, /\+07:00$/);
    } finally {
      await t.dispose();
    }
  });
}
