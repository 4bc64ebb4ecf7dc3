import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NbprError, readSystem, type PackageMetadata } from '@nbpr/model';
import { StagedPackage } from '../src';
import { checkBeforeStaging } from '../src/checks';
import { systemRootfsFiles, systemSonames } from '../src/system-files';
import { repoRoot } from '../../../test/support/reference';
import { tempDir } from '../../../test/support/temp';

const exampleSystem = join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0');
const metadata = (name: string) => ({ name, version: '1.0' }) as PackageMetadata;

/** A package tree with files (text) and ELF objects compiled from C. */
function tree(name: string, files: Record<string, string>, elves: Array<{ path: string; soname?: string; needs?: string[] }> = []): StagedPackage {
  const dir = tempDir();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, 'target', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'target', path), content);
  }
  for (const elf of elves) {
    const out = join(dir, 'target', elf.path);
    mkdirSync(join(out, '..'), { recursive: true });
    const src = join(dir, 'x.c');
    writeFileSync(src, elf.soname ? 'int f(void) { return 1; }\n' : 'int main(void) { return 0; }\n');
    const stubSource = join(dir, 'stub.c');
    writeFileSync(stubSource, 'int stub(void) { return 0; }\n');
    const libs = (elf.needs ?? []).map((lib) => {
      const stub = join(dir, lib);
      execFileSync('cc', ['-shared', '-fPIC', `-Wl,-soname,${lib}`, '-o', stub, stubSource]);
      return stub;
    });
    execFileSync('cc', [...(elf.soname ? ['-shared', '-fPIC', `-Wl,-soname,${elf.soname}`] : []), '-Wl,--no-as-needed', '-o', out, src, ...libs]);
  }
  return { name, metadata: metadata(name), tree: dir };
}

async function check(packages: StagedPackage[], systemDir = exampleSystem) {
  const system = readSystem(systemDir);
  const rootfs = await systemRootfsFiles(system);
  return checkBeforeStaging({ packages, system: { id: system.id, rootfsFiles: rootfs.files, rootfsSource: rootfs.source, sonames: systemSonames(system) } });
}

test('packages that fit together and with the system pass', async () => {
  await check([tree('a', { 'usr/bin/a': '#!/bin/sh\n' }, [{ path: 'usr/lib/liba.so.1', soname: 'liba.so.1', needs: ['libc.so.6'] }]), tree('b', { 'usr/bin/b': '#!/bin/sh\n' })]);
});

test('two packages installing one path are refused, naming both', async () => {
  await assert.rejects(check([tree('a', { 'usr/bin/tool': 'a' }), tree('b', { 'usr/bin/tool': 'b' })]), (e: unknown) => e instanceof NbprError && /usr\/bin\/tool is installed by both a and b/.test(e.format()));
});

test("a path the system's rootfs already has is refused: from its rootfs image, or its staging", async () => {
  await assert.rejects(check([tree('libc-again', { 'lib/libc.so.6': 'x' })]), /libc-again installs lib\/libc\.so\.6, which the system's root filesystem already has \(.*staging\)/);
  const systems = tempDir();
  const system = join(systems, 'nerves_system_nbpr_example-portable-0.1.0');
  cpSync(exampleSystem, system, { recursive: true });
  const rootfs = tempDir();
  mkdirSync(join(rootfs, 'usr', 'bin'), { recursive: true });
  writeFileSync(join(rootfs, 'usr', 'bin', 'htop'), 'system htop\n');
  execFileSync('mksquashfs', [rootfs, join(system, 'images', 'rootfs.squashfs'), '-quiet', '-noappend']);
  await assert.rejects(check([tree('htop', { 'usr/bin/htop': 'x' })], system), /htop installs usr\/bin\/htop, which the system's root filesystem already has \(.*rootfs\.squashfs\)/);
});

test('a soname provided twice is refused', async () => {
  await assert.rejects(check([tree('a', {}, [{ path: 'usr/lib/libz.so.9', soname: 'libdup.so.1' }]), tree('b', {}, [{ path: 'usr/lib/libdup.so.1.0', soname: 'libdup.so.1' }])]), /soname libdup\.so\.1 is provided twice: by a:usr\/lib\/libz\.so\.9 and b:usr\/lib\/libdup\.so\.1\.0/);
});

test('an ELF file needing a library that neither the system nor the packages provide is refused', async () => {
  await assert.rejects(check([tree('tool', {}, [{ path: 'usr/bin/tool', needs: ['libmissing.so.3'] }])]), /tool:usr\/bin\/tool needs libmissing\.so\.3, which neither nerves_system_nbpr_example@0\.1\.0 nor the firmware's packages provide/);
  await check([tree('tool', {}, [{ path: 'usr/bin/tool', needs: ['libprovided.so.3'] }]), tree('lib', {}, [{ path: 'usr/lib/libprovided.so.3', soname: 'libprovided.so.3' }])]);
});

test('every problem is reported at once', async () => {
  await assert.rejects(check([tree('a', { 'usr/bin/tool': 'a', 'lib/libm.so.6': 'x' }), tree('b', { 'usr/bin/tool': 'b' })]), (e: unknown) => {
    const text = (e as NbprError).format();
    return /installed by both/.test(text) && /libm\.so\.6, which the system/.test(text);
  });
});
