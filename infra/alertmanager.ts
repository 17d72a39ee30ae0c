import { stringify } from 'yaml';

/**
 * Alertmanager's configuration: every alert goes to one receiver, a webhook (Slack-compatible relays, PagerDuty's
 * Events v2 bridge, ntfy, a chat bot...) when `alertWebhookUrl` is set. Without one, alerts are still grouped and
 * shown in Alertmanager and Grafana, and the stack says so in its `alertReceiver` output.
 */
export function alertmanagerConfig(webhookUrl: string): string {
  const receiver = webhookUrl === '' ? { name: 'operator' } : { name: 'operator', webhook_configs: [{ url: webhookUrl, send_resolved: true }] };
  return stringify({
    route: {
      receiver: 'operator',
      group_by: ['alertname', 'instance'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
    },
    receivers: [receiver],
    // A gateway that is down also fails its readiness: page for the cause, not both.
    inhibit_rules: [{ source_matchers: ['alertname = S2SGatewayDown'], target_matchers: ['alertname = S2SGatewayNotReady'], equal: ['instance'] }],
  });
}
