// Renders the login form (with a CSRF token in the session, created here for anonymous visitors).
import type { Request, Response } from 'express';
import { renderPage } from '../render';
import { csrfToken } from './csrf';

export interface LoginPageState {
  status?: number;
  error?: string;
  username?: string;
  next?: string | null;
}

export function renderLoginPage(req: Request, res: Response, state: LoginPageState = {}): Promise<void> {
  return renderPage(res, 'login', {
    title: 'Đăng nhập',
    csrfToken: csrfToken(req),
    error: state.error ?? null,
    username: state.username ?? '',
    next: state.next ?? null,
  }, state.status ?? 200);
}
