// How many invited units have read and answered each invitation, for the admin's list.
import type { Knex } from 'knex';

export interface InvitationProgress {
  invited: number;
  read: number;
  answered: number;
}

/** Progress of each given invitation (an id without invited units is absent from the map). */
export async function invitationProgress(db: Knex, invitationIds: string[]): Promise<Map<string, InvitationProgress>> {
  const progress = new Map<string, InvitationProgress>();
  for (let i = 0; i < invitationIds.length; i += 500) {
    const rows = (await db('invitation_units')
      .whereIn('invitation_id', invitationIds.slice(i, i + 500))
      .groupBy('invitation_id')
      .select('invitation_id')
      .count({ invited: '*' })
      .count({ read: 'first_read_at' })
      .count({ answered: 'answer' })) as Array<{ invitation_id: string; invited: number | string; read: number | string; answered: number | string }>;
    for (const row of rows) {
      progress.set(row.invitation_id, { invited: Number(row.invited), read: Number(row.read), answered: Number(row.answered) });
    }
  }
  return progress;
}
