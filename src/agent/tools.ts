import { tool } from '@langchain/core/tools';
import { z } from 'zod';

/**
 * The built-in agent's tools. Kept to what a voice assistant needs without outside services: people ask the
 * time and date constantly, and a model cannot know it.
 */
const currentTimeTool = tool(
  async ({ timeZone }: { timeZone?: string | undefined }) => {
    const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    try {
      const formatted = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long', timeZone: zone }).format(new Date());
      return `${formatted} (${zone})`;
    } catch {
      return `Unknown time zone "${zone}". Use an IANA name such as Europe/Paris.`;
    }
  },
  {
    name: 'current_time',
    description: 'The current date and time, optionally in an IANA time zone such as "Asia/Shanghai".',
    schema: z.object({ timeZone: z.string().optional().describe('IANA time zone name') }),
  },
);

export const builtInTools = [currentTimeTool];
