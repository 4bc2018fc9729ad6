// Downloads one file to disk with progress and a sha256 computed on the way. A failed or refused download
// leaves no file behind; an unreachable host gives an error that says so (offline is the common case).
import {createHash} from 'node:crypto';
import {createWriteStream} from 'node:fs';
import {rm} from 'node:fs/promises';
import {Readable, Transform} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import type {ReadableStream as WebReadableStream} from 'node:stream/web';
import {DatasetError} from './errors.js';

export interface DownloadProgress {
  received: number;
  /** From Content-Length, when the server sends it. */
  total?: number;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
}

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as {code?: unknown}).code;
    if (typeof code === 'string') return code;
    current = (current as {cause?: unknown}).cause;
  }
  return undefined;
}

export async function downloadFile(url: string, destination: string, options: {expectedSha256?: string; onProgress?: (p: DownloadProgress) => void; timeoutMs?: number} = {}): Promise<DownloadResult> {
  let response: Response;
  try {
    response = await fetch(url, {redirect: 'follow', signal: AbortSignal.timeout(options.timeoutMs ?? 30_000)});
  } catch (error) {
    const code = networkCode(error);
    const why = code && NETWORK_CODES.has(code) ? `host unreachable (${code}): offline, or the site is down` : `request failed (${code ?? (error instanceof Error ? error.message : String(error))})`;
    throw new DatasetError(url, `cannot download: ${why}`);
  }
  if (!response.ok || !response.body) throw new DatasetError(url, `cannot download: HTTP ${response.status} ${response.statusText}`.trim());
  const header = response.headers.get('content-length');
  const progress: DownloadProgress = {received: 0, ...(header && Number(header) > 0 ? {total: Number(header)} : {})};
  const hash = createHash('sha256');
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      progress.received += chunk.length;
      options.onProgress?.(progress);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>), meter, createWriteStream(destination));
  } catch (error) {
    await rm(destination, {force: true});
    throw new DatasetError(url, `download interrupted: ${networkCode(error) ?? (error instanceof Error ? error.message : String(error))}`);
  }
  const sha256 = hash.digest('hex');
  if (progress.total !== undefined && progress.received !== progress.total) {
    await rm(destination, {force: true});
    throw new DatasetError(url, `download incomplete: ${progress.received} of ${progress.total} bytes`);
  }
  if (options.expectedSha256 && sha256 !== options.expectedSha256.toLowerCase()) {
    await rm(destination, {force: true});
    throw new DatasetError(url, `sha256 mismatch: got ${sha256}, expected ${options.expectedSha256}`);
  }
  return {bytes: progress.received, sha256};
}
