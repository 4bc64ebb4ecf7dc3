import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectConflicts } from '../src';

const system = { id: 'nerves_system_rpi4@2.0.4', config: new Map([['BR2_PACKAGE_BUSYBOX', 'y'], ['BR2_PACKAGE_BUSYBOX_SHOW_OTHERS', 'n'], ['BR2_PACKAGE_BUSYBOX_SELINUX', 'n']]) };

test("asking for a menu-visibility symbol of a package the system ships (kmod's BUSYBOX_SHOW_OTHERS) is no conflict; asking for a real option of it is", () => {
  const demand = (symbol: string) => ({ symbol, value: 'y', chain: ['kmod'], origin: 'package' as const });
  assert.deepEqual(detectConflicts({ demands: [demand('BR2_PACKAGE_KMOD'), demand('BR2_PACKAGE_KMOD_TOOLS'), demand('BR2_PACKAGE_BUSYBOX_SHOW_OTHERS')], clashes: [], system, choices: [] }), []);
  const real = detectConflicts({ demands: [demand('BR2_PACKAGE_BUSYBOX_SELINUX')], clashes: [], system, choices: [] });
  assert.equal(real.length, 1);
  assert.equal(real[0].kind, 'system');
  assert.match(real[0].advice, /ships busybox with BR2_PACKAGE_BUSYBOX_SELINUX=n/);
});
