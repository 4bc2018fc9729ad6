// The WebGPU helpers that need no adapter: which part of Vulkan is missing (on a fake host, so every case runs on
// any machine), which adapters are software rasterisers, and how an adapter is recorded and named.
import test from 'ava';
import fc from 'fast-check';
import {adapterRecord, describeAdapter, isSoftwareAdapter, missingVulkanPart, type GpuAdapterRecord, type VulkanEnvironment} from '../../src/engine/webgpu.js';

const LOADER_LINE = '\tlibvulkan.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libvulkan.so.1\n';
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface FakeHost {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Paths that exist (files: the loader, driver manifests). */
  files?: string[];
  /** Directory -> its file names. */
  dirs?: Record<string, string[]>;
  ldconfig?: string;
}

/** A VulkanEnvironment over an in-memory file system; `calls` counts every look at it. */
function fakeHost(o: FakeHost): VulkanEnvironment & {calls: number} {
  const files = new Set(o.files ?? []);
  const host = {
    calls: 0,
    env: {HOME: '/home/u', ...(o.env ?? {})},
    platform: o.platform ?? 'linux',
    exists: (path: string) => {
      host.calls++;
      return files.has(path) || Object.hasOwn(o.dirs ?? {}, path);
    },
    list: (dir: string) => {
      host.calls++;
      return o.dirs?.[dir] ?? [];
    },
    ldconfig: () => {
      host.calls++;
      return o.ldconfig ?? '';
    },
  };
  return host;
}

