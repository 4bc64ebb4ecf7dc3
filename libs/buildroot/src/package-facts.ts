import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildrootVariable, NbprError } from '@nbpr/model';

/**
 * What Buildroot knows of one package's build, as make itself expands it for that package
 * (HOST_DIR, STAGING_DIR and TARGET_DIR are per-package with BR2_PER_PACKAGE_DIRECTORIES, and
 * STAGING_DIR lies inside HOST_DIR with an external toolchain): never reconstructed by NBPR.
 */
export interface PackageFacts {
  /** build/<pkg>-<version>: holds .files-list.txt and .files-list-staging.txt. */
  buildDir: string;
  hostDir: string;
  stagingDir: string;
  targetDir: string;
  /** `<TARGET_CROSS>strip --remove-section=.comment --remove-section=.note`, or /bin/true. */
  stripCommand: string;
  /** Every package the build of this one needs (<PKG>_FINAL_RECURSIVE_DEPENDENCIES). */
  closure: string[];
  perPackageDir: string;
  /** The global host directory (BR2_HOST_DIR), which fix-rpath maps per-package host paths to. */
  globalHostDir: string;
}

const FACT = 'nbpr-fact';
const VARIABLES = { buildDir: '$(PKG)_DIR', hostDir: 'HOST_DIR', stagingDir: 'STAGING_DIR', targetDir: 'TARGET_DIR', stripCommand: 'STRIPCMD', closure: '$(PKG)_FINAL_RECURSIVE_DEPENDENCIES', perPackageDir: 'PER_PACKAGE_DIR', globalHostDir: 'BR2_HOST_DIR' } as const;

/** Buildroot's upper-case package variable prefix (the model's rule). */
export const packageVariable = buildrootVariable;

/**
 * A BR2_EXTERNAL tree of NBPR's own, written into the build area, whose external.mk defines a
 * goal per package that prints its facts (`nbpr-fact <pkg> <name>=<value>` lines). The goal
 * runs with PKG set as Buildroot sets it for the package's own steps, so make resolves every
 * variable exactly as it does when building the package; put first among the build pass's
 * goals, it costs no extra parse of Buildroot's makefiles. (Not `make --eval`: make passes
 * that on to every sub-make of the build, which measurably slows a real build.)
 */
export async function writeFactsExternal(dir: string, packages: string[]): Promise<{ goals: string[] }> {
  const goals: string[] = [];
  const rules: string[] = ['# Written by NBPR for one build: prints what Buildroot knows of each package it builds.'];
  for (const pkg of packages) {
    const goal = `nbpr-facts-${pkg}`;
    const upper = packageVariable(pkg);
    const infos = Object.entries(VARIABLES)
      .map(([name, variable]) => `$(info ${FACT} ${pkg} ${name}=$(strip $(${variable.replace('$(PKG)', upper)})))`)
      .join('');
    rules.push(`.PHONY: ${goal}`, `${goal}: PKG=${upper}`, `${goal}:`, `\t@:${infos}`);
    goals.push(goal);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'external.desc'), 'name: NBPR_FACTS\ndesc: NBPR: asks Buildroot what it knows of the packages it builds\n');
  await writeFile(join(dir, 'Config.in'), '');
  await writeFile(join(dir, 'external.mk'), rules.join('\n') + '\n');
  return { goals };
}

/** The facts of every package from make's output; a package whose facts are missing is an error (an unknown package, or not a Buildroot tree). */
export function parseFacts(output: string, packages: string[], where: string): Map<string, PackageFacts> {
  const raw = new Map<string, Record<string, string>>();
  for (const line of output.split('\n')) {
    const m = line.match(/^nbpr-fact (\S+) (\w+)=(.*)$/);
    if (!m) continue;
    const record = raw.get(m[1]) ?? {};
    record[m[2]] ??= m[3].replace(/^"|"$/g, '');
    raw.set(m[1], record);
  }
  const facts = new Map<string, PackageFacts>();
  for (const pkg of packages) {
    const r = raw.get(pkg);
    if (!r || !r.buildDir || !r.targetDir) {
      throw new NbprError(`Buildroot does not know the package ${pkg}`, { code: 'buildroot/unknown-package', where, hint: `Check the package name in nbpr.json "buildroot", and that its Config.in symbol BR2_PACKAGE_${packageVariable(pkg)} is enabled.` });
    }
    facts.set(pkg, {
      buildDir: r.buildDir,
      hostDir: r.hostDir,
      stagingDir: r.stagingDir,
      targetDir: r.targetDir,
      stripCommand: r.stripCommand,
      closure: r.closure.split(/\s+/).filter(Boolean),
      perPackageDir: r.perPackageDir,
      globalHostDir: r.globalHostDir,
    });
  }
  return facts;
}
