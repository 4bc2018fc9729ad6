// The TF.js layers format (model.json + one weights file) written and read without tfjs-node's file://
// handler: tf.io.withSaveHandler gives the artifacts, tf.io.fromMemory loads them back. Custom layers load
// because src/models/layers registers them.
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '../layers/index.js';
import {ensureOutputDir} from '../../io/output-dir.js';

const WEIGHTS_FILE = 'weights.bin';

/**
 * Writes dir/model.json and dir/weights.bin; returns their paths. `extraMetadata` is added to the model's user
 * metadata in model.json (the model itself is left as it is).
 */
export async function saveTfjsModel(model: tf.LayersModel, dir: string, extraMetadata: Record<string, unknown> = {}): Promise<{modelJson: string; weights: string}> {
  await ensureOutputDir(dir);
  const modelJson = join(dir, 'model.json');
  const weights = join(dir, WEIGHTS_FILE);
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = artifacts.weightData;
    const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
    const bytes = Buffer.concat(buffers.map((b) => Buffer.from(b)));
    await writeFile(weights, bytes);
    const json = {
      format: 'layers-model', generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy ?? null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs}],
      userDefinedMetadata: Object.keys(extraMetadata).length > 0 ? {...artifacts.userDefinedMetadata, ...extraMetadata} : artifacts.userDefinedMetadata,
    };
    await writeFile(modelJson, JSON.stringify(json));
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.length}};
  }));
  return {modelJson, weights};
}

export async function loadTfjsModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: tf.io.ModelJSON['modelTopology'];
    weightsManifest: {paths: string[]; weights: tf.io.WeightsManifestEntry[]}[];
    userDefinedMetadata?: Record<string, unknown>;
  };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const chunks = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
  const all = Buffer.concat(chunks);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({modelTopology: json.modelTopology, weightSpecs: specs, weightData}));
  if (json.userDefinedMetadata) model.setUserDefinedMetadata(json.userDefinedMetadata);
  return model;
}
