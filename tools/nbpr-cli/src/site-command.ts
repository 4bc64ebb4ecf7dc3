import { isAbsolute, join, relative } from 'node:path';
import { Catalogue } from '@nbpr/model';
import { buildCatalogueSite } from '@nbpr/pipeline';
import type { Command } from './commands';
import { projectFiles } from './project-files';
import { findWorkspace } from './workspace';

export const siteCommand: Command = {
  usage: 'nbpr site [out dir]',
  help: "Writes the catalogue as a static site (default dist/catalogue-site): an index with search and filters by licence and system, one page per package (description, version, licence, options with their kconfig symbols, daemons, targets, dependencies, and for each of the workspace's systems whether a prebuilt is published: looked up at the sites when the system is on this machine, else unknown). Nothing is fetched when the pages are viewed.",
  async run(args) {
    const { root, options } = findWorkspace();
    const given = args.find((a) => !a.startsWith('-'));
    const outDir = given ? (isAbsolute(given) ? given : join(process.cwd(), given)) : join(root, 'dist', 'catalogue-site');
    const catalogue = Catalogue.load(projectFiles(root, options).packages, root);
    const { packages, systems } = await buildCatalogueSite({ workspaceRoot: root, catalogue, options, outDir });
    console.log(`catalogue site: ${packages} packages, ${systems.length} systems, in ${relative(process.cwd(), outDir) || outDir}/index.html`);
    return 0;
  },
};
