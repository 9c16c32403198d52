import { api } from '../api.ts';

/**
 * GET answers asked before their page has rendered: App.tsx asks for the request named in the address while the app
 * starts, and the review page takes that answer instead of asking again once React got to it. Each is used once; a
 * failed early answer (not signed in yet) is asked again.
 */
const early = new Map<string, Promise<{ json: any }>>();

export function askEarly(path: string, reason: string): void {
  if (!early.has(path)) {
    const answer = api(path, { reason });
    answer.catch(() => undefined);
    early.set(path, answer);
  }
}

export function takeEarly<T>(path: string, reason: string): Promise<{ json: T }> {
  const answer = early.get(path);
  early.delete(path);
  return answer ? answer.catch(() => api<T>(path, { reason })) : api<T>(path, { reason });
}
