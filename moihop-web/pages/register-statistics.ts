// The register's statistics (QĐ 3143 Điều 11) for VP UBND staff: a period chosen by dates or a quick pick,
// the tables with bar charts, their CSV and .xlsx downloads, and the quarterly reports kept for download.
import type { Request, Response } from 'express';
import type { RouteContext } from '../routes';
import { renderPage } from '../render';
import { registerStatistics, StatisticsPeriod } from '../../db/register/statistics';
import { listReports, readReportFile } from '../../db/register/reports';
import { exportFormatOf, ExportFormat, EXPORT_CONTENT_TYPES, sendTables } from '../exports/table-export';
import { contentDisposition } from './send-file';
import { badRequestPage, notFoundPage } from './error-pages';
import { parseDay } from './register-filters';
import { dayVi } from './register-format';
import { quarterLabel, quarterOf, quarterPeriod, quickPeriods, REPORT_DAY_OF_MONTH } from '../statistics/periods';
import { orderedTables, STATISTICS_TABLE_NAMES, StatisticsTableName, statisticsTables } from '../statistics/tables';
import { barChartSvg } from '../statistics/bar-chart';
import { durationVi, reasonLabel, statusLabel, UNKNOWN_TYPE_LABEL, UNKNOWN_UNIT_LABEL, verdictLabel } from '../statistics/labels';

const CHART_UNITS = 15;

function queryText(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim().slice(0, 20) : '';
}

/** The period of the address (`from`, `to`: yyyy-mm-dd or dd/mm/yyyy); this quarter when none is given. */
export function statisticsPeriodOf(req: Request, now = new Date()): { period: StatisticsPeriod; errors: string[] } {
  const fallback = quarterPeriod(quarterOf(now));
  const errors: string[] = [];
  const day = (text: string, label: string, otherwise: string) => {
    if (!text) return otherwise;
    const parsed = parseDay(text);
    if (!parsed) errors.push(`${label} "${text}" không phải một ngày hợp lệ: xin nhập dạng dd/mm/yyyy.`);
    return parsed ?? otherwise;
  };
  const from = day(queryText(req, 'from'), 'Từ ngày', fallback.from);
  const to = day(queryText(req, 'to'), 'Đến ngày', fallback.to);
  if (!errors.length && from > to) errors.push('Ngày bắt đầu sau ngày kết thúc: xin chọn lại khoảng ngày.');
  return { period: { from, to }, errors };
}

const periodQuery = (period: StatisticsPeriod) => `from=${period.from}&to=${period.to}`;

function chartsOf(stats: Awaited<ReturnType<typeof registerStatistics>>) {
  const unitBars = stats.byUnit.slice(0, CHART_UNITS).map((u) => ({ label: u.unitName ?? u.unitId ?? UNKNOWN_UNIT_LABEL, value: u.total }));
  return {
    units: barChartSvg({ id: 'chart-units', title: `Văn bản đến theo đơn vị gửi (${unitBars.length} đơn vị gửi nhiều nhất)`, unit: 'văn bản', bars: unitBars }),
    types: barChartSvg({ id: 'chart-types', title: 'Văn bản đến theo loại văn bản', unit: 'văn bản', bars: stats.byType.map((t) => ({ label: t.docType ?? UNKNOWN_TYPE_LABEL, value: t.total })) }),
    urgency: barChartSvg({ id: 'chart-urgency', title: 'Văn bản đến theo độ khẩn', unit: 'văn bản', bars: stats.byUrgency.map((u) => ({ label: u.urgency, value: u.total })) }),
    verdicts: barChartSvg({ id: 'chart-verdicts', title: 'Văn bản đến theo kết quả kiểm tra chữ ký số', unit: 'văn bản', bars: stats.byVerdict.map((v) => ({ label: verdictLabel(v.verdict), value: v.total })) }),
    statuses: barChartSvg({ id: 'chart-statuses', title: 'Văn bản đến theo trạng thái', unit: 'văn bản', bars: stats.byStatus.map((s) => ({ label: statusLabel(s.status), value: s.total })) }),
  };
}

export async function registerStatisticsPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const format = exportFormatOf(req.query.format);
  if (req.query.format !== undefined && !format) return badRequestPage(res, 'Định dạng tải về chỉ có "csv" hoặc "xlsx".');
  if (format) return sendStatistics(ctx, req, res, format);
  const now = new Date();
  const { period, errors } = statisticsPeriodOf(req, now);
  if (errors.length) return badRequestPage(res, errors.join(' '));
  const stats = await registerStatistics(ctx.db, period);
  const query = periodQuery(period);
  await renderPage(res, 'register-statistics', {
    title: 'Thống kê văn bản đến',
    period,
    form: { from: dayVi(period.from), to: dayVi(period.to) },
    quickPicks: quickPeriods(now).map((p) => ({ ...p, href: `/register/statistics?${periodQuery(p.period)}`, current: p.period.from === period.from && p.period.to === period.to })),
    stats,
    charts: chartsOf(stats),
    csvLink: (table: StatisticsTableName) => `/register/statistics.csv?${query}&table=${table}`,
    xlsxLink: `/register/statistics.xlsx?${query}`,
    reports: await listReports(ctx.db),
    currentQuarter: quarterLabel(quarterOf(now)),
    reportDay: REPORT_DAY_OF_MONTH,
    dayVi,
    durationVi,
    reasonLabel,
    verdictLabel,
    statusLabel,
    unknownUnit: UNKNOWN_UNIT_LABEL,
    unknownType: UNKNOWN_TYPE_LABEL,
  });
}

async function sendStatistics(ctx: RouteContext, req: Request, res: Response, format: ExportFormat): Promise<void> {
  const { period, errors } = statisticsPeriodOf(req);
  if (errors.length) return badRequestPage(res, errors.join(' '));
  // A CSV file holds one table: the per-unit one of Điều 11 unless `table` names another. A workbook holds all.
  const table = req.query.table ?? (format === 'csv' ? 'don-vi' : undefined);
  if (table !== undefined && !STATISTICS_TABLE_NAMES.includes(table as StatisticsTableName)) {
    return badRequestPage(res, `Bảng "${String(table).slice(0, 40)}" không có. Các bảng: ${STATISTICS_TABLE_NAMES.join(', ')}.`);
  }
  const stats = await registerStatistics(ctx.db, period);
  const tables = orderedTables(statisticsTables(stats), format === 'csv' ? (table as StatisticsTableName) : undefined);
  const suffix = format === 'csv' ? `-${String(table)}` : '';
  await sendTables(res, tables, format, `thong-ke-van-ban-den-${period.from}-${period.to}${suffix}`);
}

export const registerStatisticsCsv = (ctx: RouteContext, req: Request, res: Response) => sendStatistics(ctx, req, res, 'csv');
export const registerStatisticsXlsx = (ctx: RouteContext, req: Request, res: Response) => sendStatistics(ctx, req, res, 'xlsx');

/** A kept report, as stored when it was generated. */
export async function registerReportDownload(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const id = String(req.params.id ?? '');
  const file = /^[0-9A-Z]{26}$/.test(id) ? await readReportFile(ctx.db, id) : null;
  if (!file) return notFoundPage(res, 'Báo cáo', 'Báo cáo không có trên hệ thống hoặc chưa lập xong.');
  res.setHeader('Content-Type', EXPORT_CONTENT_TYPES.xlsx);
  res.setHeader('Content-Disposition', contentDisposition('attachment', file.filename));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.send(file.content);
}
