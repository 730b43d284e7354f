/**
 * Page tree (ISO 32000-1 §7.7.3): iterative walk in page order, loop-safe, bounded;
 * inheritance of /Resources /MediaBox /CropBox /Rotate along the walked tree.
 */
import type { PdfDocument } from './document';
import { malformed, PdfLimitError } from './errors';
import { PdfDict, PdfName, PdfRef, type PdfValue } from './objects';

const INHERITABLE = new Set(['Resources', 'MediaBox', 'CropBox', 'Rotate']);

export interface PageTree {
  pages: PdfDict[];
  /** node → parent as found by the walk (null for the root); /Parent entries are not trusted */
  parents: WeakMap<PdfDict, PdfDict | null>;
}

/** Walks the page tree whose root is `pagesRef` in revision rev. A node reached twice is MALFORMED_PDF. */
export function walkPageTree(doc: PdfDocument, pagesRef: PdfValue | undefined, rev: number): PageTree {
  const limits = doc.limits;
  const parents = new WeakMap<PdfDict, PdfDict | null>();
  const pages: PdfDict[] = [];
  const top = doc.getDict(pagesRef, rev);
  if (!top) return { pages, parents };
  const seenNums = new Set<number>();
  const seenDicts = new Set<PdfDict>([top]);
  if (pagesRef instanceof PdfRef) seenNums.add(pagesRef.num);
  parents.set(top, null);
  const kidsOf = (d: PdfDict): PdfValue[] | undefined => {
    const k = doc.resolve(d.get('Kids'), rev);
    return Array.isArray(k) ? k : undefined;
  };
  const isLeaf = (d: PdfDict): boolean => {
    const t = d.get('Type');
    if (t instanceof PdfName && t.name === 'Page') return true;
    if (t instanceof PdfName && t.name === 'Pages') return false;
    return !kidsOf(d);
  };
  type Frame = { node: PdfDict; kids: PdfValue[]; i: number };
  const stack: Frame[] = [];
  if (isLeaf(top)) pages.push(top);
  else stack.push({ node: top, kids: kidsOf(top) ?? [], i: 0 });
  let visited = 0;
  while (stack.length) {
    const f = stack[stack.length - 1];
    if (f.i >= f.kids.length) {
      stack.pop();
      continue;
    }
    const kidRef = f.kids[f.i++];
    if (++visited > limits.maxObjects) throw new PdfLimitError('page tree too large');
    if (kidRef instanceof PdfRef) {
      if (seenNums.has(kidRef.num)) throw malformed(`page tree loop: object ${kidRef.num} is reached twice`);
      seenNums.add(kidRef.num);
    }
    const kid = doc.getDict(kidRef, rev);
    if (!kid) {
      doc.warn(`page tree: kid ${String(kidRef)} is not a dictionary`);
      continue;
    }
    if (seenDicts.has(kid)) throw malformed('page tree loop: a node is reached twice');
    seenDicts.add(kid);
    parents.set(kid, f.node);
    if (isLeaf(kid)) {
      pages.push(kid);
      if (pages.length > limits.maxPages) throw new PdfLimitError(`more than ${limits.maxPages} pages`);
    } else {
      if (stack.length >= limits.maxNestingDepth) throw new PdfLimitError(`page tree deeper than ${limits.maxNestingDepth}`);
      stack.push({ node: kid, kids: kidsOf(kid) ?? [], i: 0 });
    }
  }
  return { pages, parents };
}

/** Value of key on the page, else (inheritable keys only) on its nearest ancestor; resolved. */
export function inheritedAttribute(
  doc: PdfDocument,
  page: PdfDict,
  key: string,
  rev: number,
  parents: WeakMap<PdfDict, PdfDict | null> | undefined,
): PdfValue | undefined {
  let node: PdfDict | undefined = page;
  const seen = new Set<PdfDict>();
  while (node && !seen.has(node) && seen.size <= doc.limits.maxNestingDepth) {
    seen.add(node);
    const v = node.get(key);
    if (v !== undefined) return doc.resolve(v, rev);
    if (!INHERITABLE.has(key)) return undefined;
    // the walked tree when the page came from pages(); its /Parent chain otherwise
    node = parents?.has(node) ? (parents.get(node) ?? undefined) : doc.getDict(node.get('Parent'), rev);
  }
  return undefined;
}
