// The invitation services for the web pages, the commands and the jobs. Pages use these, never the tables.
export {
  createInvitation, publishInvitation, amendInvitation, cancelInvitation,
} from './publishing';
export type { CreateInvitationInput, AmendInvitationInput, InvitationServiceConfig } from './publishing';
export { answerInvitation, recordInvitationRead, checkAnswer } from './answers';
export type { AnswerInput, UnitActor } from './answers';
export { invitationIcsForUnit, invitationIcsForAdmin, invitationPageUrl } from './calendar';
export { buildInvitationIcs, invitationUid, TIME_ZONE } from './ics';
export { resolveInvitationFileForUnit, resolveInvitationFileForAdmin, MAX_FILE_BYTES } from './files';
export type { IncomingFile, ResolvedFile } from './files';
export { MIN_NOTICE_HOURS } from './rules';
export {
  listInvitationsForUnit, getInvitationForUnit, getInvitationOverview, getInvitation, listInvitations, unitIdsByUsername, listInvitedUnitIds,
} from '../../db/invitations/queries';
export type { UnitListFilter, AdminListFilter, Page } from '../../db/invitations/queries';
export * from '../../db/invitations/types';
export { invitationProgress } from '../../db/invitations/counts';
export type { InvitationProgress } from '../../db/invitations/counts';
export { createAndNotify, publishAndNotify, amendAndNotify, cancelAndNotify, removeUnitsAndNotify, describeChanges } from './notify';
export type { NotifyConfig, WithDelivery } from './notify';
export {
  queueInvitationMails, invitationDeliveries, deliveryByUnit, resendFailedInvitationMails, invitationDedupeKey, INVITATION_MAIL_KINDS,
} from './delivery';
export type { DeliveryEvent, DeliveryMail, QueuedDelivery, RecipientState, DeliveryConfig } from './delivery';
export { invitationMailRenderer, INVITATION_RENDERER } from './invitation-mail';
