/**
 * Makes a Vietnamese administrative document (layout of NĐ 30/2020/NĐ-CP, appendix I) as a PDF with pdfkit
 * and the embedded DejaVu Sans font (which has every Vietnamese glyph), for signature fixtures:
 *
 *   UBND TỈNH BÌNH THUẬN              CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
 *       SỞ TÀI CHÍNH                    Độc lập - Tự do - Hạnh phúc
 *   Số: 123/STC-NS                 Bình Thuận, ngày 20 tháng 11 năm 2026
 *   V/v …            (Công văn)   or   centred title "GIẤY MỜI" + trích yếu (other types)
 *   body …
 *   Nơi nhận: …                              KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC / (signature) / name
 *
 * pdfkit writes a classic cross-reference table, one revision; the signer appends incremental updates.
 */
import { randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import PDFDocument from 'pdfkit';

export type DocumentType = 'Công văn' | 'Giấy mời' | 'Quyết định' | 'Thông báo' | 'Báo cáo';

export interface DocumentPdfOptions {
  /** Issuing body, one line per level: "UBND TỈNH BÌNH THUẬN\nSỞ TÀI CHÍNH" (default). Last line is bold. */
  issuer?: string;
  /** Số, ký hiệu (default "123/STC-NS"). */
  number?: string;
  /** Issue date yyyy-mm-dd (default: today in Asia/Ho_Chi_Minh, so that it matches a signature made now). */
  issueDate?: string;
  /** Place in the date line (default "Bình Thuận"). */
  place?: string;
  type?: DocumentType;
  /** Trích yếu (without "V/v"). */
  subject?: string;
  /** Body text; paragraphs separated by blank lines. */
  body?: string;
  /** Number of pages (default 1); the signer block is on the last page. */
  pages?: number;
  /** Add an incompressible embedded file so that the PDF is about this many bytes (for big-file benchmarks). */
  padToBytes?: number;
  /** Deflate streams (default true). With false the page text is visible as hex glyph strings. */
  compress?: boolean;
  /** Recipients ("Kính gửi" for Công văn, "Nơi nhận" list for all). */
  recipients?: string[];
  signerTitle?: string[];
  signerName?: string;
  /** Extra text drawn on page 1 at (x, y) in points from the top-left, e.g. to build shadow attacks. */
  extraText?: { text: string; x: number; y: number; size?: number; color?: string }[];
  /** Images drawn on page 1 (PNG/JPEG buffers), after the text: used to cover text in shadow attacks. */
  overlays?: { image: Buffer; x: number; y: number; width: number; height: number }[];
  /** Fixed creation date (default now). */
  creationDate?: Date;
}

const FONT_DIR = (() => {
  try {
    return join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch {
    return join(process.cwd(), 'node_modules', 'dejavu-fonts-ttf', 'ttf');
  }
})();
export const FONTS = {
  regular: join(FONT_DIR, 'DejaVuSans.ttf'),
  bold: join(FONT_DIR, 'DejaVuSans-Bold.ttf'),
  italic: join(FONT_DIR, 'DejaVuSans-Oblique.ttf'),
  boldItalic: join(FONT_DIR, 'DejaVuSans-BoldOblique.ttf'),
};

const MM = 72 / 25.4;

/**
 * Top of the signer block on the last page, in points from the top edge. The signer's title occupies about
 * 35 pt, the signature space follows (PDF y ≈ 285…360 on A4), the name is printed at SIGNER_BLOCK_TOP + 110.
 * pdf-signer.ts places its default widgets there (person on the right, seal overlapping its left third).
 */
export const SIGNER_BLOCK_TOP = 450;

/** Today's date (yyyy-mm-dd) in Việt Nam (UTC+7, no DST). */
export function todayInVietnam(now: Date = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

/** "ngày 05 tháng 02 năm 2026": NĐ 30 pads days below 10 and months 1 and 2 with a zero. */
export function vietnameseDateLine(place: string, isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new Error(`issueDate must be yyyy-mm-dd, got ${isoDate}`);
  const [, y, mo, d] = m;
  const day = Number(d) < 10 ? `0${Number(d)}` : String(Number(d));
  const month = Number(mo) <= 2 ? `0${Number(mo)}` : String(Number(mo));
  return `${place}, ngày ${day} tháng ${month} năm ${y}`;
}

const DEFAULT_SUBJECT: Record<DocumentType, string> = {
  'Công văn': 'hướng dẫn lập dự toán ngân sách nhà nước năm 2027',
  'Giấy mời': 'Họp triển khai công tác quyết toán ngân sách năm 2026',
  'Quyết định': 'Về việc giao dự toán thu, chi ngân sách năm 2027',
  'Thông báo': 'Kết luận của Giám đốc Sở tại cuộc họp giao ban tháng 11',
  'Báo cáo': 'Tình hình thực hiện dự toán ngân sách 10 tháng năm 2026',
};

const DEFAULT_BODY: Record<DocumentType, string> = {
  'Công văn':
    'Thực hiện Thông tư số 49/2026/TT-BTC của Bộ Tài chính hướng dẫn xây dựng dự toán ngân sách nhà nước năm 2027, ' +
    'Sở Tài chính đề nghị các sở, ban, ngành và Ủy ban nhân dân các huyện, thị xã, thành phố lập dự toán thu, chi ' +
    'ngân sách năm 2027 theo đúng biểu mẫu quy định, gửi về Sở Tài chính trước ngày 15 tháng 12 năm 2026.\n\n' +
    'Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị các đơn vị phản ánh về Sở Tài chính ' +
    '(Phòng Quản lý ngân sách, điện thoại 0252.3822.xxx) để được hướng dẫn.\n\nTrân trọng./.',
  'Giấy mời':
    'Sở Tài chính trân trọng kính mời đại diện lãnh đạo các đơn vị dự họp triển khai công tác quyết toán ngân sách ' +
    'năm 2026.\n\nThời gian: 08 giờ 00 phút, ngày 27 tháng 11 năm 2026.\n\nĐịa điểm: Hội trường Sở Tài chính, ' +
    'số 1 đường Nguyễn Tất Thành, thành phố Phan Thiết.\n\nĐề nghị các đơn vị chuẩn bị số liệu liên quan. ' +
    'Tài liệu họp được gửi kèm theo Giấy mời này qua hệ thống thư điện tử công vụ./.',
  'Quyết định':
    'Điều 1. Giao dự toán thu, chi ngân sách nhà nước năm 2027 cho các đơn vị theo phụ lục đính kèm.\n\n' +
    'Điều 2. Thủ trưởng các đơn vị có trách nhiệm tổ chức thực hiện dự toán được giao đúng quy định.\n\n' +
    'Điều 3. Quyết định này có hiệu lực kể từ ngày ký./.',
  'Thông báo':
    'Ngày 18 tháng 11 năm 2026, Giám đốc Sở Tài chính chủ trì cuộc họp giao ban tháng 11. Sau khi nghe báo cáo ' +
    'của các phòng, Giám đốc Sở kết luận như sau: các phòng khẩn trương hoàn thành nhiệm vụ được giao trong năm ' +
    '2026, bảo đảm tiến độ và chất lượng./.',
  'Báo cáo':
    'Tổng thu ngân sách nhà nước trên địa bàn 10 tháng năm 2026 ước đạt 9.876 tỷ đồng, bằng 85% dự toán, ' +
    'tăng 7% so với cùng kỳ. Tổng chi ngân sách địa phương ước đạt 10.234 tỷ đồng, bằng 78% dự toán./.',
};

const CONTINUATION =
  'Các đơn vị căn cứ chức năng, nhiệm vụ được giao, chủ động phối hợp với các cơ quan liên quan tổ chức thực ' +
  'hiện; định kỳ hằng tháng báo cáo kết quả về Sở Tài chính để tổng hợp, báo cáo Ủy ban nhân dân tỉnh. ' +
  'Quá trình triển khai thực hiện cần bảo đảm công khai, minh bạch, tiết kiệm, hiệu quả, đúng quy định của pháp luật.';

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

export async function makeDocumentPdf(opts: DocumentPdfOptions = {}): Promise<Buffer> {
  if (opts.padToBytes && opts.padToBytes > 0) {
    // Measure the document without padding, then add an embedded file that makes up the difference.
    const base = await render({ ...opts, padToBytes: undefined }, 0);
    const overhead = 600; // file spec, name tree entry, xref lines
    const pad = Math.max(0, opts.padToBytes - base.length - overhead);
    return render(opts, pad);
  }
  return render(opts, 0);
}

async function render(opts: DocumentPdfOptions, padBytes: number): Promise<Buffer> {
  const type: DocumentType = opts.type ?? 'Công văn';
  const issuerLines = (opts.issuer ?? 'UBND TỈNH BÌNH THUẬN\nSỞ TÀI CHÍNH').split('\n');
  const number = opts.number ?? '123/STC-NS';
  const issueDate = opts.issueDate ?? todayInVietnam();
  const place = opts.place ?? 'Bình Thuận';
  const subject = opts.subject ?? DEFAULT_SUBJECT[type];
  const body = opts.body ?? DEFAULT_BODY[type];
  const pages = Math.max(1, Math.floor(opts.pages ?? 1));
  const recipients = opts.recipients ?? [
    'Các sở, ban, ngành tỉnh',
    'UBND các huyện, thị xã, thành phố',
  ];
  const signerTitle = opts.signerTitle ?? ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'];
  const signerName = opts.signerName ?? 'Nguyễn Văn An';

  const doc = new PDFDocument({
    size: 'A4',
    pdfVersion: '1.7',
    compress: opts.compress ?? true,
    margins: { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM },
    info: {
      Title: `${type} số ${number}`,
      Author: issuerLines[issuerLines.length - 1]!,
      Subject: subject,
      Creator: 'Bộ công cụ kiểm thử cổng thư công vụ tỉnh Bình Thuận',
      CreationDate: opts.creationDate ?? new Date(),
    },
  });
  const done = collect(doc);
  doc.registerFont('R', FONTS.regular);
  doc.registerFont('B', FONTS.bold);
  doc.registerFont('I', FONTS.italic);
  doc.registerFont('BI', FONTS.boldItalic);

  const left = doc.page.margins.left;
  const contentWidth = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const leftColW = 200;
  const rightColX = left + leftColW - 10;
  const rightColW = contentWidth - leftColW + 10;
  const top = doc.page.margins.top;

  // --- header, left: issuing body ---
  let yLeft = top;
  issuerLines.forEach((line, i) => {
    const last = i === issuerLines.length - 1;
    doc.font(last ? 'B' : 'R').fontSize(12);
    doc.text(line, left, yLeft, { width: leftColW, align: 'center' });
    yLeft = doc.y;
  });
  {
    const lineW = leftColW / 3;
    doc.moveTo(left + (leftColW - lineW) / 2, yLeft + 2).lineTo(left + (leftColW + lineW) / 2, yLeft + 2).lineWidth(0.7).stroke();
  }
  // --- header, right: national title and motto ---
  doc.font('B').fontSize(11.5).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', rightColX, top, { width: rightColW, align: 'center' });
  doc.font('B').fontSize(12.5).text('Độc lập - Tự do - Hạnh phúc', rightColX, doc.y, { width: rightColW, align: 'center' });
  {
    const w = doc.widthOfString('Độc lập - Tự do - Hạnh phúc');
    const x0 = rightColX + (rightColW - w) / 2;
    doc.moveTo(x0, doc.y + 2).lineTo(x0 + w, doc.y + 2).lineWidth(0.7).stroke();
  }
  const row2 = Math.max(yLeft, doc.y) + 12;
  doc.font('R').fontSize(12.5).text(`Số: ${number}`, left, row2, { width: leftColW, align: 'center' });
  let afterNumber = doc.y;
  doc.font('I').fontSize(12).text(vietnameseDateLine(place, issueDate), rightColX, row2, { width: rightColW, align: 'center' });
  const afterDate = doc.y;
  if (type === 'Công văn') {
    doc.font('R').fontSize(11.5).text(`V/v ${subject}`, left, afterNumber + 4, { width: leftColW, align: 'center' });
    afterNumber = doc.y;
  }
  let y = Math.max(afterNumber, afterDate) + 18;

  // --- title (not for Công văn) ---
  if (type !== 'Công văn') {
    doc.font('B').fontSize(14).text(type.toLocaleUpperCase('vi'), left, y, { width: contentWidth, align: 'center' });
    doc.font('B').fontSize(13).text(subject, left, doc.y + 2, { width: contentWidth, align: 'center' });
    const w = 60;
    doc.moveTo(left + (contentWidth - w) / 2, doc.y + 3).lineTo(left + (contentWidth + w) / 2, doc.y + 3).lineWidth(0.7).stroke();
    y = doc.y + 16;
  }
  if (type === 'Công văn' || type === 'Giấy mời') {
    if (recipients.length === 1) {
      doc.font('R').fontSize(13).text(`Kính gửi: ${recipients[0]}.`, left, y, { width: contentWidth, align: 'center' });
    } else {
      doc.font('R').fontSize(13).text('Kính gửi:', left + 70, y, { continued: false });
      recipients.forEach((r, i) => {
        doc.text(`- ${r}${i === recipients.length - 1 ? '.' : ';'}`, left + 150, i === 0 ? y : doc.y, { width: contentWidth - 150 });
      });
    }
    y = doc.y + 12;
  }

  // --- body ---
  const paragraphOpts = { width: contentWidth, align: 'justify' as const, indent: 10 * MM, paragraphGap: 6, lineGap: 2 };
  doc.font('R').fontSize(13);
  doc.x = left;
  doc.y = y;
  const paragraphs = body.split(/\n\s*\n/);
  for (const p of paragraphs) doc.text(p.trim(), left, doc.y, paragraphOpts);
  for (let page = 2; page <= pages; page++) {
    doc.addPage();
    doc.font('R').fontSize(13).text(String(page), left, doc.page.margins.top - 10 * MM, { width: contentWidth, align: 'center' });
    doc.y = doc.page.margins.top + 6;
    doc.text(CONTINUATION, left, doc.y, paragraphOpts);
  }

  // --- signer block: last page, at a fixed place (SIGNER_BLOCK_TOP) so that signature widgets land on it ---
  if (doc.y + 14 > SIGNER_BLOCK_TOP) doc.addPage();
  const yb = SIGNER_BLOCK_TOP;
  doc.font('BI').fontSize(12).text('Nơi nhận:', left, yb, { width: 220 });
  doc.font('R').fontSize(11);
  for (const r of [...(type === 'Công văn' || type === 'Giấy mời' ? ['Như trên'] : recipients), 'Lưu: VT, NS']) {
    doc.text(`- ${r};`, left, doc.y, { width: 220 });
  }
  const sx = left + contentWidth - 220;
  doc.font('B').fontSize(13);
  let sy = yb;
  for (const l of signerTitle) {
    doc.text(l, sx, sy, { width: 220, align: 'center' });
    sy = doc.y;
  }
  doc.font('B').fontSize(13).text(signerName, sx, yb + 110, { width: 220, align: 'center' });

  // --- extras for attack builders (page 1) ---
  if (opts.extraText?.length || opts.overlays?.length) {
    doc.switchToPage(0);
    for (const e of opts.extraText ?? []) {
      doc.font('B').fontSize(e.size ?? 13).fillColor(e.color ?? 'black').text(e.text, e.x, e.y, { lineBreak: false });
    }
    for (const o of opts.overlays ?? []) doc.image(o.image, o.x, o.y, { width: o.width, height: o.height });
    doc.fillColor('black');
  }

  if (padBytes > 0) {
    // An incompressible attachment ("Phụ lục dữ liệu"), written without Flate so the size is predictable.
    const data = randomBytes(padBytes);
    const fileRef = doc.ref({ Type: 'EmbeddedFile', Subtype: 'application#2Foctet-stream', Params: { Size: data.length } });
    (fileRef as unknown as { compress: boolean }).compress = false;
    fileRef.end(data);
    const name = 'phu-luc-du-lieu.bin';
    const spec = doc.ref({ Type: 'Filespec', F: new String(name), UF: new String(name), EF: { F: fileRef } });
    (spec as unknown as { end(): void }).end();
    doc.addNamedEmbeddedFile(name, spec);
  }

  doc.end();
  return done;
}

/** A tiny opaque PNG of one colour (default white), e.g. to cover text in a shadow-attack original. */
export function solidPng(rgb: [number, number, number] = [255, 255, 255]): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require('node:zlib') as typeof import('node:zlib');
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.from([0, ...rgb]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
