// Sends a long page in pieces: the layout and the page template are rendered once around a marker, then the
// rows go out chunk by chunk as they are read, never gathered into one string. A reader that falls behind
// is waited for; one that goes away stops the reading.
import path from 'node:path';
import type { Writable } from 'node:stream';
import ejs from 'ejs';
import type { Response } from 'express';
import { formatDateTimeVi, formatDateVi } from '../../db/time';
import { PageData, WEB_TEMPLATES_DIR } from '../render';

const ROWS_MARKER = '<!--rows-->';

/** Waits while the reader is behind; false when it went away (nothing more need be made). */
export async function readerKeepsUp(out: Writable): Promise<boolean> {
  if (out.destroyed) return false;
  if (!out.writableNeedDrain) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
  return !out.destroyed;
}

const templateOf = (view: string) => path.join(WEB_TEMPLATES_DIR, `${view}.ejs`);

/**
 * Renders `view` in the layout, with `<%- rowsMarker %>` where the rows go, each chunk of `chunks` rendered by
 * `rowsView` (given `rows`). Once the first bytes are out an error can no longer become an error page: the
 * caller destroys the response, so the browser shows a failed page rather than a book cut short.
 */
export async function streamPage<T>(res: Response, view: string, data: PageData, rowsView: string, chunks: AsyncIterable<T[]>): Promise<void> {
  const locals = { formatDateVi, formatDateTimeVi, currentPath: res.req?.path ?? '', ...res.locals, ...data, rowsMarker: ROWS_MARKER };
  const body = await ejs.renderFile(templateOf(view), locals, { cache: true });
  const html = await ejs.renderFile(templateOf('layout'), { ...locals, body }, { cache: true });
  const at = html.indexOf(ROWS_MARKER);
  if (at === -1) throw new Error(`template ${view} has no rowsMarker`);
  res.status(200).type('html');
  res.write(html.slice(0, at));
  for await (const rows of chunks) {
    res.write(await ejs.renderFile(templateOf(rowsView), { rows }, { cache: true }));
    if (!(await readerKeepsUp(res))) return;
  }
  res.end(html.slice(at + ROWS_MARKER.length));
}
