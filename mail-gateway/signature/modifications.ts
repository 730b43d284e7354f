// What changed in the incremental updates after a signed revision, and whether each change is one that
// signing tools legitimately make (adding a signature, its field, widget, appearance and validation data).
// Everything else — page content, resources, fonts, annotations, an existing signature — is a modification.
import { PdfDict, PdfDocument, PdfName, PdfRef, PdfStream, PdfString, PdfValue } from '../pdf';

const MAX_VISITED_OBJECTS = 200_000;

function deepEqual(a: PdfValue | undefined, b: PdfValue | undefined, doc: PdfDocument): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a instanceof PdfName) return b instanceof PdfName && a.name === b.name;
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (a instanceof PdfString) return b instanceof PdfString && a.bytes.equals(b.bytes);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i], doc));
  if (a instanceof PdfStream) {
    return b instanceof PdfStream && deepEqual(a.dict, b.dict, doc) &&
      doc.bytes.subarray(a.dataStart, a.dataEnd).equals(doc.bytes.subarray(b.dataStart, b.dataEnd));
  }
  if (a instanceof PdfDict) {
    if (!(b instanceof PdfDict) || a.map.size !== b.map.size) return false;
    for (const [key, value] of a.map) if (!deepEqual(value, b.map.get(key), doc)) return false;
    return true;
  }
  return false;
}

function dictOf(value: PdfValue | undefined): PdfDict | undefined {
  if (value instanceof PdfDict) return value;
  if (value instanceof PdfStream) return value.dict;
  return undefined;
}

function refNum(value: PdfValue | undefined): number | null {
  return value instanceof PdfRef ? value.num : null;
}

/** Keys whose values differ between two dictionaries. */
function changedKeys(before: PdfDict, after: PdfDict, doc: PdfDocument): string[] {
  const keys = new Set([...before.map.keys(), ...after.map.keys()]);
  return [...keys].filter((key) => !deepEqual(before.get(key), after.get(key), doc));
}

function describeObject(num: number, value: PdfValue | undefined): string {
  const dict = dictOf(value);
  const type = dict?.getName('Type') ?? dict?.getName('Subtype') ?? (value instanceof PdfStream ? 'stream' : Array.isArray(value) ? 'mảng' : 'đối tượng');
  return `đối tượng ${num} (${type})`;
}

export class ChangeAnalysis {
  private readonly findings: string[] = [];
  private readonly changed = new Set<number>();
  private readonly created = new Set<number>();
  /** Objects whose value really differs from the signed revision (an identical rewrite is not a change). */
  private readonly differs = new Set<number>();
  private readonly last: number;

  constructor(private readonly doc: PdfDocument, private readonly signedRevision: number) {
    this.last = doc.revisions.length - 1;
  }

  /** Human-readable descriptions of every change that is not a legitimate signing change. */
  run(): string[] {
    if (this.signedRevision >= this.last) return [];
    for (let r = this.signedRevision + 1; r <= this.last; r++) {
      for (const [num, entry] of this.doc.revisions[r].entries) {
        this.changed.add(num);
        if (entry.type === 'offset') this.checkEntryOffset(num, entry.offset, r);
      }
    }
    const rootBefore = refNum(this.doc.revisions[this.signedRevision].trailer.get('Root'));
    const rootAfter = refNum(this.doc.revisions[this.last].trailer.get('Root'));
    for (const num of [...this.changed].sort((a, b) => a - b)) this.classify(num, rootBefore, rootAfter);
    if (rootBefore !== null && rootAfter !== null && rootBefore !== rootAfter) this.compareCatalogs(rootBefore, rootAfter);
    if (this.created.size) this.findFilledDanglingReferences();
    return this.findings;
  }

  /**
   * An update whose xref sends an object to a wrong offset makes readers disagree: some repair and find
   * the object, others drop it (the "hide" shadow attack hides a signed field this way).
   */
  private checkEntryOffset(num: number, offset: number, revision: number): void {
    let position = offset;
    while (position < this.doc.bytes.length && /[\0\t\n\f\r ]/.test(String.fromCharCode(this.doc.bytes[position]))) position++;
    const span = this.doc.objectSpan(num, revision);
    if (!span || span.start !== position) {
      this.findings.push(`bảng xref của lần cập nhật ${revision} chỉ đối tượng ${num} tới vị trí ${offset}, nơi không có đối tượng đó`);
    }
  }

  private before(num: number): PdfValue | undefined {
    return this.doc.getObject(num, this.signedRevision);
  }

  private after(num: number): PdfValue | undefined {
    return this.doc.getObject(num, this.last);
  }

  private isStructural(value: PdfValue | undefined): boolean {
    const type = dictOf(value)?.getName('Type');
    return type === 'XRef' || type === 'ObjStm';
  }

