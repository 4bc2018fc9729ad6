// After `tsc` (npm run build / prepare): stamps dist/ with a digest of the sources it was compiled from.
import {writeBuildStamp} from '../dist/io/build-stamp.js';
import {fileURLToPath} from 'node:url';

await writeBuildStamp(fileURLToPath(new URL('..', import.meta.url)));
