/**
 * A test gateway in a child process (see `spawnGateway`): a fault that would spin the event loop or crash the
 * process then fails the test that caused it instead of freezing or killing the test runner. Overrides come as JSON
 * in argv[2]; the child prints `LISTENING {"url":…,"wsUrl":…}` once everything has
 * loaded; its logs (level S2S_TEST_LOG) go to stdout too.
 */
import { startTestGateway, type GatewayOverrides } from './gateway.ts';

const overrides = JSON.parse(process.argv[2] ?? '{}') as GatewayOverrides;
const gateway = await startTestGateway(overrides);
process.stdout.write(`LISTENING ${JSON.stringify({ url: gateway.url, wsUrl: gateway.wsUrl })}\n`);
process.once('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
