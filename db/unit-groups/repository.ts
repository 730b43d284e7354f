// Recipient groups for invitations. Standing groups are derived from the directory (names, groups, parents)
// each time, so they follow the directory; custom groups are the admin's own lists, saved by name.
import type { Knex } from 'knex';
import { recordAudit } from '../audit/repository';
import { listUnits, Unit } from '../units/repository';
import { formatIsoVietnam } from '../time';
import { foldForSearch } from '../invitations/rows';

export interface RecipientGroup {
  /** `std:<key>`, `area:<key>`, `tree:<unit id>` (a unit and its sub-units) or `custom:<id>`. */
  key: string;
  name: string;
  kind: 'standing' | 'area' | 'tree' | 'custom';
  unitIds: string[];
}

/** A unit that can be invited: it has a website account or an official mail address. */
export function isInvitable(unit: Unit): boolean {
  return unit.moihopUsername !== null || unit.emails.length > 0;
}

/** The invitable units in directory tree order (parents first). */
export async function listInvitableUnits(db: Knex): Promise<Unit[]> {
  return (await listUnits(db)).filter(isInvitable);
}

const STANDING: Array<{ key: string; name: string; test: (u: Unit) => boolean }> = [
  { key: 'so', name: 'Tất cả các Sở', test: (u) => /^sở /i.test(u.name) },
  { key: 'ban-nganh', name: 'Sở, ban, ngành tỉnh', test: (u) => u.group === 'so-nganh' && u.parentId === null },
  { key: 'ubnd-huyen', name: 'UBND các huyện, thị xã, thành phố', test: (u) => /^(ủy ban nhân dân|ubnd) (huyện|thị xã|thành phố)/i.test(u.name) },
  { key: 'hdnd-huyen', name: 'HĐND các huyện, thị xã', test: (u) => /^(hội đồng nhân dân|hđnd) (huyện|thị xã|thành phố)/i.test(u.name) },
  { key: 'huyen-uy', name: 'Huyện ủy, Thị ủy, Thành ủy', test: (u) => /^(huyện|thị|thành) ủy /i.test(u.name) },
  { key: 'doan-the', name: 'Mặt trận Tổ quốc và các đoàn thể, hội', test: (u) => u.group === 'doan-the' },
  { key: 'dang', name: 'Các cơ quan Đảng', test: (u) => u.group === 'dang' },
  { key: 'trung-uong', name: 'Cơ quan trung ương trên địa bàn (công an, quân sự, thuế…)', test: (u) => u.group === 'trung-uong' },
  { key: 'doanh-nghiep', name: 'Doanh nghiệp', test: (u) => u.group === 'doanh-nghiep' },
  { key: 'tat-ca', name: 'Tất cả các đơn vị', test: () => true },
];

const AREA_OF_UBND = /^(?:ủy ban nhân dân|ubnd) (huyện|thị xã|thành phố) (.+)$/i;

/** Groups every invitable unit belongs to by the directory: the standing ones, one per huyện, one per parent. */
export function derivedGroups(units: Unit[]): RecipientGroup[] {
  const groups: RecipientGroup[] = [];
  for (const spec of STANDING) {
    const unitIds = units.filter(spec.test).map((u) => u.id);
    if (unitIds.length) groups.push({ key: `std:${spec.key}`, name: spec.name, kind: 'standing', unitIds });
  }
  // A huyện's party committee, council and people's committee are named after it.
  for (const ubnd of units) {
    const match = AREA_OF_UBND.exec(ubnd.name);
    if (!match) continue;
    const area = foldForSearch(match[2]);
    const unitIds = units.filter((u) => u.group === 'huyen' || u.group === 'dang' || u.id === ubnd.id)
      .filter((u) => foldForSearch(u.name).endsWith(` ${area}`)).map((u) => u.id);
    groups.push({ key: `area:${ubnd.id}`, name: `${match[1].toLowerCase() === 'huyện' ? 'Huyện' : match[1].charAt(0).toUpperCase() + match[1].slice(1).toLowerCase()} ${match[2]} (cấp ủy, HĐND, UBND)`, kind: 'area', unitIds });
  }
  const byParent = new Map<string, Unit[]>();
  for (const unit of units) if (unit.parentId) byParent.set(unit.parentId, [...(byParent.get(unit.parentId) ?? []), unit]);
  const descendants = (id: string): string[] => (byParent.get(id) ?? []).flatMap((child) => [child.id, ...descendants(child.id)]);
  for (const unit of units) {
    if (!byParent.has(unit.id)) continue;
    groups.push({ key: `tree:${unit.id}`, name: `${unit.name} và đơn vị trực thuộc`, kind: 'tree', unitIds: [unit.id, ...descendants(unit.id)] });
  }
  return groups;
}

