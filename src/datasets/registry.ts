// The public 2D segmentation datasets mslk knows: where each comes from, its terms, how its owners lay it out,
// how its files pair, how its masks become binary and which split is official. Facts only; reading is elsewhere.
import {packageChecksums, type ChecksumList} from './checksums.js';
import type {Layout} from './layout.js';
import type {NamedSplit} from './splits.js';
import {INSTANCE_LABELS, THRESHOLD_128, XML_POLYGONS} from './mask-rules.js';

export type DownloadSpec =
  /** Public direct links: `fetch` downloads, verifies and unpacks them. */
  | {kind: 'direct'; page: string; archives: ReadonlyArray<{url: string; sha256?: string; bytes?: number}>}
  /** The owners require a form, a login or a click-through licence: `fetch` explains what to do. */
  | {kind: 'manual'; page: string; instructions: string}
  /** Generated on this machine (the synthetic dataset). */
  | {kind: 'generated'};

export interface DatasetEntry {
  name: string;
  title: string;
  task: string;
  modality: string;
  /** Pairs in the full official release (the number `verify` compares against). */
  expectedPairs?: number;
  classes?: readonly string[];
  download: DownloadSpec;
  terms: string;
  citation: string;
  layouts: readonly Layout[];
  /** The official split in words; the layouts say where it is read from. */
  officialSplit: string;
  /** Splits the field uses by custom without the owners publishing them, offered by name (`--split <name>`). */
  namedSplits?: readonly NamedSplit[];
  /** sha256 of the official files, relative to the layout root. */
  checksums?: () => ChecksumList;
  notes?: readonly string[];
}

const POLYP_TERMS = 'Research and educational use; cite the dataset paper in any publication using it.';

