// What machine this is: CPU, memory, GPUs (through nvidia-smi where present), free disk.
import {execFile} from 'node:child_process';
import {statfs} from 'node:fs/promises';
import os from 'node:os';
import {promisify} from 'node:util';

export interface GpuInfo { name: string; memoryMiB: number; driver: string }

export interface SystemInfo {
  node: string;
  platform: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  gpus: GpuInfo[];
  /** Why no GPU is listed, when none is. */
  gpuNote?: string;
}

export async function listGpus(): Promise<{gpus: GpuInfo[]; note?: string}> {
  try {
    const {stdout} = await promisify(execFile)('nvidia-smi',
      ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits'], {timeout: 10_000});
    const gpus = stdout.trim().split('\n').filter(Boolean).map((line) => {
      const [name = '', memory = '0', driver = ''] = line.split(',').map((s) => s.trim());
      return {name, memoryMiB: Number(memory), driver};
    });
    return {gpus};
  } catch (error) {
    const code = (error as {code?: string}).code;
    return {gpus: [], note: code === 'ENOENT' ? 'nvidia-smi not found (no NVIDIA driver)' : `nvidia-smi failed: ${(error as Error).message.split('\n')[0]}`};
  }
}

export async function systemInfo(): Promise<SystemInfo> {
  const cpus = os.cpus();
  const {gpus, note} = await listGpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    gpus,
    ...(note === undefined ? {} : {gpuNote: note}),
  };
}

/** Free bytes on the file system holding `path` (or its nearest existing ancestor). */
export async function freeDiskBytes(path: string): Promise<number | undefined> {
  let p = path;
  for (;;) {
    try {
      const s = await statfs(p);
      return s.bavail * s.bsize;
    } catch {
      const parent = p.replace(/\/[^/]*\/?$/, '') || '/';
      if (parent === p) return undefined;
      p = parent;
    }
  }
}