export async function listCustomGroups(db: Knex): Promise<RecipientGroup[]> {
  const groups = (await db('unit_groups').select('id', 'name').orderBy('name')) as Array<{ id: number; name: string }>;
  const members = (await db('unit_group_members').select('group_id', 'unit_id')) as Array<{ group_id: number; unit_id: string }>;
  return groups.map((g) => ({
    key: `custom:${g.id}`, name: g.name, kind: 'custom' as const,
    unitIds: members.filter((m) => Number(m.group_id) === Number(g.id)).map((m) => m.unit_id),
  }));
}

/** Every group the admin may pick: derived first, then the saved ones. */
export async function listRecipientGroups(db: Knex, units?: Unit[]): Promise<RecipientGroup[]> {
  return [...derivedGroups(units ?? await listInvitableUnits(db)), ...(await listCustomGroups(db))];
}

export class UnitGroupError extends Error {
  constructor(readonly vi: string) {
    super(vi);
  }
}

/** Saves (or replaces, same name) a custom group of units; returns its key. */
export async function saveCustomGroup(db: Knex, input: { name: string; unitIds: string[]; actor: string; at?: Date }): Promise<string> {
  const name = input.name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!name) throw new UnitGroupError('Cần đặt tên cho nhóm đơn vị');
  if (name.length > 200) throw new UnitGroupError('Tên nhóm dài quá 200 ký tự');
  const unitIds = [...new Set(input.unitIds)];
  if (!unitIds.length) throw new UnitGroupError('Nhóm phải có ít nhất một đơn vị');
  const known = new Set(((await db('units').whereIn('id', unitIds).select('id')) as Array<{ id: string }>).map((r) => r.id));
  const unknown = unitIds.filter((id) => !known.has(id));
  if (unknown.length) throw new UnitGroupError(`Không có đơn vị: ${unknown.join(', ')}`);
  const stamp = formatIsoVietnam(input.at ?? new Date(), true);
  const nameKey = foldForSearch(name);
  return db.transaction(async (trx) => {
    const existing = (await trx('unit_groups').where({ name_key: nameKey }).first('id')) as { id: number } | undefined;
    let id: number;
    if (existing) {
      id = Number(existing.id);
      await trx('unit_groups').where({ id }).update({ name, updated_at: stamp });
      await trx('unit_group_members').where({ group_id: id }).delete();
    } else {
      const [row] = (await trx('unit_groups').insert({ name, name_key: nameKey, created_by: input.actor, created_at: stamp, updated_at: stamp }).returning('id')) as Array<{ id: number } | number>;
      id = Number(typeof row === 'object' ? row.id : row);
    }
    for (let i = 0; i < unitIds.length; i += 200) {
      await trx('unit_group_members').insert(unitIds.slice(i, i + 200).map((unitId) => ({ group_id: id, unit_id: unitId })));
    }
    await recordAudit(trx, {
      actor: input.actor, at: input.at, action: existing ? 'unit-group.replaced' : 'unit-group.saved', objectType: 'unit-group', objectId: String(id),
      summary: `${existing ? 'Cập nhật' : 'Lưu'} nhóm đơn vị "${name}" (${unitIds.length} đơn vị)`, after: { name, unitIds },
    });
    return `custom:${id}`;
  });
}

export async function deleteCustomGroup(db: Knex, id: number): Promise<boolean> {
  return db.transaction(async (trx) => {
    await trx('unit_group_members').where({ group_id: id }).delete();
    return (await trx('unit_groups').where({ id }).delete()) > 0;
  });
}
