// Where things are, seen from compiled tests in dist/test/.
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DIST_DIR = path.join(REPO_ROOT, 'dist');
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
