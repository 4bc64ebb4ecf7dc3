import { existsSync, statSync } from 'node:fs';
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { NervesSystem } from '@nbpr/model';
import { checkBeforeStaging } from './checks';
import { writeRuntimeProject, type RuntimePackage } from './runtime-project';
import { runtimeReadme } from './readme-template';
import type { StagedPackage } from './staged-package';
import { systemRootfsFiles, systemSonames } from './system-files';

const BIN_DIRS = ['bin', 'sbin', 'usr/bin', 'usr/sbin'];
const LIB_DIRS = ['lib', 'usr/lib'];

export interface StageFirmwareInput {
  firmware: string;
  system: NervesSystem;
  packages: StagedPackage[];
  /** licence-aggregate's outputs, copied into the runtime. */
  legalInfo: string;
  /** The SPDX 2.3 SBOM. */
  sbom: string;
  /** The CycloneDX 1.6 SBOM. */
  cdxSbom: string;
  /** Where the nbpr_runtime Mix project goes (replaced whole). */
  outDir: string;
}

/**
 * The firmware's nbpr_runtime Mix project: priv/<package>/ with every package's target files
 * (modes and relative symlinks kept), rootfs_overlay/, the Application, one module per daemon,
 * the kernel-module loader, legal-info/ and the SBOMs. Checked before anything is written, then
 * written to a temporary sibling and renamed into place.
 */
export async function stageFirmware(input: StageFirmwareInput): Promise<void> {
  const rootfs = await systemRootfsFiles(input.system);
  await checkBeforeStaging({ packages: input.packages, system: { id: input.system.id, rootfsFiles: rootfs.files, rootfsSource: rootfs.source, sonames: systemSonames(input.system) } });
  const temp = join(dirname(input.outDir), `.${basename(input.outDir)}.${process.pid}.partial`);
  await rm(temp, { recursive: true, force: true });
  try {
    const runtime: RuntimePackage[] = [];
    for (const pkg of [...input.packages].sort((a, b) => a.name.localeCompare(b.name))) {
      const target = join(pkg.tree, 'target');
      const priv = join(temp, 'priv', pkg.name);
      await mkdir(priv, { recursive: true });
      const onRootfs = new Set(pkg.metadata.rootfsPaths ?? []);
      if (existsSync(target)) await cp(target, priv, { recursive: true, verbatimSymlinks: true, filter: (src) => !onRootfs.has(src.slice(target.length + 1)) });
      for (const path of onRootfs) {
        if (existsSync(join(target, path))) await cp(join(target, path), join(temp, 'rootfs_overlay', path), { recursive: true, verbatimSymlinks: true });
      }
      if (existsSync(join(pkg.tree, 'rootfs'))) await cp(join(pkg.tree, 'rootfs'), join(temp, 'rootfs_overlay'), { recursive: true, verbatimSymlinks: true });
      const isDir = (d: string) => existsSync(join(target, d)) && statSync(join(target, d)).isDirectory();
      runtime.push({
        name: pkg.name,
        version: pkg.metadata.version,
        binDirs: BIN_DIRS.filter(isDir),
        libDirs: LIB_DIRS.filter(isDir),
        runtimeEnv: pkg.metadata.runtimeEnv ?? {},
        kernelModules: pkg.metadata.kernelModules ?? [],
        daemons: pkg.metadata.daemons ?? {},
      });
    }
    await mkdir(join(temp, 'rootfs_overlay'), { recursive: true });
    await writeRuntimeProject(temp, runtime);
    await writeFile(join(temp, '.gitignore'), '/_build/\n/deps/\n');
    await cp(input.legalInfo, join(temp, 'legal-info'), { recursive: true });
    await cp(input.sbom, join(temp, 'sbom.spdx.json'));
    await cp(input.cdxSbom, join(temp, 'sbom.cdx.json'));
    await writeFile(join(temp, 'README.md'), runtimeReadme(input.firmware, input.system.id, input.packages));
    await rm(input.outDir, { recursive: true, force: true });
    await rename(temp, input.outDir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** A package's stage: its verified files in the priv layout, and its rootfs files. */
export async function stagePackage(p: { system: NervesSystem; pkg: StagedPackage; outDir: string }): Promise<void> {
  const rootfs = await systemRootfsFiles(p.system);
  await checkBeforeStaging({ packages: [p.pkg], system: { id: p.system.id, rootfsFiles: rootfs.files, rootfsSource: rootfs.source, sonames: systemSonames(p.system) } });
  const temp = join(dirname(p.outDir), `.${basename(p.outDir)}.${process.pid}.partial`);
  await rm(temp, { recursive: true, force: true });
  try {
    await mkdir(join(temp, 'priv'), { recursive: true });
    if (existsSync(join(p.pkg.tree, 'target'))) await cp(join(p.pkg.tree, 'target'), join(temp, 'priv'), { recursive: true, verbatimSymlinks: true });
    if (existsSync(join(p.pkg.tree, 'rootfs'))) await cp(join(p.pkg.tree, 'rootfs'), join(temp, 'rootfs'), { recursive: true, verbatimSymlinks: true });
    await rm(p.outDir, { recursive: true, force: true });
    await rename(temp, p.outDir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
