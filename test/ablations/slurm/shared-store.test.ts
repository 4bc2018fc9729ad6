// The warning for a run store that the nodes of a cluster would not share.
import test from 'ava';
import {nodeLocalStoreWarning} from '../../../src/ablations/slurm/shared-store.js';

const MOUNTS = ['/dev/sda1 / ext4 rw 0 0', 'nfs:/home /home nfs4 rw 0 0', 'tmpfs /mnt/ram tmpfs rw 0 0', 'lustre@tcp:/scratch /scratch lustre rw 0 0'].join('\n');

test('stores under /tmp, /var/tmp, /dev/shm, $TMPDIR or on a tmpfs are warned about; shared ones are not', (t) => {
  for (const store of ['/tmp/runs', '/var/tmp/x', '/dev/shm/r', '/localscratch/me/runs']) t.regex(nodeLocalStoreWarning(store, {}, MOUNTS) ?? '', /usually local to each node/, store);
  t.regex(nodeLocalStoreWarning('/mnt/ram/runs', {}, MOUNTS) ?? '', /is on a tmpfs \(\/mnt\/ram\)/);
  t.regex(nodeLocalStoreWarning('/job/tmp/runs', {SLURM_TMPDIR: '/job/tmp'}, MOUNTS) ?? '', /is under \/job\/tmp/);
  for (const store of ['/home/me/runs', '/scratch/lab/runs', '/tmpfoo/runs']) t.is(nodeLocalStoreWarning(store, {}, MOUNTS), null, store);
  t.regex(nodeLocalStoreWarning('/tmp/r', {}, MOUNTS) ?? '', /use --store on a file system every node mounts/);
});