  private classify(num: number, rootBefore: number | null, rootAfter: number | null): void {
    const before = this.before(num);
    const after = this.after(num);
    if (before === undefined && after === undefined) return;
    if (after === undefined) {
      if (!this.isStructural(before)) this.findings.push(`${describeObject(num, before)} bị xóa sau khi ký`);
      return;
    }
    if (before === undefined) {
      this.created.add(num);
      this.differs.add(num);
      this.checkNewObject(num, after);
      return;
    }
    if (deepEqual(before, after, this.doc) || this.isStructural(before)) return;
    this.differs.add(num);
    if (num === rootBefore && num === rootAfter) return this.checkCatalog(num, dictOf(before), dictOf(after));
    this.checkChangedObject(num, before, after);
  }

  private compareCatalogs(rootBefore: number, rootAfter: number): void {
    this.checkCatalog(rootAfter, dictOf(this.before(rootBefore)), dictOf(this.after(rootAfter)));
  }

  private checkCatalog(num: number, before: PdfDict | undefined, after: PdfDict | undefined): void {
    if (!before || !after) return void this.findings.push(`danh mục gốc (đối tượng ${num}) bị thay thế`);
    const allowed = new Set(['AcroForm', 'DSS', 'Extensions']);
    const bad = changedKeys(before, after, this.doc).filter((key) => !allowed.has(key));
    if (bad.length) this.findings.push(`danh mục gốc (đối tượng ${num}) bị sửa các mục ${bad.map((k) => '/' + k).join(', ')}`);
    const formBefore = dictOf(this.doc.resolve(before.get('AcroForm'), this.signedRevision));
    const formAfter = dictOf(this.doc.resolve(after.get('AcroForm'), this.last));
    if (formAfter && !(after.get('AcroForm') instanceof PdfRef)) this.checkAcroForm(`AcroForm của đối tượng ${num}`, formBefore, formAfter);
  }

  private isSignatureField(value: PdfValue | undefined, revision: number, depth = 0): boolean {
    const dict = dictOf(value);
    if (!dict || depth > 8) return false;
    if (dict.getName('FT') === 'Sig') return true;
    const parent = dict.get('Parent');
    return parent !== undefined && this.isSignatureField(this.doc.resolve(parent, revision), revision, depth + 1);
  }

  private refsOf(value: PdfValue | undefined, revision: number): PdfValue[] {
    const resolved = this.doc.resolve(value, revision);
    return Array.isArray(resolved) ? resolved : [];
  }

  /** The list grew only by appending signature fields/widgets: nothing removed, nothing else added. */
  private checkGrownList(what: string, before: PdfValue[], after: PdfValue[]): void {
    const remaining = [...after];
    for (const item of before) {
      const at = remaining.findIndex((candidate) => deepEqual(candidate, item, this.doc));
      if (at === -1) return void this.findings.push(`${what}: một mục cũ bị gỡ bỏ`);
      remaining.splice(at, 1);
    }
    for (const added of remaining) {
      if (!this.isSignatureField(this.doc.resolve(added, this.last), this.last)) {
        this.findings.push(`${what}: thêm ${added instanceof PdfRef ? describeObject(added.num, this.after(added.num)) : 'mục'} không phải trường chữ ký`);
      }
    }
  }

  private checkAcroForm(what: string, before: PdfDict | undefined, after: PdfDict): void {
    const allowed = new Set(['Fields', 'SigFlags', 'DR', 'DA']);
    if (before) {
      const bad = changedKeys(before, after, this.doc).filter((key) => !allowed.has(key));
      if (bad.length) this.findings.push(`${what}: sửa các mục ${bad.map((k) => '/' + k).join(', ')}`);
    } else {
      const bad = after.keys().filter((key) => !allowed.has(key));
      if (bad.length) this.findings.push(`${what}: thêm các mục ${bad.map((k) => '/' + k).join(', ')}`);
    }
    this.checkGrownList(`${what} /Fields`, this.refsOf(before?.get('Fields'), this.signedRevision), this.refsOf(after.get('Fields'), this.last));
  }

  private checkNewObject(num: number, value: PdfValue): void {
    const dict = dictOf(value);
    const type = dict?.getName('Type');
    const subtype = dict?.getName('Subtype');
    if (type === 'Page' || type === 'Pages' || type === 'Catalog') {
      this.findings.push(`thêm ${describeObject(num, value)} sau khi ký`);
    } else if (type === 'Annot' || subtype === 'Widget' || (dict?.has('Rect') && subtype)) {
      if (!(subtype === 'Widget' && this.isSignatureField(value, this.last))) this.findings.push(`thêm chú thích/trường ${describeObject(num, value)} không phải chữ ký`);
    }
  }

