// The WebGPU backend in Node: Dawn's Node binding (the `webgpu` package, whose dawn.node ships inside it, so it
// installs offline) under @tensorflow/tfjs-backend-webgpu. A GPU is reached through Vulkan on Linux, Metal on
// macOS and D3D12 on Windows: no CUDA version to match. On Linux without a GPU, Debian's libvulkan1 with the
// SwiftShader driver that Debian's chromium ships gives a software adapter (slow, but it runs the same shaders).
//
// Two facts of the toolchain shape this file (../shared/design/conventions.md):
// - tfjs-backend-webgpu registers itself only when `navigator.gpu` exists at import time, and Node 20 has no
//   `navigator`: we set it from webgpu's create() and then import the backend dynamically.
// - Dawn prints its own warnings to stderr when Vulkan has no loader or no driver; on Linux we look for both first
//   (the loader's documented search paths) and say which is missing, with the fix, without asking Dawn.
import {existsSync, readdirSync} from 'node:fs';
import {execFileSync} from 'node:child_process';
import {homedir} from 'node:os';
import {delimiter, join} from 'node:path';

/** The WebGPU adapter a result was computed on, as recorded in manifests and printed by `mslk doctor`. */
export interface GpuAdapterRecord {
  /** GPUAdapterInfo.vendor, e.g. 'nvidia', 'google' (SwiftShader). */
  vendor: string;
  /** GPUAdapterInfo.architecture, e.g. 'hopper', 'swiftshader'. */
  architecture: string;
  /** GPUAdapterInfo.device (may be empty). */
  device: string;
  /** GPUAdapterInfo.description, e.g. 'NVIDIA H100 80GB HBM3', 'SwiftShader driver 5.0.0'. */
  description: string;
  /** True for a CPU implementation (SwiftShader, llvmpipe/lavapipe, WARP): it runs the path but is slow. */
  software: boolean;
  /** The adapter's maxBufferSize limit in bytes (the largest single tensor it can hold). */
  maxBufferBytes: number;
}

/** What a probe for a WebGPU adapter found: the adapter, or why there is none and what to do about it (one line). */
export type WebGpuProbe = {adapter: GpuAdapterRecord; reason?: undefined} | {adapter: null; reason: string};

/** The subset of GPUAdapterInfo we read (dawn.node's object has no enumerable own properties). */
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  type?: string;
}

interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  limits?: {maxBufferSize?: number};
}

interface GpuLike {
  requestAdapter(options?: {powerPreference?: 'high-performance' | 'low-power'}): Promise<AdapterLike | null>;
}

const SOFTWARE_ADAPTERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/**
 * Whether an adapter is a CPU implementation: WebGPU's isFallbackAdapter, an adapter type of 'cpu', or a name of
 * the known software rasterisers (SwiftShader, llvmpipe/lavapipe, softpipe, WARP) in its architecture, device or
 * description. `auto` never chooses such an adapter.
 */
export function isSoftwareAdapter(info: AdapterInfoLike, fallback = false): boolean {
  if (fallback || info.isFallbackAdapter === true || /^cpu$/i.test(info.type ?? '')) return true;
  return SOFTWARE_ADAPTERS.test(`${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''} ${info.vendor ?? ''}`);
}

/** The record of an adapter (see GpuAdapterRecord). */
export function adapterRecord(adapter: AdapterLike): GpuAdapterRecord {
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '',
    description: info.description ?? '', software: isSoftwareAdapter(info, adapter.isFallbackAdapter === true),
    maxBufferBytes: adapter.limits?.maxBufferSize ?? 0,
  };
}

/** One line naming an adapter: 'NVIDIA H100 (nvidia hopper, hardware)'. */
export function describeAdapter(a: GpuAdapterRecord): string {
  const name = a.description || a.device || 'unnamed adapter';
  const kind = a.software ? 'software: a CPU implementation, slow; `auto` does not choose it' : 'hardware';
  return `${name} (${[a.vendor, a.architecture].filter(Boolean).join(' ') || 'vendor unknown'}, ${kind})`;
}

/** Where to read the environment and file system from; tests replace them. */
export interface VulkanEnvironment {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  exists: (path: string) => boolean;
  /** File names in a directory, [] when it cannot be read. */
  list: (dir: string) => string[];
  /** `ldconfig -p`'s output, '' when it cannot be run. */
  ldconfig: () => string;
}

