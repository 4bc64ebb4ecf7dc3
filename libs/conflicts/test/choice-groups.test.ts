import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundledChoiceGroups, choiceGroupsFromTrees } from '../src';
import { tempDir } from '../../../test/support/temp';

function tree(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('choice groups are read as Kconfig reads them: through source lines, help texts skipped, sub-options not members', () => {
  const dir = tree({
    'Config.in': 'menu "Target packages"\nsource "package/Config.in"\nsource "toolchain/Config.in"\nendmenu\n',
    'package/Config.in': 'source "package/openssl/Config.in"\nsource "package/busybox/Config.in"\n',
    'package/openssl/Config.in': [
      'choice',
      '\tprompt "ssl library"',
      'config BR2_PACKAGE_LIBOPENSSL',
      '\tbool "openssl"',
      '\thelp',
      '\t  A choice of words in a help text',
      '\t  choice',
      '',
      '\t  endchoice is not Kconfig here either',
      'source "package/libopenssl/Config.in"',
      'config BR2_PACKAGE_LIBRESSL',
      '\tbool "libressl"',
      'endchoice # ssl library',
      '',
    ].join('\n'),
    'package/libopenssl/Config.in': 'if BR2_PACKAGE_LIBOPENSSL\nconfig BR2_PACKAGE_LIBOPENSSL_BIN\n\tbool "openssl binary"\nendif\n',
    'package/busybox/Config.in': 'config BR2_PACKAGE_BUSYBOX\n\tbool "busybox"\n',
    'toolchain/Config.in': 'choice\n\tprompt "Toolchain"\nif BR2_ARCH_IS_64\nsource "toolchain/a/Config.in"\nendif\nsource "toolchain/b/Config.in"\nendchoice\n',
    'toolchain/a/Config.in': 'config BR2_TOOLCHAIN_A\n\tbool "a"\n',
    'toolchain/b/Config.in': 'config BR2_TOOLCHAIN_B\n\tbool "b"\n',
    // Not sourced by any Config.in: Kconfig never sees it (an unpacked source, a test suite).
    'output/build/busybox-1.37.0/Config.in': 'choice\nconfig BR2_X\n\tbool "x"\nconfig BR2_Y\n\tbool "y"\nendchoice\n',
  });
  const groups = choiceGroupsFromTrees([dir]);
  assert.deepEqual(groups, [
    { file: 'package/openssl/Config.in', prompt: 'ssl library', members: ['BR2_PACKAGE_LIBOPENSSL', 'BR2_PACKAGE_LIBRESSL'] },
    { file: 'toolchain/Config.in', prompt: 'Toolchain', members: ['BR2_TOOLCHAIN_A', 'BR2_TOOLCHAIN_B'] },
  ]);
});

test('a dangling symlink in the tree (Buildroot ships them in its skeletons) is never followed', () => {
  const dir = tree({
    'Config.in': 'source "package/Config.in"\nsource "package/gone/Config.in"\n',
    'package/Config.in': 'choice\nconfig BR2_A\n\tbool "a"\nconfig BR2_B\n\tbool "b"\nendchoice\n',
    'package/skeleton-init-openrc/skeleton/README': '',
  });
  symlinkSync('../run/log', join(dir, 'package/skeleton-init-openrc/skeleton/log'));
  mkdirSync(join(dir, 'package/gone'));
  symlinkSync('/nonexistent/Config.in', join(dir, 'package/gone/Config.in'));
  assert.deepEqual(choiceGroupsFromTrees([dir]).map((g) => g.members), [['BR2_A', 'BR2_B']]);
});

test("a BR2_EXTERNAL tree's choices are read through its $BR2_EXTERNAL_<NAME>_PATH sources", () => {
  const external = tree({
    'external.desc': 'name: NERVES\n',
    'Config.in': 'source "$BR2_EXTERNAL_NERVES_PATH/package/x/Config.in"\n',
    'package/x/Config.in': 'choice\nconfig BR2_PACKAGE_X_A\n\tbool "a"\nconfig BR2_PACKAGE_X_B\n\tbool "b"\nendchoice\n',
  });
  assert.deepEqual(choiceGroupsFromTrees([tree({ 'Config.in': '' }), external]).map((g) => g.members), [['BR2_PACKAGE_X_A', 'BR2_PACKAGE_X_B']]);
});

test("the bundled 2026.05.1 table holds Buildroot's real conflict sources, each with two or more members", () => {
  const groups = bundledChoiceGroups('2026.05.1');
  assert.equal(groups.length, 166);
  assert.ok(groups.every((g) => g.members.length > 1));
  const ssl = groups.find((g) => g.file === 'package/openssl/Config.in')!;
  assert.deepEqual(ssl.members, ['BR2_PACKAGE_LIBOPENSSL', 'BR2_PACKAGE_LIBRESSL']);
  assert.ok(groups.some((g) => g.file === 'toolchain/toolchain-external/Config.in' && g.members.includes('BR2_TOOLCHAIN_EXTERNAL_CUSTOM')));
});
