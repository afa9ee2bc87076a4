/** RFM segmentation: the pure recipe (quantile binning as pandas.qcut, scores, segments) and its readers. */

export { DAY_MS, formatScaled, snapshotAfter, TransactionsFormatError } from './online-retail.ts';
export { DuplicateEdgesError, qcut, qcutEdges, quantileSorted, rankFirst } from './quantiles.ts';
export { type OnDuplicateEdges, type RfmScores, type RfmValues, type ScoredRfm, scoreRfm } from './score.ts';
export { SEGMENTS, type Segment, segmentOf } from './segments.ts';
export { RFM_CSV_COLUMNS, rfmOfTransactionsFile, TRANSACTION_FORMATS, type TransactionFormat, writeRfmCsv } from './transactions-file.ts';
