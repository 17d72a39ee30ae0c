/**
 * A test gateway in a process of its own (see startTestGateway), for tests that need two real gateway processes
 * sharing Redis. Its config overrides come as JSON in argv[2]; it prints `{"url": ...}` on one line once loaded,
 * and closes on SIGTERM.
 */
import { startTestGateway, type GatewayOverrides } from './gateway.ts';

const overrides = JSON.parse(process.argv[2] ?? '{}') as GatewayOverrides;
const gateway = await startTestGateway(overrides);
process.stdout.write(`${JSON.stringify({ url: gateway.url, wsUrl: gateway.wsUrl })}\n`);
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
