// The report model: everything a report shows, gathered from run directories before anything is written. One
// direction of data: run directories (through src/runs) -> collect -> this model -> statistics -> tables, CSV,
// charts, HTML. Each writer reads only this model, so the same runs give the same files byte for byte.
// Every number here is traceable: a SummaryRow names the run ids it averages, a RunRow names its directory.

/** The status of a run as the report sees it (a run that is not done is shown with its reason, never dropped). */
export type ReportRunState = 'done' | 'partial' | 'running' | 'failed' | 'pending' | 'missing';

/** One run of the suite (or of a runs folder): one row of results.csv. */
export interface RunRow {
  /** 12 hex (src/runs/run-dir.ts). */
  runId: string;
  /** Absolute run directory ('' when the run was never prepared, e.g. its dataset is absent). */
  dir: string;
  /** 'full', 'w/o MIE', 'ld.largeKernel=13', or the baseline's name. */
  variant: string;
  kind: 'variant' | 'baseline';
  /** The training dataset as the suite names it. */
  dataset: string;
  /** k-fold fold (from 0), null for the dataset's own split. */
  fold: number | null;
  seed: number;
  /** Model family name (registry), e.g. 'ms-lkseg', 'unet'. */
  model: string;
  state: ReportRunState;
  /**
   * Why the run is not done (the failure reason as the status file gives it, 'partial at epoch 3/12', 'not trained
   * yet', 'run directory not found (...)'); null when done, unless its test evaluation cannot be read (then it says so).
   */
  reason: string | null;
  /**
   * Test metrics of the run's headline evaluation (test split, the run's eval.checkpoint): per-image means at each
   * image's original resolution (conventions.md); null when not done or when the split has no test images.
   * hd95 in px (mean over pairs where both masks are non-empty).
   */
  test: {dice: number; iou: number; precision: number; recall: number; hd95: number | null; images: number} | null;
  /** Parameters (count) and GFLOPs per image at the run's data.size (2 FLOPs per multiply-add). */
  params: number | null;
  gflops: number | null;
  /**
   * Median ms of one batch-1 inference of the run's model (inference form, fused) at its data.size, as `mslk ablate`
   * measured it into the store's calibration cache on the backend named by ReportModel.latencyBackend (the report's
   * own backend, which may differ from `backend`, the one the run trained on); null when the cache has none (see
   * latency-note.ts) or costs were not asked for. Never measured while a report is written.
   */
  latencyMs: number | null;
  /** Training wall time (s) from manifest.json's trainingSeconds; null when not done. */
  trainingSeconds: number | null;
  /** Backend from manifest.json ('wasm', 'tensorflow', ...); null when the manifest is absent. */
  backend: string | null;
  /** Git commit of the code that trained the run (manifest.json git.commit), null when unknown. */
  commit: string | null;
  /** Dataset fingerprint (manifest.json dataset.fingerprint), null when unknown. */
  datasetFingerprint: string | null;
  /** Extra test sets the suite asks of this run (its `evaluate` block), in suite order; absent for a runs folder. */
  testSets?: string[];
}

/** One image's metrics in one run's test evaluation: one row of per-image.csv. */
export interface PerImageRow {
  runId: string;
  variant: string;
  dataset: string;
  /** The test set the image belongs to: the training dataset's own test split, or an extra evaluation set's name. */
  testSet: string;
  fold: number | null;
  seed: number;
  /** Image id (the per-image CSV's `name`). */
  image: string;
  dice: number;
  iou: number;
  /** px; null when either mask is empty (HD95 undefined). */
  hd95: number | null;
}

/** A statistic over seeds (sample std, n - 1), n the number of values it is computed from. */
export interface SeedStatistic {
  mean: number | null;
  std: number | null;
  n: number;
}

/** One variant on one dataset (and test set), aggregated over seeds: one row of summary.csv. */
export interface SummaryRow {
  variant: string;
  kind: 'variant' | 'baseline';
  dataset: string;
  /** The test set: the dataset's own test split ('test') or an extra evaluation set's name. */
  testSet: string;
  /** Runs planned (seeds x folds) and done; a SummaryRow with done < planned says so in `missing`. */
  planned: number;
  /** Seeds planned: the n the statistics over seeds (dice.n, ...) are out of (with k-fold, planned / folds). */
  seeds: number;
  done: number;
  /** Test metrics over seeds; with folds, the mean over folds of each seed first. */
  dice: SeedStatistic;
  iou: SeedStatistic;
  hd95: SeedStatistic;
  /**
   * Per-image mean precision and recall over seeds (collectReport sets them; n 0 for extra test sets, whose
   * per-image rows carry Dice, IoU and HD95 only). Optional so that models made by hand may leave them out.
   */
  precision?: SeedStatistic;
  recall?: SeedStatistic;
  params: number | null;
  gflops: number | null;
  /** Batch-1 inference latency in ms (RunRow.latencyMs of the first run that has it: one model per row), or null. */
  latencyMs: number | null;
  /** Mean training wall time (s) of the done runs. */
  trainingSeconds: number | null;
  /** Why runs are missing (one phrase per missing run, e.g. 'seed 2: failed: diverged at epoch 3'); empty when none. */
  missing: string[];
  /** The run ids this row averages, in plan order (done or not). */
  runIds: string[];
}

