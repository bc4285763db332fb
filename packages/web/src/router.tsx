import { useCallback, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A small router over the History API: the page's location is the state, so every view is a
 * link that can be bookmarked, reloaded and shared (the server answers the app for any path).
 */
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((listener) => listener());
window.addEventListener('popstate', emit);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace === true) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  emit();
}

export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { path: url.pathname, query: url.searchParams };
}

/**
 * The query string as state: `setQuery({ q: 'SN-1' })` changes those keys and keeps the rest;
 * an empty or undefined value removes a key. Replaces the history entry by default, so typing
 * in a search box does not fill the back button.
 */
export function useQueryState(): [URLSearchParams, (changes: Record<string, string | undefined>, options?: { push?: boolean }) => void] {
  const { path, query } = useLocation();
  const setQuery = useCallback(
    (changes: Record<string, string | undefined>, options: { push?: boolean } = {}) => {
      const next = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === '') next.delete(key);
        else next.set(key, value);
      }
      const text = next.toString();
      navigate(`${path}${text === '' ? '' : `?${text}`}`, { replace: options.push !== true });
    },
    [path],
  );
  return [query, setQuery];
}

/** An `<a>` that changes the page without reloading it (and still opens a new tab on ctrl-click). */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { readonly href: string }) {
  const { onClick, ...rest } = props;
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return <a {...rest} onClick={click} />;
}
