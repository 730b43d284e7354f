// `npm run -s print-config`: the effective configuration, secrets masked.
import { ConfigError, describeConfig } from '../config';

try {
  process.stdout.write(describeConfig());
} catch (err) {
  process.stderr.write(`print-config: ${(err as Error).message}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
