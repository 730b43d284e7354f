// The statistics as tables with Vietnamese headers: the same tables feed the page's downloads (CSV, .xlsx)
// and the quarterly report's workbook (one sheet per table).
import type { RegisterStatistics } from '../../db/register/statistics';
import type { ExportTable } from '../exports/table-export';
import { durationVi, hoursOf, reasonLabel, statusLabel, UNKNOWN_TYPE_LABEL, UNKNOWN_UNIT_LABEL, verdictLabel } from './labels';

const dayVi = (iso: string) => iso.split('-').reverse().join('/');

/** The tables in the order of the page; each has a short name for `?table=` in a CSV address. */
export const STATISTICS_TABLE_NAMES = ['tong-hop', 'don-vi', 'loai', 'do-khan', 'chu-ky', 'ly-do', 'trang-thai', 'thoi-gian'] as const;
export type StatisticsTableName = (typeof STATISTICS_TABLE_NAMES)[number];

const countColumns = [{ header: 'Tổng số văn bản đến', width: 14 }, { header: 'Vào sổ (có số đến)', width: 14 }, { header: 'Không vào sổ (chỉ tham khảo)', width: 16 }];

export function statisticsTables(stats: RegisterStatistics, title?: { heading: string; generatedAt?: Date }): Record<StatisticsTableName, ExportTable> {
  const { totals, processing } = stats;
  const heading: Array<[string, string | number | Date]> = title ? [['Báo cáo', title.heading]] : [];
  if (title?.generatedAt) heading.push(['Lập lúc', title.generatedAt]);
  return {
    'tong-hop': {
      sheet: 'Tổng hợp',
      columns: [{ header: 'Chỉ tiêu', width: 40 }, { header: 'Giá trị', width: 24 }],
      rows: [
        ...heading,
        ['Từ ngày', dayVi(stats.period.from)],
        ['Đến hết ngày', dayVi(stats.period.to)],
        ['Tổng số văn bản đến', totals.received],
        ['Vào sổ (có số đến)', totals.numbered],
        ['Không vào sổ, chỉ lưu tham khảo', totals.referenceOnly],
        ['Văn thư từ chối sau khi vào sổ', totals.refusedByClerk],
        ['Số đơn vị gửi', stats.byUnit.filter((u) => u.unitId !== null).length],
      ],
    },
    'don-vi': {
      sheet: 'Theo đơn vị gửi',
      columns: [{ header: 'STT', width: 6 }, { header: 'Đơn vị gửi', width: 50 }, { header: 'Mã đơn vị', width: 20 }, ...countColumns],
      rows: stats.byUnit.map((u, i) => [i + 1, u.unitName ?? (u.unitId ?? UNKNOWN_UNIT_LABEL), u.unitId, u.total, u.numbered, u.total - u.numbered]),
    },
    loai: {
      sheet: 'Theo loại văn bản',
      columns: [{ header: 'STT', width: 6 }, { header: 'Loại văn bản', width: 30 }, ...countColumns],
      rows: stats.byType.map((t, i) => [i + 1, t.docType ?? UNKNOWN_TYPE_LABEL, t.total, t.numbered, t.total - t.numbered]),
    },
    'do-khan': {
      sheet: 'Theo độ khẩn',
      columns: [{ header: 'Độ khẩn', width: 16 }, ...countColumns],
      rows: stats.byUrgency.map((u) => [u.urgency, u.total, u.numbered, u.total - u.numbered]),
    },
    'chu-ky': {
      sheet: 'Theo chữ ký số',
      columns: [{ header: 'Kết quả kiểm tra chữ ký số', width: 32 }, ...countColumns],
      rows: stats.byVerdict.map((v) => [verdictLabel(v.verdict), v.total, v.numbered, v.total - v.numbered]),
    },
    'ly-do': {
      sheet: 'Lý do từ chối',
      columns: [{ header: 'Mã lý do', width: 30 }, { header: 'Lý do từ chối', width: 60 }, { header: 'Số văn bản', width: 12 }],
      rows: stats.refusalReasons.map((r) => [r.code, reasonLabel(r), r.documents]),
    },
    'trang-thai': {
      sheet: 'Theo trạng thái',
      columns: [{ header: 'Trạng thái', width: 20 }, { header: 'Số văn bản', width: 12 }],
      rows: stats.byStatus.map((s) => [statusLabel(s.status), s.total]),
    },
    'thoi-gian': {
      sheet: 'Thời gian xử lý',
      columns: [
        { header: 'Tính từ khi bắt đầu xử lý đến', width: 28 }, { header: 'Số văn bản', width: 12 }, { header: 'Trung bình (giờ)', width: 14 },
        { header: 'Trung vị (giờ)', width: 14 }, { header: 'Lâu nhất (giờ)', width: 14 }, { header: 'Trung bình', width: 18 }, { header: 'Lâu nhất', width: 18 },
      ],
      rows: ([['Tiếp nhận', processing.toAccepted], ['Hoàn thành', processing.toDone]] as const).map(([label, d]) => [
        label, d.documents, hoursOf(d.averageMs), hoursOf(d.medianMs), hoursOf(d.maxMs), durationVi(d.averageMs), durationVi(d.maxMs),
      ]),
    },
  };
}

/** The tables in page order; `first` (a CSV holds one table) in front. */
export function orderedTables(tables: Record<StatisticsTableName, ExportTable>, first?: StatisticsTableName): ExportTable[] {
  const names = first ? [first, ...STATISTICS_TABLE_NAMES.filter((n) => n !== first)] : [...STATISTICS_TABLE_NAMES];
  return names.map((n) => tables[n]);
}
