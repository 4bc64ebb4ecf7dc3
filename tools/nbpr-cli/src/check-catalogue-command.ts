import { Catalogue, NbprError } from '@nbpr/model';
import { checkCatalogue, factsFromTree, readFactsFile } from '@nbpr/buildroot';
import type { Command } from './commands';
import { projectFiles } from './project-files';
import { findWorkspace } from './workspace';

export const checkCatalogueCommand: Command = {
  usage: 'nbpr check-catalogue --buildroot-dir <tree> | --facts <file>',
  help: "Checks every catalogue package built from Buildroot against Buildroot's own facts: version, homepage, options mapped to real sub-options with Buildroot's defaults, and an NBPR dependency for each catalogue package Buildroot selects. The facts come from a Buildroot tree (package/<name>/<name>.mk and Config.in) or a JSON facts file. Exits 1 listing every disagreement.",
  async run(args) {
    const value = (flag: string) => {
      const at = args.indexOf(flag);
      return at >= 0 ? args[at + 1] : undefined;
    };
    const tree = value('--buildroot-dir');
    const file = value('--facts');
    if (!tree === !file) throw new NbprError('give one of --buildroot-dir <tree> or --facts <file>', { code: 'cli/invalid-arguments', hint: 'Run nbpr check-catalogue --help for the usage.' });
    const { root, options } = findWorkspace();
    const catalogue = Catalogue.load(projectFiles(root, options).packages, root);
    const names = catalogue.names().flatMap((n) => {
      const buildroot = catalogue.get(n).metadata.buildroot;
      return 'package' in buildroot ? [buildroot.package] : [];
    });
    const facts = tree ? factsFromTree(tree, names) : readFactsFile(file!);
    const { checked, unknown, problems } = checkCatalogue(catalogue, facts, { partial: !tree });
    if (problems.length > 0) {
      throw new NbprError(`the catalogue disagrees with Buildroot in ${problems.length} place(s):\n${problems.map((p) => `  ${p}`).join('\n')}`, { code: 'catalogue/disagrees-with-buildroot', where: tree ?? file, hint: "Make each nbpr.json say what Buildroot builds (or give NBPR's +nbpr.N version suffix for NBPR-only changes)." });
    }
    console.log(`check-catalogue: ${checked.length} packages agree with ${tree ? `the Buildroot tree ${tree}` : file}${unknown.length ? `; not in it: ${unknown.join(', ')}` : ''}`);
    return 0;
  },
};