export const DATASETS: readonly DatasetEntry[] = [
  {
    name: 'kvasir-seg',
    title: 'Kvasir-SEG',
    task: 'binary segmentation: polyps',
    modality: 'colonoscopy (RGB endoscopy frames)',
    expectedPairs: 1000,
    download: {kind: 'direct', page: 'https://datasets.simula.no/kvasir-seg/', archives: [{url: 'https://datasets.simula.no/downloads/kvasir-seg.zip'}]},
    terms: 'Free for academic and research use; commercial use needs prior written permission from Simula. Cite the paper.',
    citation: 'Jha D, Smedsrud PH, Riegler MA, Halvorsen P, de Lange T, Johansen D, Johansen HD. Kvasir-SEG: A Segmented Polyp Dataset. MultiMedia Modeling (MMM 2020), LNCS 11962, pp. 451-462.',
    officialSplit: 'none in the release (seeded 80/10/10 by default); the 352 px layout carries the 800/100/100 train/validation/test split of splits.csv',
    checksums: packageChecksums('kvasir-seg.sha256', 'the official Kvasir-SEG release'),
    layouts: [
      {
        id: 'kvasir-seg-352',
        description: '352x352 copy: images/{train,validation,test}/*.jpg, masks/ the same, splits.csv (image,mask,split)',
        groups: [{images: 'images', masks: 'masks'}],
        recursive: true,
        signature: ['splits.csv', 'images/train', 'masks/train'],
        pairing: {kind: 'same-stem'},
        maskRule: THRESHOLD_128,
        split: {kind: 'csv', file: 'splits.csv', imageColumn: 'image', splitColumn: 'split'},
      },
      {
        id: 'kvasir-seg-official',
        description: 'official release: Kvasir-SEG/images/*.jpg and Kvasir-SEG/masks/*.jpg (JPEG masks), kavsir_bboxes.json',
        groups: [{images: 'images', masks: 'masks'}],
        recursive: false,
        pairing: {kind: 'same-stem'},
        maskRule: THRESHOLD_128,
        needsChecksumMatch: true,
      },
    ],
    notes: ['Masks are JPEG and carry compression noise: binarised at 128.', 'Image sizes vary (332x487 to 1920x1072).'],
  },
  {
    name: 'cvc-clinicdb',
    title: 'CVC-ClinicDB',
    task: 'binary segmentation: polyps',
    modality: 'colonoscopy (RGB video frames, 384x288)',
    expectedPairs: 612,
    download: {
      kind: 'manual',
      page: 'https://polyp.grand-challenge.org/CVCClinicDB/',
      instructions: 'Request the dataset from its owners through the page above (or take it from the PraNet training/test data), unpack it.',
    },
    terms: 'Research use; cite the paper. Redistribution needs the owners\' permission.',
    citation: 'Bernal J, Sanchez FJ, Fernandez-Esparrach G, Gil D, Rodriguez C, Vilarino F. WM-DOVA maps for accurate polyp highlighting in colonoscopy: Validation vs. saliency maps from physicians. Computerized Medical Imaging and Graphics 43 (2015) 99-111.',
    officialSplit: 'none (seeded 80/10/10 by default)',
    checksums: packageChecksums('cvc-clinicdb.sha256', 'CVC-ClinicDB (PraNet layout)'),
    layouts: [
      {
        id: 'cvc-clinicdb-original',
        description: 'original release: Original/*.tif and "Ground Truth"/*.tif',
        groups: [{images: 'Original', masks: 'Ground Truth'}],
        recursive: false,
        pairing: {kind: 'same-stem'},
        maskRule: THRESHOLD_128,
      },
      {
        id: 'cvc-clinicdb-pranet',
        description: 'PraNet layout: images/*.png and masks/*.png',
        groups: [{images: 'images', masks: 'masks'}],
        recursive: false,
        pairing: {kind: 'same-stem'},
        maskRule: THRESHOLD_128,
        needsChecksumMatch: true,
      },
    ],
  },
  {
    name: 'cvc-colondb',
    title: 'CVC-ColonDB',
    task: 'binary segmentation: polyps (usually a test-only generalisation set)',
    modality: 'colonoscopy (RGB video frames, 574x500)',
    expectedPairs: 380,
    download: {kind: 'manual', page: 'http://vi.cvc.uab.es/colon-qa/cvccolondb/', instructions: 'Request it from its owners (or take the PraNet test data), unpack it.'},
    terms: POLYP_TERMS,
    citation: 'Bernal J, Sanchez J, Vilarino F. Towards automatic polyp detection with a polyp appearance model. Pattern Recognition 45(9) (2012) 3166-3182.',
    officialSplit: 'none (used whole as a test set in the PraNet protocol)',
    checksums: packageChecksums('cvc-colondb.sha256', 'CVC-ColonDB (PraNet layout)'),
    layouts: [{id: 'cvc-colondb-pranet', description: 'PraNet layout: images/*.png and masks/*.png', groups: [{images: 'images', masks: 'masks'}], recursive: false, pairing: {kind: 'same-stem'}, maskRule: THRESHOLD_128, needsChecksumMatch: true}],
  },
  {
    name: 'etis-laribpolypdb',
    title: 'ETIS-LaribPolypDB',
    task: 'binary segmentation: polyps (usually a test-only generalisation set)',
    modality: 'wireless capsule / colonoscopy (RGB, 1225x966)',
    expectedPairs: 196,
    download: {kind: 'manual', page: 'https://polyp.grand-challenge.org/EtisLarib/', instructions: 'Download it from the challenge page (or take the PraNet test data), unpack it.'},
    terms: POLYP_TERMS,
    citation: 'Silva J, Histace A, Romain O, Dray X, Granado B. Toward embedded detection of polyps in WCE images for early diagnosis of colorectal cancer. IJCARS 9(2) (2014) 283-293.',
    officialSplit: 'none (used whole as a test set in the PraNet protocol)',
    checksums: packageChecksums('etis-laribpolypdb.sha256', 'ETIS-LaribPolypDB (PraNet layout)'),
    layouts: [{id: 'etis-pranet', description: 'PraNet layout: images/*.png and masks/*.png', groups: [{images: 'images', masks: 'masks'}], recursive: false, pairing: {kind: 'same-stem'}, maskRule: THRESHOLD_128, needsChecksumMatch: true}],
  },
  {
    name: 'isic2018',
    title: 'ISIC 2018 Task 1 (lesion boundary segmentation)',
    task: 'binary segmentation: skin lesions',
    modality: 'dermoscopy (RGB, 540x722 to 4499x6748)',
    expectedPairs: 2594,
    download: {
      kind: 'direct',
      page: 'https://challenge.isic-archive.com/data/#2018',
      archives: [
        {url: 'https://isic-challenge-data.s3.amazonaws.com/2018/ISIC2018_Task1-2_Training_Input.zip'},
        {url: 'https://isic-challenge-data.s3.amazonaws.com/2018/ISIC2018_Task1_Training_GroundTruth.zip'},
      ],
    },
    terms: 'CC BY-NC 4.0 (non-commercial, attribution); cite the challenge and HAM10000 papers.',
    citation: 'Codella N, et al. Skin Lesion Analysis Toward Melanoma Detection 2018: A Challenge Hosted by the International Skin Imaging Collaboration (ISIC). arXiv:1902.03368. Tschandl P, Rosendahl C, Kittler H. The HAM10000 dataset. Sci Data 5, 180161 (2018).',
    officialSplit: '2594 training images; the 100 validation and 1000 test images with ground truth are separate downloads and are used as validation/test when present, else seeded 80/10/10 of the training set',
    layouts: [
      {
        id: 'isic2018-task1',
        description: 'ISIC2018_Task1-2_Training_Input/ISIC_*.jpg with ISIC2018_Task1_Training_GroundTruth/ISIC_*_segmentation.png (Validation, Test alike)',
        groups: [
          {images: 'ISIC2018_Task1-2_Training_Input', masks: 'ISIC2018_Task1_Training_GroundTruth', split: 'train'},
          {images: 'ISIC2018_Task1-2_Validation_Input', masks: 'ISIC2018_Task1_Validation_GroundTruth', split: 'validation', optional: true},
          {images: 'ISIC2018_Task1-2_Test_Input', masks: 'ISIC2018_Task1_Test_GroundTruth', split: 'test', optional: true},
        ],
        recursive: false,
        pairing: {kind: 'suffix', suffix: '_segmentation', numbered: false},
        maskRule: THRESHOLD_128,
        split: {kind: 'groups'},
        ignore: {pattern: '^(LICENSE|ATTRIBUTION)\\.txt$'},
      },
    ],
  },
  {
    name: 'busi',
    title: 'Breast Ultrasound Images (BUSI)',
    task: 'binary segmentation: breast lesions (classes benign, malignant, normal)',
    modality: 'ultrasound (mostly grayscale PNG, variable size)',
    expectedPairs: 780,
    classes: ['benign', 'malignant', 'normal'],
    download: {kind: 'direct', page: 'https://scholar.cu.edu.eg/?q=afahmy/pages/dataset', archives: [{url: 'https://scholar.cu.edu.eg/Dataset_BUSI.zip'}]},
    terms: 'Research use; cite Al-Dhabyani et al. 2020.',
    citation: 'Al-Dhabyani W, Gomaa M, Khaled H, Fahmy A. Dataset of breast ultrasound images. Data in Brief 28 (2020) 104863.',
    officialSplit: 'none (seeded 80/10/10 stratified by class by default)',
    layouts: [
      {
        id: 'busi-original',
        description: 'official release: Dataset_BUSI_with_GT/{benign,malignant,normal}/"<name> (n).png" with "<name> (n)_mask.png" (and _mask_1, ...)',
        groups: ['benign', 'malignant', 'normal'].map((c) => ({images: c, masks: c, className: c})),
        recursive: false,
        pairing: {kind: 'suffix', suffix: '_mask', numbered: true},
        maskRule: THRESHOLD_128,
      },
      {
        id: 'busi-images-masks',
        description: 'images/"<class> (n).png" with masks/"<class> (n)_mask.png" (and _mask_1, ...); class from the name',
        groups: [{images: 'images', masks: 'masks'}],
        recursive: false,
        pairing: {kind: 'suffix', suffix: '_mask', numbered: true},
        maskRule: THRESHOLD_128,
        classFromStem: {pattern: '^(benign|malignant|normal) \\('},
      },
    ],
    notes: ['An image may have several masks (_mask, _mask_1): their union is the mask.', 'Normal-class images have empty masks; they are kept.'],
  },
  {
    name: 'glas',
    title: 'Gland Segmentation in Colon Histology Images (GlaS, MICCAI 2015)',
    task: 'binary segmentation: glands (instance labels binarised)',
    modality: 'histology (H&E, RGB BMP)',
    expectedPairs: 165,
    download: {
      kind: 'manual',
      page: 'https://warwick.ac.uk/fac/cross_fac/tia/data/glascontest/',
      instructions: 'The original page is retired; download "Warwick QU Dataset (Released 2016_07_08)" from a mirror the organisers point to, unpack it.',
    },
    terms: 'Research use only; cite the challenge paper.',
    citation: 'Sirinukunwattana K, et al. Gland segmentation in colon histology images: The GlaS challenge contest. Medical Image Analysis 35 (2017) 489-502.',
    officialSplit: '85 train / 60 testA / 20 testB (test = testA + testB; validation taken from train by seed)',
    layouts: [
      {
        id: 'glas-warwick',
        description: 'one folder: train_N.bmp with train_N_anno.bmp, testA_N / testB_N alike, Grade.csv',
        groups: [{images: '.', masks: '.'}],
        recursive: false,
        pairing: {kind: 'suffix', suffix: '_anno', numbered: false},
        maskRule: INSTANCE_LABELS,
        split: {kind: 'stem-prefix', rules: [{prefix: 'train_', split: 'train'}, {prefix: 'testA_', split: 'test', group: 'testA'}, {prefix: 'testB_', split: 'test', group: 'testB'}]},
      },
    ],
    notes: ['Masks are instance labels: every non-zero label is gland.', 'Images are BMP, read by the project\'s own BMP reader.'],
  },
  {
    name: 'drive',
    title: 'DRIVE: Digital Retinal Images for Vessel Extraction',
    task: 'binary segmentation: retinal vessels',
    modality: 'fundus photography (RGB, 565x584)',
    expectedPairs: 40,
    download: {
      kind: 'manual',
      page: 'https://drive.grand-challenge.org/',
      instructions: 'Register on the challenge site and download DRIVE (training.zip, test.zip); its terms forbid redistribution. Unpack so that training/ and test/ sit in one folder.',
    },
    terms: 'Research use; redistribution forbidden; cite Staal et al. 2004.',
    citation: 'Staal J, Abramoff MD, Niemeijer M, Viergever MA, van Ginneken B. Ridge-based vessel segmentation in color images of the retina. IEEE TMI 23(4) (2004) 501-509.',
    officialSplit: '20 training (21-40) / 20 test (01-20); validation taken from training by seed',
    layouts: [
      {
        id: 'drive-official',
        description: 'training/images/NN_training.tif with training/1st_manual/NN_manual1.gif; test/ alike',
        groups: [
          {images: 'training/images', masks: 'training/1st_manual', split: 'train'},
          {images: 'test/images', masks: 'test/1st_manual', split: 'test', optional: true},
        ],
        recursive: false,
        pairing: {kind: 'leading-id'},
        maskRule: THRESHOLD_128,
        split: {kind: 'groups'},
      },
    ],
    notes: ['The mask/ folders hold field-of-view masks, not vessels: they are not used as labels.'],
  },
  {
    name: 'chase-db1',
    title: 'CHASE_DB1 (Child Heart and Health Study in England)',
    task: 'binary segmentation: retinal vessels',
    modality: 'fundus photography (RGB, 999x960)',
    expectedPairs: 28,
    download: {
      kind: 'manual',
      page: 'https://blogs.kingston.ac.uk/retinal/chasedb1/',
      instructions: 'Download CHASEDB1.zip from the page above (the zip itself or its unpacked folder will do).',
    },
    terms: 'CC BY 4.0; cite Fraz et al. 2012.',
    citation: 'Fraz MM, Remagnino P, Hoppe A, Uyyanonvara B, Rudnicka AR, Owen CG, Barman SA. An ensemble classification-based approach applied to retinal blood vessel segmentation. IEEE TBME 59(9) (2012) 2538-2548.',
    officialSplit: 'none (seeded by default, each child\'s two eyes kept together); the customary split is offered as `first-20`: the first 20 images (children 1-10) for training, the last 8 for testing',
    namedSplits: [
      {
        name: 'first-20',
        description: 'first 20 images (children 01-10) train, last 8 (children 11-14) test',
        rules: [
          {pattern: '^Image_(0[1-9]|10)[LR]$', split: 'train'},
          {pattern: '^Image_1[1-4][LR]$', split: 'test'},
        ],
      },
    ],
    layouts: [
      {
        id: 'chase-db1-official',
        description: 'one folder: Image_NNL.jpg with Image_NNL_1stHO.png (first observer; _2ndHO ignored)',
        groups: [{images: '.', masks: '.'}],
        recursive: false,
        pairing: {kind: 'suffix', suffix: '_1stHO', numbered: false},
        maskRule: THRESHOLD_128,
        ignore: {pattern: '_2ndHO\\.[a-zA-Z]+$'},
        classFromStem: {pattern: '^Image_\\d+([LR])$'},
        subjectFromStem: {pattern: '^Image_(\\d+)[LR]$'},
      },
    ],
    notes: ['The class field holds the eye (L/R); the first human observer is the ground truth.', 'Subjects are children (Image_NN): both eyes of a child stay in one subset.'],
  },
  {
    name: 'monuseg',
    title: 'MoNuSeg 2018 (Multi-Organ Nucleus Segmentation)',
    task: 'binary segmentation: nuclei (polygon annotations filled)',
    modality: 'histology (H&E, 1000x1000 TIFF)',
    expectedPairs: 44,
    download: {
      kind: 'manual',
      page: 'https://monuseg.grand-challenge.org/Data/',
      instructions: 'Download the training and test data from the challenge page (hosted on Google Drive), unpack both into one folder.',
    },
    terms: 'CC BY-NC-SA 4.0; cite Kumar et al. 2017 and 2020.',
    citation: 'Kumar N, Verma R, Sharma S, Bhargava S, Vahadane A, Sethi A. A dataset and a technique for generalized nuclear segmentation for computational pathology. IEEE TMI 36(7) (2017) 1550-1560. Kumar N, et al. A Multi-Organ Nucleus Segmentation Challenge. IEEE TMI 39(5) (2020) 1380-1391.',
    officialSplit: '30 training / 14 test; validation taken from training by seed',
    layouts: [
      {
        id: 'monuseg-2018',
        description: '"MoNuSeg 2018 Training Data"/{"Tissue Images"/*.tif, Annotations/*.xml} and MoNuSegTestData/*.tif + *.xml',
        groups: [
          {images: 'MoNuSeg 2018 Training Data/Tissue Images', masks: 'MoNuSeg 2018 Training Data/Annotations', split: 'train'},
          {images: 'MoNuSegTestData', masks: 'MoNuSegTestData', split: 'test', optional: true},
        ],
        recursive: false,
        pairing: {kind: 'same-stem'},
        maskRule: XML_POLYGONS,
        subjectFromStem: {pattern: '^(TCGA-[A-Z0-9]{2}-[A-Z0-9]{4})-'},
        maskExtensions: ['.xml'],
        split: {kind: 'groups'},
      },
      {
        id: 'monuseg-training-folder',
        description: '"Tissue Images"/*.tif with Annotations/*.xml',
        groups: [{images: 'Tissue Images', masks: 'Annotations'}],
        recursive: false,
        pairing: {kind: 'same-stem'},
        maskRule: XML_POLYGONS,
        subjectFromStem: {pattern: '^(TCGA-[A-Z0-9]{2}-[A-Z0-9]{4})-'},
        maskExtensions: ['.xml'],
      },
    ],
  },
  {
    name: 'folder',
    title: 'Any folder of images and masks',
    task: 'binary segmentation',
    modality: 'any',
    download: {kind: 'manual', page: '', instructions: 'Point mslk at the folder, or register it with `mslk datasets import <dir> --name <name>`.'},
    terms: 'Those of the data.',
    citation: '',
    officialSplit: 'none (seeded 80/10/10, or a split file)',
    layouts: [],
    notes: [
      'Detected layouts: images/ + masks/ with equal stems; <stem> + <stem>_mask in one folder; <stem> in images/ + <stem>_<anything> in a sibling folder.',
      'Masks: JPEG thresholded at 128; other formats: non-zero is foreground when they hold labels, else thresholded at 128.',
    ],
  },
  {
    name: 'synthetic',
    title: 'Synthetic lesions (generated)',
    task: 'binary segmentation: lesion-like blobs on textured backgrounds',
    modality: 'procedural RGB images',
    download: {kind: 'generated'},
    terms: 'Generated on your machine; no terms.',
    citation: '',
    officialSplit: 'none (seeded 80/10/10)',
    layouts: [],
    notes: ['Deterministic by seed; generated into the data root on first use (no files are shipped).'],
  },
];

export function findDatasetEntry(name: string): DatasetEntry | undefined {
  return DATASETS.find((d) => d.name === name);
}
