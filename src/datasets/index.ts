// The datasets library: what other modules (training, evaluation, ablations) use.
export {resolveDataRoot, defaultDataRoot} from './data-root.js';
export {DATASETS, findDatasetEntry, type DatasetEntry, type DownloadSpec} from './registry.js';
export {resolveDataset, type ResolvedDataset, type ResolveOptions} from './resolve.js';
export type {SamplePair} from './collect.js';
export {DatasetError, type Problem} from './errors.js';
export {prepareDataset, loadPreparedDataset, openPreparedFile, locateCache, PREPROCESSING_VERSION, type PrepareOptions, type PrepareResult, type LoadOptions} from './prepare.js';
export {PreparedDataset, type BinaryMask} from './prepared-dataset.js';
export {datasetFingerprint, digestPairs} from './fingerprint.js';
export {makeSplit, readSplitFile, writeSplitFile, SUBSETS, type SplitFile, type SplitRequest, type SubsetName} from './splits.js';
export {augmentSample, augmentParameters, DEFAULT_AUGMENTATION, NO_AUGMENTATION, type AugmentOptions, type SampleKey} from './augment.js';
export {epochBatches, epochOrder, makeBatch, type Batch} from './batches.js';
export {syntheticSample, syntheticSamples, writeSyntheticDataset, SYNTHETIC_DEFAULTS, type SyntheticOptions} from './synthetic.js';
export {verifyDataset, type VerifyReport} from './verify.js';
export {importDataset, type ImportResult} from './import.js';
export {fetchDataset, type FetchResult} from './fetch.js';
export {listDatasets, datasetInfo, type CatalogRow, type DatasetInfo} from './catalog.js';
