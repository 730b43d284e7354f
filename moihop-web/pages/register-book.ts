// The register book (sổ đăng ký văn bản đến) for a period: a printable page (GET /register/book) and the
// same book as a PDF file (GET /register/book.pdf), both streamed entry chunk by entry chunk.
import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import type { RouteContext } from '../routes';
import { BookPeriod, readRegisterBook, summarizeRegisterBook } from '../../db/register/book';
import { createLogger } from '../../log';
import { badRequestPage } from './error-pages';
import { bookPeriodFromRequest, BookPeriodForm } from './register-book-period';
import { writeRegisterBookPdf } from './register-book-pdf';
import { BOOK_COLUMNS, BookHeading, bookHeading, BookLine, bookLineOf } from './register-book-rows';
import { streamPage } from './register-book-stream';
import { dayVi } from './register-format';

const log = createLogger('web');

async function* bookLines(db: Knex, period: BookPeriod, heading: BookHeading): AsyncGenerator<BookLine[]> {
  for await (const entries of readRegisterBook(db, period)) yield entries.map((entry) => bookLineOf(entry, heading));
}

function periodQuery(period: BookPeriod): string {
  return new URLSearchParams({ from: period.from, to: period.to }).toString();
}

/** Once the book has started to go out, a failure can only cut the connection: never a short book that looks whole. */
async function sendingBook(res: Response, what: string, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (!res.headersSent) throw err;
    log.error('WEB_BOOK_FAILED', `register book ${what} failed after it started: ${(err as Error).message}`, { path: res.req?.path });
    res.destroy(err as Error);
  }
}

async function headingOf(ctx: RouteContext, period: BookPeriod): Promise<BookHeading> {
  return bookHeading(period, await summarizeRegisterBook(ctx.db, period));
}

export async function registerBookPage(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const choice = bookPeriodFromRequest(req);
  if (!choice.period) return badRequestPage(res, choice.errors.join(' '));
  const period = choice.period;
  const heading = await headingOf(ctx, period);
  const form: BookPeriodForm = { from: dayVi(period.from), to: dayVi(period.to), year: choice.form.year };
  await sendingBook(res, 'page', () => streamPage(res, 'register-book', {
    title: 'Sổ đăng ký văn bản đến',
    heading,
    form,
    columns: BOOK_COLUMNS,
    pdfLink: `/register/book.pdf?${periodQuery(period)}`,
  }, 'register-book-rows', bookLines(ctx.db, period, heading)));
}

export async function registerBookPdf(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const choice = bookPeriodFromRequest(req);
  if (!choice.period) return badRequestPage(res, choice.errors.join(' '));
  const period = choice.period;
  const heading = await headingOf(ctx, period);
  res.status(200).type('application/pdf');
  res.setHeader('Content-Disposition', `attachment; filename="so-dang-ky-van-ban-den_${period.from}_${period.to}.pdf"`);
  await sendingBook(res, 'PDF', () => writeRegisterBookPdf(res, heading, bookLines(ctx.db, period, heading)));
}
