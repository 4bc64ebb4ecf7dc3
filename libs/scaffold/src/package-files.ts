import { mapBuildrootLicense } from '@nbpr/legal';
import { NbprError, suggestion } from '@nbpr/model';
import type { BuildrootFacts } from './buildroot-facts';

export type FileMap = Record<string, { content: string; mode?: number }>;

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Refuses a name NBPR could not use, or one the workspace already has. */
export function checkNewName(name: string, existing: string[], what = 'package'): void {
  if (!NAME.test(name)) throw new NbprError(`'${name}' is not a valid ${what} name`, { code: 'scaffold/invalid-name', hint: 'Use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit (at most 63 characters).' });
  if (existing.includes(name)) throw new NbprError(`a ${what} named '${name}' already exists`, { code: 'scaffold/name-taken', hint: 'Choose another name, or edit the existing one.' });
}

/** Every package a new firmware names must be in the catalogue. */
export function checkKnownPackages(packages: string[], catalogue: string[]): void {
  for (const pkg of packages) {
    if (!catalogue.includes(pkg)) throw new NbprError(`no NBPR package named '${pkg}'${suggestion(pkg, catalogue)}`, { code: 'catalogue/unknown-package', hint: 'List packages of this workspace: its nbpr.json files and those of the catalogues it installs.' });
  }
}

const optionName = (symbol: string, main: string) => symbol.slice(main.length + 1).toLowerCase().replace(/^(\d)/, 'o$1');

/** packages/<name>/nbpr.json and README.md for a mainline Buildroot package, filled from the tree's facts. */
export function mainlinePackageFiles(name: string, facts: BuildrootFacts, catalogue: string[], targets: string[]): FileMap {
  const main = `BR2_PACKAGE_${name.toUpperCase().replace(/[-.]/g, '_')}`;
  const options = Object.fromEntries(facts.options.map((o) => [optionName(o.symbol, main), { type: 'boolean', description: o.prompt, default: o.defaultOn, kconfig: o.symbol }]));
  const dependencies = Object.fromEntries(facts.dependencies.filter((d) => catalogue.includes(d)).map((d) => [d, {}]));
  const metadata = {
    $schema: '../../libs/model/schemas/nbpr.schema.json',
    schemaVersion: 1,
    name,
    version: facts.version ?? 'TODO: the version Buildroot builds',
    description: facts.description ?? 'TODO: one line saying what the package gives a device',
    homepage: facts.homepage ?? 'TODO: https://…',
    licenses: facts.license ? mapBuildrootLicense(facts.license).expression : 'TODO: SPDX expression',
    buildroot: { package: name },
    ...(Object.keys(options).length ? { options } : {}),
    ...(Object.keys(dependencies).length ? { dependencies } : {}),
    targets,
  };
  return {
    [`packages/${name}/nbpr.json`]: { content: JSON.stringify(metadata, null, 2) + '\n' },
    [`packages/${name}/README.md`]: { content: `# ${name}\n\n${metadata.description}\n\nBuildroot package \`${name}\`${facts.version ? ` ${facts.version}` : ''}${facts.license ? `, Buildroot licence \`${facts.license}\`` : ''}.\n` },
  };
}

/** A package with no Buildroot tree to read: every field to fill is a TODO that the schema rejects until filled. */
export function skeletonPackageFiles(name: string, targets: string[]): FileMap {
  return mainlinePackageFiles(name, { version: null, license: null, homepage: null, description: null, dependencies: [], options: [] }, [], targets);
}

/** A vendored package: nbpr.json and a BR2_EXTERNAL tree (external.desc, Config.in, external.mk, package/<name>/) Buildroot accepts. */
export function vendoredPackageFiles(name: string): FileMap {
  const upper = name.replace(/^nbpr-/, '').toUpperCase().replace(/[-.]/g, '_');
  const external = `NBPR_${upper}`;
  const pkg = name.toUpperCase().replace(/[-.]/g, '_');
  const base = `packages/${name}/buildroot`;
  const license = 'TODO: put the licence text here\n';
  return {
    [`packages/${name}/nbpr.json`]: {
      content:
        JSON.stringify(
          { $schema: '../../libs/model/schemas/nbpr.schema.json', schemaVersion: 1, name, version: '0.1.0', description: `TODO: one line saying what ${name} gives a device`, homepage: 'TODO: https://…', licenses: 'TODO: SPDX expression', buildroot: { external: 'buildroot', packages: [name] }, targets: ['*'] },
          null,
          2,
        ) + '\n',
    },
    [`packages/${name}/README.md`]: { content: `# ${name}\n\nA vendored NBPR package: its Buildroot package lives in buildroot/ (a BR2_EXTERNAL tree).\n` },
    [`${base}/external.desc`]: { content: `name: ${external}\ndesc: NBPR package ${name}\n` },
    [`${base}/Config.in`]: { content: `source "$BR2_EXTERNAL_${external}_PATH/package/${name}/Config.in"\n` },
    [`${base}/external.mk`]: { content: `include $(sort $(wildcard $(BR2_EXTERNAL_${external}_PATH)/package/*/*.mk))\n` },
    [`${base}/package/${name}/Config.in`]: { content: `config BR2_PACKAGE_${pkg}\n\tbool "${name}"\n\thelp\n\t  TODO: what ${name} is.\n` },
    [`${base}/package/${name}/${name}.mk`]: {
      content: `################################################################################\n#\n# ${name}\n#\n################################################################################\n\n${pkg}_VERSION = 0.1.0\n${pkg}_SITE = $(BR2_EXTERNAL_${external}_PATH)/package/${name}/src\n${pkg}_SITE_METHOD = local\n${pkg}_LICENSE = TODO\n${pkg}_LICENSE_FILES = LICENSE\n\ndefine ${pkg}_INSTALL_TARGET_CMDS\n\t$(INSTALL) -D -m 0755 $(@D)/${name} $(TARGET_DIR)/usr/bin/${name}\nendef\n\n$(eval $(generic-package))\n`,
    },
    [`${base}/package/${name}/${name}.hash`]: { content: `# Locally computed\nsha256  ${require('node:crypto').createHash('sha256').update(license).digest('hex')}  LICENSE\n` },
    [`${base}/package/${name}/src/LICENSE`]: { content: license },
    [`${base}/package/${name}/src/${name}`]: { content: `#!/bin/sh\necho "${name}: TODO"\n`, mode: 0o755 },
  };
}

/** A firmware profile for a system, with the packages given. */
/** `modelRoot`: where @nbpr/model is, relative to the workspace (its schemas give editors completion). */
export function firmwareFiles(name: string, directory: string, system: string, packages: string[], modelRoot = 'libs/model'): FileMap {
  const depth = directory.split('/').filter(Boolean).length;
  return {
    [`${directory}/nbpr.firmware.json`]: {
      content: JSON.stringify({ $schema: `${'../'.repeat(depth)}${modelRoot}/schemas/nbpr.firmware.schema.json`, schemaVersion: 1, name, system, packages: Object.fromEntries(packages.map((p) => [p, {}])) }, null, 2) + '\n',
    },
  };
}
