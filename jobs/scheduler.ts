/**
 * Job entry point of the scheduler daemon (`npx tsx jobs/scheduler.ts [flags]`, the same as
 * `npm start` / `momentum-rebalancer schedule`): runs until SIGTERM/SIGINT; exit code as the CLI's.
 */
import { main } from '../src/cli/main.ts';

process.exitCode = await main(['schedule', ...process.argv.slice(2)]);
