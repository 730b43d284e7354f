// The ordered list of migrations. Add a new timestamped file and list it here; never edit a landed one.
import type { Knex } from 'knex';
import * as units from './20261123120000_units';
import * as outbox from './20261123140000_outbox';
import * as register from './20261123150000_register';
import * as accounts from './20261123160000_accounts';
import * as invitations from './20261123170000_invitations';
import * as registerScreens from './20261123180000_register_screens';
import * as imapMailboxes from './20261123200000_imap_mailboxes';
import * as unitGroups from './20261123210000_unit_groups';
import * as registerReports from './20261123220000_register_reports';
import * as registerListIndexes from './20261123225000_register_list_indexes';
import * as answerSource from './20261123230000_answer_source';
import * as outboxRenderSpec from './20261123235000_outbox_render_spec';
import * as invitationReminders from './20261123235500_invitation_reminders';
import * as auditLog from './20261123235800_audit_log';
import * as registerSearchTokens from './20261124000000_register_search_tokens';

export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

export const MIGRATIONS: Migration[] = [
  { name: '20261123120000_units', ...units },
  { name: '20261123140000_outbox', ...outbox },
  { name: '20261123150000_register', ...register },
  { name: '20261123160000_accounts', ...accounts },
  { name: '20261123170000_invitations', ...invitations },
  { name: '20261123180000_register_screens', ...registerScreens },
  { name: '20261123200000_imap_mailboxes', ...imapMailboxes },
  { name: '20261123210000_unit_groups', ...unitGroups },
  { name: '20261123220000_register_reports', ...registerReports },
  { name: '20261123225000_register_list_indexes', ...registerListIndexes },
  { name: '20261123230000_answer_source', ...answerSource },
  { name: '20261123235000_outbox_render_spec', ...outboxRenderSpec },
  { name: '20261123235500_invitation_reminders', ...invitationReminders },
  { name: '20261123235800_audit_log', ...auditLog },
  { name: '20261124000000_register_search_tokens', ...registerSearchTokens },
];
