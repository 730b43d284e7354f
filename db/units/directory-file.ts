// The checked-in unit directory (db/seed-data/units.json), generated from the seed by scripts/import-units.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../config';
import type { UnitDirectory } from './parse-appendices';

export const DIRECTORY_FILE = path.join(REPO_ROOT, 'db', 'seed-data', 'units.json');

export function readDirectoryFile(file = DIRECTORY_FILE): UnitDirectory {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as UnitDirectory;
}
