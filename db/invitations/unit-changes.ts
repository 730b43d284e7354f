// Taking units off an invitation's list (data access). The unit no longer sees the invitation; its answers
// stay in invitation_answers and the removal is written in the invitation's history.
import type { Knex } from 'knex';
import { stamp } from './rows';
import { InvitationError, InvitationStatus } from './types';

export async function removeInvitedUnits(
  db: Knex, id: string, change: { unitIds: string[]; actor: string; at: Date; note: string },
): Promise<string[]> {
  return db.transaction(async (trx) => {
    const touched = await trx('invitations').where({ id }).update({ updated_at: stamp(change.at) });
    if (touched === 0) throw new InvitationError('NOT_FOUND', `Không có giấy mời mã ${id}`, `no invitation with id ${id}`);
    const row = (await trx('invitations').where({ id }).first('status', 'sequence')) as { status: InvitationStatus; sequence: number | string };
    if (row.status === 'đã hủy') throw new InvitationError('CANCELLED', `Giấy mời mã ${id} đã bị hủy`, `invitation ${id} is cancelled`);
    const invited = ((await trx('invitation_units').where({ invitation_id: id }).whereIn('unit_id', change.unitIds).select('unit_id')) as Array<{ unit_id: string }>)
      .map((r) => r.unit_id);
    const remaining = Number(((await trx('invitation_units').where({ invitation_id: id }).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
    if (invited.length === 0) return [];
    if (remaining - invited.length < 1) {
      throw new InvitationError('INVALID_INPUT', 'Giấy mời phải còn ít nhất một đơn vị được mời (muốn bỏ hết thì hủy cuộc họp)', 'an invitation keeps at least one unit');
    }
    await trx('invitation_units').where({ invitation_id: id }).whereIn('unit_id', invited).delete();
    await trx('invitation_history').insert({
      invitation_id: id, status: row.status, sequence: Number(row.sequence), at: stamp(change.at), actor: change.actor, note: change.note,
    });
    return invited;
  });
}

/**
 * Reopens the answers after a change of time or place: the current answers are cleared (each stays in
 * invitation_answers, the unit's answer history), so every unit answers again for the new meeting.
 */
export async function reopenAnswers(db: Knex, id: string): Promise<number> {
  return db('invitation_units').where({ invitation_id: id }).whereNotNull('answer').update({
    answer: null, attendee_name: null, attendee_position: null, attendee_phone: null, reason: null, answered_at: null, answered_by: null, answered_sequence: null,
  });
}
