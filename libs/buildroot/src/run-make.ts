import { createWriteStream, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { NbprError } from '@nbpr/model';
import { makeCommand, type Backend } from './backend';

export interface MakeContext {
  backend: Backend;
  tree: string;
  /** Buildroot's O=: every make call of a build uses it. */
  outDir: string;
  /** Other directories the build reads (BR2_EXTERNAL trees), mounted into a container. */
  mounts: string[];
  /** Everything make prints goes here; the console gets progress lines only. */
  logFile: string;
  env: Record<string, string>;
  progress: (line: string) => void;
}

/**
 * Buildroot's step line, `>>> pkg version Step`, which it wraps in `tput smso`/`rmso` (ESC[7m ...
 * ESC[27m) whenever TERM names a terminal: the step without the escape codes, else null.
 */
export function buildrootStep(line: string): string | null {
  const plain = line.replace(/\x1b\[[0-9;]*[A-Za-z]|\x1b\([A-Z0-9]/g, '').replace(/\r$/, '');
  return plain.startsWith('>>> ') ? plain.slice(4).trim() : null;
}

/**
 * Runs `make O=<out> <args>`, its output appended to the build log. Buildroot's step lines
 * are passed on with the time since the build started; a failure shows the last lines of the
 * log and where the whole log is.
 */
export async function runMake(context: MakeContext, args: string[], startedAt: number): Promise<string> {
  const { file, args: argv } = makeCommand(context.backend, context.tree, [`O=${context.outDir}`, ...args], [context.outDir, ...context.mounts]);
  const log = createWriteStream(context.logFile, { flags: 'a' });
  log.write(`$ ${file} ${argv.join(' ')}\n`);
  const child = execa(file, argv, { env: context.env, all: true, reject: false, stdin: 'ignore' });
  let pending = '';
  let output = '';
  child.all!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    output += chunk.toString('utf8');
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const step = buildrootStep(line);
      if (step) context.progress(`[${elapsed(startedAt)}] ${step}`);
    }
  });
  const result = await child;
  await new Promise<void>((resolve) => log.end(resolve));
  if (result.exitCode !== 0) {
    const tail = readFileSync(context.logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n    ');
    throw new NbprError(`make ${args.filter((a) => !a.startsWith('nbpr-facts-')).join(' ')} failed (exit ${result.exitCode ?? result.signal})`, {
      code: 'buildroot/make-failed',
      where: context.logFile,
      hint: `Last lines of the build log:\n    ${tail}`,
    });
  }
  return output;
}

/** `m:ss` since `since`, as progress lines show it. */
export function elapsed(since: number): string {
  const s = Math.round((Date.now() - since) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
