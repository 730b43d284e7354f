// The /ByteRange of a signature: it must frame exactly the /Contents hex string, and nothing else may be left out.
import crypto from 'node:crypto';
import type { DigestName } from './algorithms';
import { PdfString, PdfValue } from '../pdf';

/** Half-open [start, end) spans of the file that a signature covers. */
export type Span = [number, number];

export type ByteRangeCheck = { ok: true; spans: [Span, Span]; end: number } | { ok: false; detail: string };

export function checkByteRange(byteRange: PdfValue | undefined, contents: PdfString, fileLength: number): ByteRangeCheck {
  if (!Array.isArray(byteRange)) return { ok: false, detail: 'thiếu /ByteRange hoặc /ByteRange không phải mảng' };
  if (byteRange.length !== 4 || !byteRange.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) {
    return { ok: false, detail: `/ByteRange phải gồm đúng 4 số nguyên không âm, có ${JSON.stringify(byteRange.map((v) => (typeof v === 'number' ? v : String(v))))}` };
  }
  const [start, firstLength, secondStart, secondLength] = byteRange as number[];
  const end = secondStart + secondLength;
  if (start !== 0) return { ok: false, detail: `/ByteRange phải bắt đầu từ 0, bắt đầu từ ${start}` };
  if (firstLength === 0 || secondStart <= firstLength) return { ok: false, detail: `/ByteRange [${byteRange.join(' ')}] chồng lấn hoặc rỗng` };
  if (end > fileLength) return { ok: false, detail: `/ByteRange [${byteRange.join(' ')}] vượt quá cuối tệp (${fileLength} byte)` };
  if (!contents.hex || contents.start !== firstLength || contents.end !== secondStart) {
    return {
      ok: false,
      detail: `khoảng trống [${firstLength}, ${secondStart}) không đúng là chuỗi /Contents của chữ ký (chuỗi nằm ở [${contents.start}, ${contents.end}))`,
    };
  }
  return { ok: true, spans: [[0, firstLength], [secondStart, end]], end };
}

export interface DigestRequest {
  digest: DigestName;
  spans: Span[];
}

/**
 * Digests several signatures' spans in about one pass over the file: every request starts at byte 0,
 * so requests of one algorithm share a running hash up to their first gap and fork it there.
 */
export function digestSpans(bytes: Buffer, requests: DigestRequest[]): Buffer[] {
  const results: Buffer[] = new Array(requests.length);
  const byDigest = new Map<DigestName, number[]>();
  requests.forEach((request, index) => byDigest.set(request.digest, [...(byDigest.get(request.digest) ?? []), index]));
  for (const [digest, indexes] of byDigest) {
    indexes.sort((a, b) => requests[a].spans[0][1] - requests[b].spans[0][1]);
    const running = crypto.createHash(digest);
    let position = 0;
    for (const index of indexes) {
      const [first, ...rest] = requests[index].spans;
      running.update(bytes.subarray(position, first[1]));
      position = first[1];
      const fork = running.copy();
      for (const [from, to] of rest) fork.update(bytes.subarray(from, to));
      results[index] = fork.digest();
    }
  }
  return results;
}

/** The signed content as one buffer: only for the rare signature without signed attributes. */
export function concatSpans(bytes: Buffer, spans: Span[]): Buffer {
  return Buffer.concat(spans.map(([from, to]) => bytes.subarray(from, to)));
}
