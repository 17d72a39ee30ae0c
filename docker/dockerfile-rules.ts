// A small Dockerfile reader for docker/dockerfiles.test.ts: instructions per build stage, with line
// continuations joined and comment lines dropped as Docker's parser does. hadolint is on neither npm nor Debian.

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  /** The `FROM` argument: an image reference or an earlier stage's name. */
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) return;
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const [keyword = '', ...rest] = full.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine };
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = flagsRemoved(instruction.args).split(/\s+/);
      stages.push({ base, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${startLine}: ${instruction.keyword} before FROM`);
      stage.instructions.push(instruction);
    }
  });
  return stages;
}

/** `--from=x --chown=y src dest` without the leading flags. */
export function flagsRemoved(args: string): string {
  return args.replace(/^(--\S+\s+)+/, '');
}

export function flag(args: string, name: string): string | undefined {
  return args.match(new RegExp(`(?:^|\\s)--${name}=(\\S+)`))?.[1];
}

/** `image:tag` or `image@sha256:…`, not `:latest`. A registry port (`host:5000/image`) is not a tag. */
export function isPinnedImage(reference: string): boolean {
  if (reference.includes('@sha256:')) return true;
  const lastPart = reference.split('/').at(-1) ?? '';
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : undefined;
  return tag !== undefined && tag !== '' && tag !== 'latest' && !tag.includes('$');
}

/** Arguments of an exec-form (`["a", "b"]`) instruction, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  return JSON.parse(args) as string[];
}