  private checkChangedObject(num: number, before: PdfValue, after: PdfValue): void {
    const what = describeObject(num, before);
    const beforeDict = dictOf(before);
    const afterDict = dictOf(after);
    if (Array.isArray(before) && Array.isArray(after)) {
      return this.checkGrownList(`${what}`, before, after);
    }
    if (!beforeDict || !afterDict || before instanceof PdfStream !== after instanceof PdfStream) {
      return void this.findings.push(`${what} bị thay đổi sau khi ký`);
    }
    const type = beforeDict.getName('Type');
    const keys = changedKeys(beforeDict, afterDict, this.doc);
    if (before instanceof PdfStream && after instanceof PdfStream) {
      const sameData = this.doc.bytes.subarray(before.dataStart, before.dataEnd).equals(this.doc.bytes.subarray(after.dataStart, after.dataEnd));
      if (type === 'Metadata') return;
      if (!sameData || keys.length) return void this.findings.push(`${what} bị thay đổi nội dung sau khi ký`);
      return;
    }
    if (this.isInfoDictionary(num)) return;
    if (type === 'Sig' || type === 'DocTimeStamp') return void this.findings.push(`${what}: chữ ký đã có bị thay thế sau khi ký`);
    if (type === 'Page') {
      const bad = keys.filter((k) => k !== 'Annots');
      if (bad.length) this.findings.push(`trang (đối tượng ${num}) bị sửa các mục ${bad.map((k) => '/' + k).join(', ')}`);
      if (keys.includes('Annots')) this.checkGrownList(`trang (đối tượng ${num}) /Annots`, this.refsOf(beforeDict.get('Annots'), this.signedRevision), this.refsOf(afterDict.get('Annots'), this.last));
      return;
    }
    if (this.isSignatureField(before, this.signedRevision)) {
      const alreadySigned = beforeDict.has('V');
      const allowed = alreadySigned ? new Set(['AP', 'AS']) : new Set(['V', 'AP', 'AS', 'Lock', 'SV']);
      const bad = keys.filter((k) => !allowed.has(k));
      if (bad.length) this.findings.push(`trường chữ ký (đối tượng ${num}) bị sửa các mục ${bad.map((k) => '/' + k).join(', ')}`);
      return;
    }
    if (this.isAcroForm(num)) return this.checkAcroForm(`AcroForm (đối tượng ${num})`, beforeDict, afterDict);
    if (type === 'DSS' || beforeDict.has('VRI')) return;
    this.findings.push(`${what} bị sửa các mục ${keys.map((k) => '/' + k).join(', ')} sau khi ký`);
  }

  private isInfoDictionary(num: number): boolean {
    return [this.signedRevision, this.last].some((r) => refNum(this.doc.revisions[r].trailer.get('Info')) === num);
  }

  private isAcroForm(num: number): boolean {
    return [this.signedRevision, this.last].some((r) => {
      try {
        return refNum(this.doc.catalog(r).get('AcroForm')) === num;
      } catch {
        return false;
      }
    });
  }

  /**
   * A new object may only be reached through objects that changed legitimately. An unchanged object that
   * now points to a new one held a dangling reference at signing time that a later update filled in.
   */
  private findFilledDanglingReferences(): void {
    const trailer = this.doc.revisions[this.last].trailer;
    const queue: number[] = [];
    const visited = new Set<number>();
    const enqueue = (value: PdfValue | undefined, from: number | null) => {
      const stack: Array<PdfValue | undefined> = [value];
      while (stack.length) {
        const item = stack.pop();
        if (item instanceof PdfRef) {
          if (from !== null && this.created.has(item.num) && !this.differs.has(from)) {
            this.findings.push(`đối tượng ${from} không đổi nhưng nay trỏ tới ${describeObject(item.num, this.after(item.num))} được thêm sau khi ký`);
          }
          if (!visited.has(item.num) && visited.size < MAX_VISITED_OBJECTS) {
            visited.add(item.num);
            queue.push(item.num);
          }
        } else if (Array.isArray(item)) {
          stack.push(...item);
        } else if (item instanceof PdfDict) {
          stack.push(...item.map.values());
        } else if (item instanceof PdfStream) {
          stack.push(...item.dict.map.values());
        }
      }
    };
    enqueue(trailer.get('Root'), null);
    enqueue(trailer.get('Info'), null);
    for (let next = 0; next < queue.length; next++) enqueue(this.after(queue[next]), queue[next]);
  }
}

export function findChangesAfterSigning(doc: PdfDocument, signedRevision: number): string[] {
  return new ChangeAnalysis(doc, signedRevision).run();
}
