// The .ics a unit downloads for one of its invitations, and the admin's copy.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { findUnitById } from '../../db/units/repository';
import { getInvitation, getInvitationForUnit } from '../../db/invitations/queries';
import { buildInvitationIcs } from './ics';
import { invitationReplyAddress } from '../../mail-gateway/answers/reply-address';

export type CalendarConfig = Pick<Config, 'gatewayAddresses' | 'publicUrl' | 'invitationReplyAddress' | 'sessionSecret' | 'dataDir'>;

export const ORGANIZER_NAME = 'Văn phòng UBND tỉnh Bình Thuận';

/** The address of the invitation's page, named in the .ics. */
export function invitationPageUrl(config: CalendarConfig, invitationId: string): string {
  return `${config.publicUrl}/giay-moi/${encodeURIComponent(invitationId)}`;
}

/**
 * The ORGANIZER: the invitation's reply address (with the unit's reply token in the unit's copy), so a
 * calendar's iTIP REPLY comes back as the unit's answer.
 */
export function invitationOrganizer(config: CalendarConfig, invitationId: string, unitId?: string) {
  return { name: ORGANIZER_NAME, email: invitationReplyAddress(config, invitationId, unitId) };
}

/** The unit's .ics of one of its invitations (its answer as PARTSTAT); null when not its invitation. */
export async function invitationIcsForUnit(
  db: Knex, config: CalendarConfig, unitId: string, invitationId: string, options: { now?: Date } = {},
): Promise<string | null> {
  const invitation = await getInvitationForUnit(db, unitId, invitationId, options);
  if (!invitation) return null;
  const unit = await findUnitById(db, unitId);
  return buildInvitationIcs({
    invitation,
    attendee: { name: unit?.name ?? unitId, email: unit?.emails[0] ?? null, unitId, answer: invitation.answer },
    organizer: invitationOrganizer(config, invitationId, unitId),
    url: invitationPageUrl(config, invitationId),
    now: options.now,
  });
}

/** The admin's .ics (no attendee); null for an unknown id. */
export async function invitationIcsForAdmin(
  db: Knex, config: CalendarConfig, invitationId: string, options: { now?: Date } = {},
): Promise<string | null> {
  const invitation = await getInvitation(db, invitationId);
  if (!invitation) return null;
  return buildInvitationIcs({ invitation, attendee: null, organizer: invitationOrganizer(config, invitationId), url: invitationPageUrl(config, invitationId), now: options.now });
}
