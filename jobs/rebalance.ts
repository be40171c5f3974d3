/**
 * Job entry point for schedulers (cron, systemd, launchd): one rebalance with the config from
 * `user.cfg` / the environment. `npx tsx jobs/rebalance.ts [flags]`; exit code as the CLI's.
 */
import { main } from '../src/cli/main.ts';

process.exitCode = await main(['rebalance', ...process.argv.slice(2)]);
