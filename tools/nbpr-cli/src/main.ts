import { isNbprError } from '@nbpr/model/src/errors';
import { SYSTEM_ID_HELP, systemId } from './system-id';
import type { Command } from './commands';

const USAGE = `usage: nbpr <command> [options]

Commands:
  key <package>        the package's cache key and tag for the active system
  resolve <project>    options, kconfig, key and tag of a package or a firmware's packages
  conflict-check <p>   resolve, then check the selection's Buildroot demands
  fetch <project>      fetch-or-build a package or a firmware's packages
  licence-aggregate <f> the stages up to a firmware's legal-info/ and SBOM
  stage <project>      the whole pipeline: the nbpr_runtime Mix project (or a package's priv layout)
  publish <package>    publish a package's artefact to the project's registry
  why-miss <package>   which input differs from the nearest published artefact
  verify <package>     who vouches for its artefact at each site (signature, provenance)
  cache ls|clean       the local artefact store
  cache-server         Nx's remote cache API, kept in the OCI registry
  system-id            the identity of the active Nerves system (used by Nx hashing)
  ci-plan <affected>   the CI matrix: each system's affected packages and firmware
  check-catalogue      the catalogue against Buildroot's facts (a tree or a facts file)
  site [out dir]       the catalogue as a static site (dist/catalogue-site)

Run 'nbpr <command> --help' for a command's options.
Exit codes: 0 success, 1 a user error (the message says what to do), 2 wrong usage.`;

// Commands other than system-id load the whole pipeline: required on use, so that system-id,
// which Nx runs on every invocation, stays quick.
const lazy = (name: string, module = './commands'): Command => {
  const load = () => (require(module) as Record<string, Command>)[name];
  return { get usage() { return load().usage; }, get help() { return `${load().usage}\n\n${load().help}`; }, run: (args) => load().run(args) };
};

const commands: Record<string, { help: string; run: (args: string[]) => Promise<number> }> = {
  key: lazy('key'),
  resolve: lazy('resolveCommand', './stage-commands'),
  'conflict-check': lazy('conflictCheckCommand', './stage-commands'),
  fetch: lazy('fetch'),
  'licence-aggregate': lazy('licenceAggregateCommand', './stage-commands'),
  stage: lazy('stageCommandOf', './stage-commands'),
  publish: lazy('publishCommand'),
  'why-miss': lazy('whyMissCommand'),
  verify: lazy('verifyCommand'),
  cache: lazy('cache'),
  'cache-server': lazy('cacheServer', './cache-server-command'),
  'system-id': { help: SYSTEM_ID_HELP, run: systemId },
  'ci-plan': lazy('ciPlanCommand', './ci-plan-command'),
  'check-catalogue': lazy('checkCatalogueCommand', './check-catalogue-command'),
  site: lazy('siteCommand', './site-command'),
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
    return error.code && USAGE_ERRORS.has(error.code) ? 2 : 1;
  }
}

/** The errors that are wrong usage (exit 2, as the usage says), not a user error about the workspace. */
const USAGE_ERRORS = new Set(['cli/invalid-arguments', 'cli/missing-argument', 'cli/unknown-action']);
