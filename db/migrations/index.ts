// The ordered list of migrations. Add a new timestamped file and list it here; never edit a landed one.
import type { Knex } from 'knex';
import * as units from './20261123120000_units';

export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

export const MIGRATIONS: Migration[] = [
  { name: '20261123120000_units', ...units },
];
