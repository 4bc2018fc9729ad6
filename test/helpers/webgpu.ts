// The webgpu tests run on SwiftShader, the software Vulkan driver Debian's chromium ships, through Debian's Vulkan
// loader (libvulkan1): the same shaders a GPU runs, on the CPU. `webgpuTest` is ava's test.serial where an adapter
// is found; elsewhere the tests skip with a message saying what is missing, except in CI (CI=true), where one
// failing test says it (.ci/run installs libvulkan1 and chromium).
//
// Import this file before anything that probes WebGPU: it points the Vulkan loader at SwiftShader unless the
// environment already names a driver (VK_ICD_FILENAMES or VK_DRIVER_FILES).
import test from 'ava';
import {existsSync} from 'node:fs';
import {probeWebGpu, type GpuAdapterRecord} from '../../src/engine/webgpu.js';

/** Debian chromium's SwiftShader Vulkan driver manifest. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The environment child processes (the CLI) need to find the same adapter. */
export const WEBGPU_ENV: Record<string, string> = {};

if (process.env['VK_ICD_FILENAMES'] === undefined && process.env['VK_DRIVER_FILES'] === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
}
for (const name of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES'] as const) {
  const value = process.env[name];
  if (value !== undefined) WEBGPU_ENV[name] = value;
}

const probe = await probeWebGpu();
const missing = probe.adapter === null
  ? `${probe.reason}${existsSync(SWIFTSHADER_ICD) ? '' : ` (SwiftShader: \`apt-get install chromium\` provides ${SWIFTSHADER_ICD})`}`
  : undefined;

/** The adapter the tests run on (SwiftShader unless the environment names another driver), or undefined. */
export const testAdapter: GpuAdapterRecord | undefined = probe.adapter ?? undefined;

/** Why the webgpu tests cannot run here, or undefined when they can. */
export const webgpuMissing: string | undefined = missing;

/**
 * test.serial when a WebGPU adapter is found, else test.serial.skip (outside CI). In CI a missing adapter adds one
 * failing test naming what is missing, so a CI without Vulkan is red, never silently green.
 */
export const webgpuTest = missing === undefined ? test.serial : test.serial.skip;

if (missing !== undefined) {
  if (process.env['CI'] === 'true') {
    test('WebGPU tests need a Vulkan adapter (SwiftShader in CI)', (t) => {
      t.fail(`no WebGPU adapter in CI: ${missing}; .ci/run installs libvulkan1 and chromium`);
    });
  } else {
    console.log(`webgpu tests skipped: ${missing}`);
  }
}
