// The Vietnamese error pages the invitation pages answer with.
import type { Response } from 'express';
import { renderPage } from '../render';

/** 404 for anything that is not there or not the account's own: never says which. */
export function notFoundPage(res: Response, what = 'Giấy mời', detail = `${what} không có trên hệ thống hoặc không gửi đến đơn vị của quý vị.`): Promise<void> {
  return renderPage(res, 'error', { title: 'Không tìm thấy', heading: `Không tìm thấy ${what.toLowerCase()}`, detail }, 404);
}

export function badRequestPage(res: Response, detail: string): Promise<void> {
  return renderPage(res, 'error', { title: 'Yêu cầu không hợp lệ', heading: 'Yêu cầu không hợp lệ', detail }, 400);
}
