import type { Role } from '@serialtrace/core';

export interface CompanyRow {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
}

export interface UserRow {
  readonly id: number;
  readonly companyId: number;
  /** Unique within the company; other companies may have a user of the same name. */
  readonly username: string;
  /** `scrypt$N$r$p$salt$hash`, never the password. */
  readonly passwordHash: string;
  readonly role: Role;
  readonly systemAdmin: boolean;
  readonly disabled: boolean;
  readonly mustChangePassword: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export type NewUser = Omit<UserRow, 'id'>;

export interface UserChanges {
  readonly role?: Role;
  readonly disabled?: boolean;
  readonly passwordHash?: string;
  readonly mustChangePassword?: boolean;
}

export interface SessionRow {
  /** SHA-256 of the session token; the token itself is only ever in the browser's cookie. */
  readonly tokenHash: string;
  readonly userId: number;
  readonly companyId: number;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface ApiKeyRow {
  /** The public part of the key, also its name in the audit trail. */
  readonly id: string;
  readonly companyId: number;
  readonly name: string;
  readonly role: Role;
  /** SHA-256 of the secret part. */
  readonly secretHash: string;
  readonly station: string | null;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
}
