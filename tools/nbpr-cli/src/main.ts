import { isNbprError } from '@nbpr/model/src/errors';
import { SYSTEM_ID_HELP, systemId } from './system-id';

const USAGE = `usage: nbpr <command> [options]

Commands:
  system-id    print the identity of the active Nerves system (used by Nx hashing)

Run 'nbpr <command> --help' for a command's options.
Exit codes: 0 success, 1 a user error (the message says what to do), 2 wrong usage.`;

const commands: Record<string, { help: string; run: (args: string[]) => Promise<number> }> = {
  'system-id': { help: SYSTEM_ID_HELP, run: systemId },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`nbpr: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (!isNbprError(error)) throw error;
    console.error(error.format());
    return 1;
  }
}
