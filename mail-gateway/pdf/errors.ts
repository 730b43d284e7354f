/** Errors and resource limits of the PDF parser. */

export type PdfErrorCode = 'NOT_A_PDF' | 'MALFORMED_PDF';

export class PdfParseError extends Error {
  constructor(
    readonly code: PdfErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PdfParseError';
  }
}

/**
 * A resource limit was reached (decoded bytes, nesting, object count, pages, work).
 * Still code MALFORMED_PDF; the subclass lets callers tell a limit breach from damaged data.
 */
export class PdfLimitError extends PdfParseError {
  constructor(message: string) {
    super('MALFORMED_PDF', message);
    this.name = 'PdfLimitError';
  }
}

export interface PdfLimits {
  /** nesting of arrays / dictionaries inside one object */
  maxNestingDepth: number;
  /** decoded size of one stream (each filter stage is capped too) */
  maxStreamDecodedBytes: number;
  /** decoded bytes over the whole document (all streams, including failed attempts) */
  maxTotalDecodedBytes: number;
  /** incremental updates */
  maxRevisions: number;
  /** xref entries, object-stream members, scanned object headers */
  maxObjects: number;
  /** hops when following a reference to a reference … */
  maxRefChain: number;
  /** leaves of the page tree */
  maxPages: number;
}

export const DEFAULT_LIMITS: Readonly<PdfLimits> = Object.freeze({
  maxNestingDepth: 256,
  maxStreamDecodedBytes: 32 * 1024 * 1024,
  maxTotalDecodedBytes: 128 * 1024 * 1024,
  maxRevisions: 512,
  maxObjects: 2_000_000,
  maxRefChain: 32,
  maxPages: 100_000,
});

export function resolveLimits(limits?: Partial<PdfLimits>): PdfLimits {
  const out: PdfLimits = { ...DEFAULT_LIMITS };
  if (limits) {
    for (const k of Object.keys(DEFAULT_LIMITS) as (keyof PdfLimits)[]) {
      const v = limits[k];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[k] = Math.floor(v);
    }
  }
  return out;
}

export function malformed(message: string): PdfParseError {
  return new PdfParseError('MALFORMED_PDF', message);
}