const WITH_LOADER = {files: ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1']};
const NVIDIA_ICD = {'/usr/share/vulkan/icd.d': ['nvidia_icd.json']};

// --- missingVulkanPart ---

test('no Vulkan loader: names libvulkan.so.1 and the Debian package libvulkan1, whatever drivers are installed', (t) => {
  const message = missingVulkanPart(fakeHost({dirs: NVIDIA_ICD}));
  t.truthy(message);
  t.regex(message!, /^no Vulkan loader \(libvulkan\.so\.1\)/);
  t.regex(message!, /apt-get install libvulkan1/);
});

test('a loader that only ldconfig knows, or one on LD_LIBRARY_PATH, counts as installed', (t) => {
  t.is(missingVulkanPart(fakeHost({ldconfig: LOADER_LINE, dirs: NVIDIA_ICD})), null);
  t.is(missingVulkanPart(fakeHost({env: {LD_LIBRARY_PATH: '/opt/vk/lib:/opt/other'}, files: ['/opt/vk/lib/libvulkan.so.1'], dirs: NVIDIA_ICD})), null);
  // The same loader in a folder the loader search does not read is not found.
  t.regex(missingVulkanPart(fakeHost({files: ['/opt/vk/lib/libvulkan.so.1'], dirs: NVIDIA_ICD})) ?? '', /no Vulkan loader/);
});

test('a loader but no driver manifest: names the driver fix, Debian\'s mesa drivers and SwiftShader from chromium', (t) => {
  const message = missingVulkanPart(fakeHost({...WITH_LOADER, dirs: {'/usr/share/vulkan/icd.d': ['README']}}));
  t.truthy(message);
  t.regex(message!, /^no Vulkan driver/);
  t.regex(message!, /mesa-vulkan-drivers/);
  t.regex(message!, /chromium/);
  t.true(message!.includes(`VK_ICD_FILENAMES=${SWIFTSHADER}`), message!);
  t.notRegex(message!, /libvulkan1/);
});

test('a driver manifest in any of the loader\'s folders (system, /etc, XDG data and config homes) is found', (t) => {
  for (const dir of ['/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/etc/xdg/vulkan/icd.d',
    '/home/u/.local/share/vulkan/icd.d', '/home/u/.config/vulkan/icd.d']) {
    t.is(missingVulkanPart(fakeHost({...WITH_LOADER, dirs: {[dir]: ['lvp_icd.x86_64.json']}})), null, dir);
  }
  t.is(missingVulkanPart(fakeHost({...WITH_LOADER, env: {XDG_DATA_DIRS: '/nix/share'}, dirs: {'/nix/share/vulkan/icd.d': ['a.json']}})), null);
  // XDG_DATA_DIRS replaces the default data folders.
  t.regex(missingVulkanPart(fakeHost({...WITH_LOADER, env: {XDG_DATA_DIRS: '/nix/share'}, dirs: NVIDIA_ICD})) ?? '', /^no Vulkan driver/);
});

test('VK_ICD_FILENAMES naming a missing file: says so, with the path, even when the system has a driver', (t) => {
  const message = missingVulkanPart(fakeHost({...WITH_LOADER, env: {VK_ICD_FILENAMES: '/nope/icd.json'}, dirs: NVIDIA_ICD}));
  t.truthy(message);
  t.true(message!.startsWith('VK_ICD_FILENAMES=/nope/icd.json names no Vulkan driver manifest that exists'), message!);
  t.true(message!.includes(SWIFTSHADER));
});

test('VK_ICD_FILENAMES naming an existing manifest, or a folder holding one, is enough without any system driver', (t) => {
  t.is(missingVulkanPart(fakeHost({files: [...WITH_LOADER.files, SWIFTSHADER], env: {VK_ICD_FILENAMES: SWIFTSHADER}})), null);
  t.is(missingVulkanPart(fakeHost({...WITH_LOADER, env: {VK_ICD_FILENAMES: '/opt/icds'}, dirs: {'/opt/icds': ['x.json']}})), null);
  t.is(missingVulkanPart(fakeHost({files: [...WITH_LOADER.files, SWIFTSHADER], env: {VK_ICD_FILENAMES: `/missing.json:${SWIFTSHADER}`}})), null);
  // An empty value is unset: the system folders decide.
  t.is(missingVulkanPart(fakeHost({...WITH_LOADER, env: {VK_ICD_FILENAMES: ''}, dirs: NVIDIA_ICD})), null);
});

test('VK_DRIVER_FILES wins over VK_ICD_FILENAMES (the loader reads it first)', (t) => {
  const files = [...WITH_LOADER.files, SWIFTSHADER];
  const missing = missingVulkanPart(fakeHost({files, env: {VK_DRIVER_FILES: '/gone.json', VK_ICD_FILENAMES: SWIFTSHADER}}));
  t.truthy(missing);
  t.true(missing!.startsWith('VK_DRIVER_FILES=/gone.json names no Vulkan driver manifest'), missing!);
  t.is(missingVulkanPart(fakeHost({files, env: {VK_DRIVER_FILES: SWIFTSHADER, VK_ICD_FILENAMES: '/gone.json'}})), null);
});

test('not Linux: null without looking at the file system (Dawn uses Metal or D3D12 there)', (t) => {
  for (const platform of ['darwin', 'win32'] as const) {
    const host = fakeHost({platform});
    t.is(missingVulkanPart(host), null, platform);
    t.is(host.calls, 0, platform);
  }
});

// Hosts drawn at random: loader anywhere or nowhere, drivers anywhere or nowhere, the variables set or not.
const loaderPlaces = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
const icdPlaces = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/home/u/.local/share/vulkan/icd.d', '/opt/icds'];
const randomHost = fc.record({
  loaders: fc.subarray(loaderPlaces),
  ldconfigKnows: fc.boolean(),
  icds: fc.subarray(icdPlaces),
  manifest: fc.constantFrom('nvidia_icd.json', 'radeon_icd.x86_64.json', 'notes.txt'),
  icdVariable: fc.option(fc.constantFrom(SWIFTSHADER, '/nope.json', '/opt/icds', `/nope.json:${SWIFTSHADER}`), {nil: undefined}),
  driverVariable: fc.option(fc.constantFrom(SWIFTSHADER, '/gone.json'), {nil: undefined}),
  swiftshaderInstalled: fc.boolean(),
});

type RandomHost = typeof randomHost extends fc.Arbitrary<infer T> ? T : never;

function hostOf(h: RandomHost, platform: NodeJS.Platform = 'linux') {
  const env: NodeJS.ProcessEnv = {};
  if (h.icdVariable !== undefined) env['VK_ICD_FILENAMES'] = h.icdVariable;
  if (h.driverVariable !== undefined) env['VK_DRIVER_FILES'] = h.driverVariable;
  return fakeHost({
    platform, env, ldconfig: h.ldconfigKnows ? LOADER_LINE : '',
    files: [...h.loaders.map((d) => `${d}/libvulkan.so.1`), ...(h.swiftshaderInstalled ? [SWIFTSHADER] : [])],
    dirs: Object.fromEntries(h.icds.map((d) => [d, [h.manifest]])),
  });
}

test('property: without a loader the answer always names libvulkan1, and only then', (t) => {
  fc.assert(fc.property(randomHost, (h) => {
    const message = missingVulkanPart(hostOf(h));
    const hasLoader = h.loaders.length > 0 || h.ldconfigKnows;
    return hasLoader ? !(message ?? '').includes('libvulkan1') : (message ?? '').includes('apt-get install libvulkan1');
  }), {seed: 22, numRuns: 300});
  t.pass();
});

test('property: a set VK_DRIVER_FILES or VK_ICD_FILENAMES alone decides whether a driver is found (never the folders)', (t) => {
  fc.assert(fc.property(randomHost.filter((h) => h.icdVariable !== undefined || h.driverVariable !== undefined), (h) => {
    const message = missingVulkanPart(hostOf({...h, loaders: ['/usr/lib'], ldconfigKnows: false}));
    const variable = h.driverVariable !== undefined ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES';
    const value = (h.driverVariable ?? h.icdVariable)!;
    const found = value.split(':').some((e) => (e === SWIFTSHADER && h.swiftshaderInstalled) || (e === '/opt/icds' && h.icds.includes('/opt/icds') && h.manifest.endsWith('.json')));
    return found ? message === null : message !== null && message.startsWith(`${variable}=${value} names no Vulkan driver manifest`);
  }), {seed: 22, numRuns: 300});
  t.pass();
});

test('property: on any platform but Linux the answer is null whatever the host holds', (t) => {
  fc.assert(fc.property(randomHost, fc.constantFrom<NodeJS.Platform>('darwin', 'win32', 'freebsd', 'aix'), (h, platform) => missingVulkanPart(hostOf(h, platform)) === null),
    {seed: 22, numRuns: 100});
  t.pass();
});

// --- adapters ---

/** Dawn's GPUAdapterInfo: its fields are getters on the prototype, no enumerable own properties. */
function dawnInfo(fields: {vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean; type?: string}): object {
  const proto = {};
  for (const [key, value] of Object.entries(fields)) Object.defineProperty(proto, key, {get: () => value, enumerable: false});
  return Object.create(proto) as object;
}

const SWIFTSHADER_INFO = {vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0'};
const LLVMPIPE_INFO = {vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)'};
const H100_INFO = {vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3'};
const HARDWARE = [
  H100_INFO,
  {vendor: 'nvidia', architecture: 'ada-lovelace', device: '', description: 'NVIDIA GeForce RTX 4090'},
  {vendor: 'amd', architecture: 'rdna-3', device: '', description: 'AMD Radeon RX 7900 XTX (RADV NAVI31)'},
  {vendor: 'intel', architecture: 'gen-12lp', device: '', description: 'Intel(R) UHD Graphics 770 (ADL-S GT1)'},
  {vendor: 'apple', architecture: 'common-3', device: '', description: 'Apple M2'},
];

test('SwiftShader (as Dawn reports it here), llvmpipe, lavapipe and WARP are software; isFallbackAdapter or type cpu too', (t) => {
  t.true(isSoftwareAdapter(SWIFTSHADER_INFO));
  t.true(isSoftwareAdapter(LLVMPIPE_INFO));
  t.true(isSoftwareAdapter({vendor: 'mesa', description: 'lavapipe'}));
  t.true(isSoftwareAdapter({vendor: 'microsoft', description: 'Microsoft Basic Render Driver'}));
  t.true(isSoftwareAdapter({description: 'WARP'}));
  t.true(isSoftwareAdapter({...H100_INFO, isFallbackAdapter: true}));
  t.true(isSoftwareAdapter(H100_INFO, true));
  t.true(isSoftwareAdapter({...H100_INFO, type: 'CPU'}));
});

test('hardware adapters (NVIDIA, AMD, Intel, Apple) are not software; a name merely containing "warp" is not WARP', (t) => {
  for (const info of HARDWARE) t.false(isSoftwareAdapter(info), info.description);
  t.false(isSoftwareAdapter({...H100_INFO, isFallbackAdapter: false, type: 'discrete GPU'}));
  t.false(isSoftwareAdapter({vendor: 'acme', description: 'Warpdrive 9000'}));
  t.false(isSoftwareAdapter({}));
});

const field = fc.string({maxLength: 12});
const anyInfo = fc.record({vendor: field, architecture: field, device: field, description: field}, {requiredKeys: []});

/** `name` with each letter's case drawn at random. */
const anyCase = (name: string) => fc.array(fc.boolean(), {minLength: name.length, maxLength: name.length})
  .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

test('property: any adapter with isFallbackAdapter (in its info or on the adapter) is software, and its record says so', (t) => {
  fc.assert(fc.property(anyInfo, fc.boolean(), (info, onAdapter) => {
    const record = onAdapter ? adapterRecord({info, isFallbackAdapter: true}) : adapterRecord({info: {...info, isFallbackAdapter: true}});
    return isSoftwareAdapter({...info, isFallbackAdapter: true}) && isSoftwareAdapter(info, true) && record.software;
  }), {seed: 22, numRuns: 200});
  t.pass();
});

test('property: a name containing llvmpipe, lavapipe or swiftshader, in any case and any field, is software', (t) => {
  const named = fc.record({
    info: anyInfo,
    key: fc.constantFrom('vendor', 'architecture', 'device', 'description'),
    name: fc.constantFrom('llvmpipe', 'lavapipe', 'swiftshader').chain(anyCase),
    before: field,
    after: field,
  });
  fc.assert(fc.property(named, ({info, key, name, before, after}) => isSoftwareAdapter({...info, [key]: `${before}${name}${after}`})),
    {seed: 22, numRuns: 300});
  t.pass();
});

test('adapterRecord reads Dawn\'s getter-only info and the adapter\'s maxBufferSize', (t) => {
  t.deepEqual(adapterRecord({info: dawnInfo(SWIFTSHADER_INFO), limits: {maxBufferSize: 1073741824}}),
    {...SWIFTSHADER_INFO, software: true, maxBufferBytes: 1073741824});
  t.deepEqual(adapterRecord({info: dawnInfo(H100_INFO), limits: {maxBufferSize: 2 ** 36}}),
    {...H100_INFO, software: false, maxBufferBytes: 2 ** 36});
  t.deepEqual(adapterRecord({info: dawnInfo({...H100_INFO, isFallbackAdapter: true})}), {...H100_INFO, software: true, maxBufferBytes: 0});
  t.deepEqual(adapterRecord({}), {vendor: '', architecture: '', device: '', description: '', software: false, maxBufferBytes: 0});
});

test('describeAdapter: the description, vendor and architecture, and whether it is hardware or a slow software one', (t) => {
  const h100: GpuAdapterRecord = {...H100_INFO, software: false, maxBufferBytes: 2 ** 36};
  t.is(describeAdapter(h100), 'NVIDIA H100 80GB HBM3 (nvidia hopper, hardware)');
  const swiftshader: GpuAdapterRecord = {...SWIFTSHADER_INFO, software: true, maxBufferBytes: 2 ** 30};
  t.is(describeAdapter(swiftshader), 'SwiftShader driver 5.0.0 (google swiftshader, software: a CPU implementation, slow; `auto` does not choose it)');
  t.is(describeAdapter({...swiftshader, description: ''}), 'swiftshader-device-subzero- (google swiftshader, software: a CPU implementation, slow; `auto` does not choose it)');
  t.is(describeAdapter({...h100, description: '', device: '', architecture: ''}), 'unnamed adapter (nvidia, hardware)');
  t.is(describeAdapter(adapterRecord({})), 'unnamed adapter (vendor unknown, hardware)');
});
