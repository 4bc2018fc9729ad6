// A real one-node SLURM cluster for tests, from Debian's slurm-wlm and munge: a munge key and socket, a slurm.conf
// for this host (SlurmUser=root, proctrack/linuxproc, task/none, select/cons_tres, one node, one partition) and
// munged, slurmctld and slurmd in the foreground, all inside a temporary folder. SLURM's client commands find it
// through SLURM_CONF in `env`; nothing of the machine's own configuration is read or changed. stop() ends the
// three daemons it started, by pid, and removes the folder.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {createServer} from 'node:net';
import {availableParallelism, hostname, tmpdir, totalmem} from 'node:os';
import {join} from 'node:path';
import {randomBytes} from 'node:crypto';

/** The daemons' programs and the client commands the tests use. */
const PROGRAMS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scontrol', 'scancel', 'sinfo', 'squeue'];

/** A running test cluster. */
export interface SlurmCluster {
  /** process.env plus SLURM_CONF: the environment to run sbatch, scontrol and mslk under. */
  env: NodeJS.ProcessEnv;
  /** Its temporary folder (configuration, state, daemon logs). */
  dir: string;
  /** The daemons' logs, for a failing test's message. */
  logs(): Promise<string>;
  /**
   * Cancels its jobs, stops slurmd, slurmctld and munged (SIGTERM by pid, then SIGKILL after 10 s), ends any process
   * left with its SLURM_CONF (by pid) and removes the folder.
   */
  stop(): Promise<void>;
}

/** Why a cluster cannot be started on this machine (the test then skips, saying so), or null when it can. */
export function slurmUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'a test SLURM cluster needs root (slurmctld and slurmd run as SlurmUser=root here): run the tests as root, as CI does';
  return null;
}

/** Programs of PROGRAMS that are not on PATH (or in /usr/sbin). */
export function missingSlurmPrograms(): string[] {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin'];
  return PROGRAMS.filter((p) => !dirs.some((d) => d !== '' && existsSync(join(d, p))));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function program(name: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin'];
  const dir = dirs.find((d) => d !== '' && existsSync(join(d, name)));
  if (dir === undefined) throw new Error(`${name} not found: install Debian's slurm-wlm and munge (apt-get install slurm-wlm munge; .ci/run does)`);
  return join(dir, name);
}

/** Pids of this machine's processes (other than this one) whose environment holds `entry` exactly. */
async function processesWithEnv(entry: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(entry)) pids.push(pid);
  }
  return pids;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited(child);
  clearTimeout(timer);
}

/** Options of startSlurmCluster. */
export interface SlurmClusterOptions {
  /** Extra slurm.conf lines, e.g. `MaxArraySize=5` (a small limit a test can reach with a few runs). */
  config?: readonly string[];
}

/**
 * Starts a one-node cluster (munged, slurmctld, slurmd) in a new temporary folder and waits until its node is idle
 * (at most 60 s). Throws, with the daemons' logs, when it does not come up; stops what it started first.
 */
export async function startSlurmCluster(options: SlurmClusterOptions = {}): Promise<SlurmCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'mslk-slurm-'));
  const node = hostname();
  await mkdir(join(dir, 'state'));
  await mkdir(join(dir, 'spool'));
  const key = join(dir, 'munge.key');
  await writeFile(key, randomBytes(1024));
  await chmod(key, 0o600);
  const socket = join(dir, 'munge.socket');
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  // RealMemory below the machine's, or slurmd reports too little memory and the node is drained.
  const memoryMb = Math.max(512, Math.floor(totalmem() / 2 ** 20) - 1024);
  const conf = join(dir, 'slurm.conf');
  await writeFile(conf, [
    'ClusterName=mslktest', `SlurmctldHost=${node}`, 'SlurmUser=root', 'SlurmdUser=root',
    'AuthType=auth/munge', `AuthInfo=socket=${socket}`, 'CredType=cred/munge',
    `StateSaveLocation=${join(dir, 'state')}`, `SlurmdSpoolDir=${join(dir, 'spool')}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`, `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
    `SlurmctldPort=${ctldPort}`, `SlurmdPort=${slurmdPort}`,
    `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`, `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'SelectType=select/cons_tres', 'SelectTypeParameters=CR_Core',
    'ReturnToService=2', 'MpiDefault=none', 'JobCompType=jobcomp/none', 'AccountingStorageType=accounting_storage/none',
    'SchedulerParameters=sched_interval=2', 'KillWait=30', 'MinJobAge=600', ...(options.config ?? []),
    `NodeName=${node} CPUs=${availableParallelism()} RealMemory=${memoryMb} State=UNKNOWN`,
    `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`, '',
  ].join('\n'));
  const env = {...process.env, SLURM_CONF: conf};
  const children: ChildProcess[] = [];
  const start = (name: string, args: string[]): void => {
    children.push(spawn(program(name), args, {env, stdio: 'ignore'}));
  };
  const logs = async (): Promise<string> => {
    const parts: string[] = [];
    for (const name of ['munged.log', 'slurmctld.log', 'slurmd.log']) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => '(none)');
      parts.push(`--- ${name}\n${text.split('\n').slice(-15).join('\n')}`);
    }
    return parts.join('\n');
  };
  const stop = async (): Promise<void> => {
    // Jobs first, so that their step daemons end with them; what still carries this cluster's SLURM_CONF once the
    // daemons are gone (a slurmstepd that outlived its slurmd, a task it ran) is ended by pid too.
    if (children.length === 3) {
      spawnSync(program('scancel'), ['--user', 'root'], {env});
      for (let i = 0; i < 50 && spawnSync(program('squeue'), ['-h'], {env, encoding: 'utf8'}).stdout.trim() !== ''; i++) await new Promise((r) => setTimeout(r, 200));
    }
    for (const child of [...children].reverse()) await stopChild(child);
    for (const pid of await processesWithEnv(`SLURM_CONF=${conf}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(dir, {recursive: true, force: true});
  };
  try {
    start('munged', ['-F', '--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${join(dir, 'munged.pid')}`,
      `--log-file=${join(dir, 'munged.log')}`, `--seed-file=${join(dir, 'munge.seed')}`]);
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
    start('slurmctld', ['-D', '-f', conf]);
    start('slurmd', ['-D', '-f', conf]);
    for (let i = 0; ; i++) {
      const state = spawnSync(program('sinfo'), ['-h', '-o', '%t'], {env, encoding: 'utf8'}).stdout.trim();
      if (state === 'idle') break;
      if (i >= 300) throw new Error(`the test SLURM cluster did not come up in 60 s (node state "${state}")\n${await logs()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {env, dir, logs, stop};
}