const HOST: VulkanEnvironment = {
  env: process.env,
  platform: process.platform,
  exists: existsSync,
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
  ldconfig: () => {
    for (const bin of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
      try {
        return execFileSync(bin, ['-p'], {encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore']});
      } catch {
        // next candidate
      }
    }
    return '';
  },
};

const LOADER = 'libvulkan.so.1';
const NO_LOADER_FIX = `install the Vulkan loader (Debian/Ubuntu: \`apt-get install libvulkan1\`; Fedora: vulkan-loader)`;
const DRIVER_FIX = 'install your GPU\'s Vulkan driver (NVIDIA: the proprietary driver ships nvidia_icd.json; AMD and Intel: Debian\'s mesa-vulkan-drivers), '
  + 'or, to try the path without a GPU (slow), Debian\'s chromium and VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json';

/** Directories the Vulkan loader searches for driver manifests (ICD JSON files) on Linux, in its documented order. */
function icdDirectories(env: NodeJS.ProcessEnv): string[] {
  const home = env['HOME'] ?? homedir();
  const configDirs = [env['XDG_CONFIG_HOME'] ?? join(home, '.config'), ...(env['XDG_CONFIG_DIRS'] ?? '/etc/xdg').split(':'), '/etc'];
  const dataDirs = [env['XDG_DATA_HOME'] ?? join(home, '.local/share'), ...(env['XDG_DATA_DIRS'] ?? '/usr/local/share:/usr/share').split(':')];
  return [...configDirs, ...dataDirs].filter(Boolean).map((d) => join(d, 'vulkan', 'icd.d'));
}

/**
 * On Linux, why Vulkan cannot give Dawn an adapter, or null when a loader and at least one driver manifest are
 * present (other platforms: always null; Dawn uses Metal or D3D12 there). Reads VK_ICD_FILENAMES / VK_DRIVER_FILES
 * (files or directories, ':'-separated) when set, else the loader's ICD directories. Never throws.
 */
export function missingVulkanPart(host: VulkanEnvironment = HOST): string | null {
  if (host.platform !== 'linux') return null;
  const libraryDirs = [
    ...(host.env['LD_LIBRARY_PATH'] ?? '').split(delimiter).filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/aarch64-linux-gnu',
    '/usr/lib64', '/lib64', '/usr/lib', '/lib', '/usr/local/lib',
  ];
  const hasLoader = libraryDirs.some((d) => host.exists(join(d, LOADER))) || host.ldconfig().includes(LOADER);
  if (!hasLoader) return `no Vulkan loader (${LOADER}) on this machine: ${NO_LOADER_FIX}`;
  const explicit = host.env['VK_DRIVER_FILES'] ?? host.env['VK_ICD_FILENAMES'];
  if (explicit !== undefined && explicit !== '') {
    const variable = host.env['VK_DRIVER_FILES'] !== undefined ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES';
    const entries = explicit.split(':').filter(Boolean);
    const found = entries.some((e) => (e.endsWith('.json') ? host.exists(e) : host.list(e).some((f) => f.endsWith('.json'))));
    return found ? null : `${variable}=${explicit} names no Vulkan driver manifest that exists: fix the path, or unset it and ${DRIVER_FIX}`;
  }
  const found = icdDirectories(host.env).some((d) => host.list(d).some((f) => f.endsWith('.json')));
  return found ? null : `no Vulkan driver (no driver manifest in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d): ${DRIVER_FIX}`;
}

let gpu: GpuLike | undefined;
let probed: Promise<WebGpuProbe> | undefined;

async function loadDawn(): Promise<GpuLike> {
  if (gpu !== undefined) return gpu;
  // A variable specifier: the package's types are not needed, and a platform without a prebuilt dawn.node fails
  // here (caught by the caller) rather than at mslk's start.
  const specifier: string = 'webgpu';
  const dawn = (await import(specifier)) as {create: (flags: string[]) => GpuLike; globals: Record<string, unknown>};
  const created = dawn.create([]);
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as {navigator?: {gpu?: unknown}};
  // Node 20 has no navigator; Node 21+ has one without `gpu`. Either way tfjs-backend-webgpu looks here.
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', {value: {gpu: created}, configurable: true, writable: true});
  else if (g.navigator.gpu === undefined) Object.defineProperty(g.navigator, 'gpu', {value: created, configurable: true});
  gpu = created;
  return created;
}

/**
 * Finds the WebGPU adapter TF.js would use (powerPreference 'high-performance', as tfjs-backend-webgpu asks), once
 * per process. Never throws: with no adapter the result's `reason` says why in one line, with the fix.
 */
export function probeWebGpu(): Promise<WebGpuProbe> {
  probed ??= (async (): Promise<WebGpuProbe> => {
    const missing = missingVulkanPart();
    if (missing !== null) return {adapter: null, reason: missing};
    let g: GpuLike;
    try {
      g = await loadDawn();
    } catch (error) {
      const message = (error as Error).message.split('\n')[0];
      return {adapter: null, reason: `the webgpu package (Dawn) did not load on ${process.platform}-${process.arch}: ${message}; reinstall it with \`npm ci\``};
    }
    const adapter = await g.requestAdapter({powerPreference: 'high-performance'}).catch(() => null);
    if (adapter === null) {
      return {adapter: null, reason: `Dawn found no adapter although a Vulkan driver is installed (the driver may not match the GPU or kernel module; \`vulkaninfo --summary\` from Debian's vulkan-tools shows what Vulkan sees): ${DRIVER_FIX}`};
    }
    return {adapter: adapterRecord(adapter)};
  })();
  return probed;
}

/**
 * Registers TF.js's 'webgpu' backend after a successful probe (idempotent). Throws an Error (one line) when no
 * adapter was found.
 */
export async function registerWebGpuBackend(): Promise<GpuAdapterRecord> {
  const probe = await probeWebGpu();
  if (probe.adapter === null) throw new Error(probe.reason);
  await import('@tensorflow/tfjs-backend-webgpu');
  return probe.adapter;
}
