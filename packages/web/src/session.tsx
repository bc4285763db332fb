import type { RouteResult } from '@serialtrace/client';
import { can, type Permission } from '@serialtrace/core';
import { createContext, useContext } from 'react';

export type Identity = RouteResult<'me'>;
export type ServerInfo = RouteResult<'info'>;

/** Who is signed in, what the server says about itself, and what the page may offer them. */
export interface Session {
  readonly identity: Identity;
  readonly server: ServerInfo;
  /**
   * The server's clock as this browser sees it: the preview renders serials at the server's
   * instant (a server may run with a fixed clock, or the browser's clock may be off).
   */
  readonly serverNow: () => Date;
  /** Whether the signed-in role holds a permission; the page hides what it would refuse. */
  readonly can: (permission: Permission) => boolean;
  /** Ends the session on the server and shows the sign-in page. */
  readonly signOut: () => Promise<void>;
  /** Called with any error from a call: an ended session sends the user back to sign in. */
  readonly onError: (error: unknown) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in page');
  return session;
}

export function makeCan(identity: Identity): (permission: Permission) => boolean {
  return (permission) => can(identity.role, permission);
}