/** One paired comparison over test images: `variant` minus `against`, per-image scores averaged across seeds first. */
export interface PairedComparison {
  dataset: string;
  testSet: string;
  variant: string;
  /** The reference variant or baseline the difference is taken against. */
  against: string;
  metric: 'dice';
  /** Images present in both (matched by image id). */
  images: number;
  /** Runs (seed x fold) each side contributes: those both sides have done; absent in reports made before it. */
  pairedRuns?: number;
  /**
   * Test images scored for only one side, left out of the comparison (e.g. a run of one side missing, or a test
   * set that changed); absent when not computed.
   */
  unmatchedImages?: {variantOnly: number; againstOnly: number};
  /** Mean of (variant - against) over images, with a seeded paired bootstrap 95% percentile CI. */
  meanDifference: number;
  ci: [number, number];
  /** Two-sided Wilcoxon signed-rank p-value, and the method that gave it. */
  p: number;
  pMethod: 'exact' | 'normal';
  /** Holm-adjusted p over the comparison family (the same `against`, every dataset x test set of the table). */
  pHolm: number;
  /** pHolm < 0.05. */
  significant: boolean;
}

/** Training curve of one run: per epoch, from log.jsonl. */
export interface TrainingCurve {
  runId: string;
  variant: string;
  dataset: string;
  seed: number;
  epochs: Array<{epoch: number; trainLoss: number; valDice: number | null}>;
}

/** Average ranks across datasets with the Friedman test and the Nemenyi critical difference (Demsar 2006). */
export interface RankAnalysis {
  /** Variants ranked (1 = best mDice) per dataset, averaged; in the order of `variants`. */
  variants: string[];
  averageRanks: number[];
  datasets: number;
  friedman: {chiSquare: number; p: number; df: number};
  /** Iman & Davenport's F_F of the Friedman statistic with its p (Demsar recommends it over the chi-square). */
  imanDavenport?: {f: number; df1: number; df2: number; p: number};
  /** Nemenyi critical difference at alpha 0.05 (q_alpha / sqrt(2) * sqrt(k (k + 1) / (6 N))). */
  criticalDifference: number;
}

/** How often each variant takes each rank over bootstrap resamples of the test images (Wiesenfarth et al. 2021). */
export interface RankStability {
  dataset: string;
  testSet: string;
  resamples: number;
  /** frequencies[v][r] = share of resamples in which variants[v] ranks r + 1. */
  variants: string[];
  frequencies: number[][];
}

/** A published number shown in its own labelled block, never mixed into statistics (configs/literature/*.yaml). */
export interface LiteratureRow {
  model: string;
  dataset: string;
  dice: number | null;
  iou: number | null;
  citation: string;
  protocol: string;
}

/** Where a report's runs came from: a suite (its file and the bytes' SHA-256) or a folder of run directories. */
export interface ReportSource {
  kind: 'suite' | 'runs';
  /** Absolute path of the suite file (its manifest's `file`) or of the runs folder. */
  path: string;
  /** SHA-256 of the suite file as its manifest recorded it; null for a runs folder. */
  sha256: string | null;
}

/** Everything a report shows. */
export interface ReportModel {
  /** The suite's name, or the runs folder's base name. */
  title: string;
  /** Where the runs came from (collectReport always sets it; optional so that models made by hand may leave it out). */
  source?: ReportSource;
  /**
   * The backend whose latencies the report shows (the calibration cache keeps one per backend; the report reads the
   * entries of its own active backend); null or absent when costs were not counted.
   */
  latencyBackend?: string | null;
  /** The variant paired comparisons are made against (null for a runs folder without a suite). */
  reference: string | null;
  /** The U-Net baseline's name when the suite has one (the second comparison family). */
  unetBaseline: string | null;
  /** How the runs were trained and evaluated, one line (describeProtocol); null or absent when no config was read. */
  protocol?: string | null;
  runs: RunRow[];
  summary: SummaryRow[];
  perImage: PerImageRow[];
  comparisons: PairedComparison[];
  curves: TrainingCurve[];
  /** Null with fewer than 3 datasets. */
  ranks: RankAnalysis | null;
  rankStability: RankStability[];
  literature: LiteratureRow[];
}
